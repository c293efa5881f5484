import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const run = promisify(execFile);
const examples = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runExample(file: string): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--conditions=@cloacina/source", file], {
    cwd: examples,
    env: { ...process.env, CLOACINA_DATABASE_URL: `sqlite://${dir}/${file}.db` },
  });
  return stdout;
}

test("the ETL example (what `npm start` runs) completes with total 6", async () => {
  const out = await runExample("etl.ts");
  expect(out).toMatch(/run [0-9a-f-]{36}: Completed/);
  expect(out).toContain("total: 6");
  expect(out).toContain("fetchedAt is a Date: true");
});

test("the fan-out example completes and joins every shard", async () => {
  const out = await runExample("fan-out.ts");
  expect(out).toMatch(/Completed in \d+ ms/);
  expect(out).toContain("total letters: 69");
});

test("the approval example waits for a signal, sleeps, polls, and completes", async () => {
  const out = await runExample("approval.ts");
  expect(out).toContain("approval is waiting for a signal");
  expect(out).toMatch(/run [0-9a-f-]{36}: Completed/);
  expect(out).toContain("order-42 approved by ada");
  expect(out).toContain("export checked 3 times");
});
