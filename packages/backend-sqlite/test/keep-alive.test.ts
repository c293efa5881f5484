import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-alive-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("a process awaiting execute() stays alive through a retry delay (SQLite holds no socket)", async () => {
  const fixture = path.join(import.meta.dirname, "fixtures/retry-delay.ts");
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--conditions=@cloacina/source", fixture], {
    cwd: root,
    env: { ...process.env, DB_URL: `sqlite://${dir}/alive.db` },
  });
  expect(JSON.parse(stdout)).toEqual({ status: "Completed", attempts: 2 });
}, 30_000);
