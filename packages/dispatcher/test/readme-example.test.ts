import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, test } from "vitest";

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, "../../..");
const tsx = path.join(root, "node_modules/.bin/tsx");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-readme-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The README example under tsx, once per decorator dialect, each with its own tsconfig.
describe.each([
  ["TC39 standard decorators", "tc39", 2],
  ["experimentalDecorators + reflect-metadata", "legacy", 3],
])("the README example with %s, under tsx", (_label, mode, arity) => {
  test("runs to Completed on SQLite with total 6 and a Date that stays a Date", async () => {
    const fixture = path.join(import.meta.dirname, "fixtures", mode);
    const { stdout } = await run(
      tsx,
      [
        "--tsconfig",
        path.join(fixture, "tsconfig.json"),
        "--conditions=@cloacina/source",
        path.join(fixture, "readme.ts"),
      ],
      { cwd: root, env: { ...process.env, DB_URL: `sqlite://${dir}/${mode}.db` } },
    );
    expect(JSON.parse(stdout)).toEqual({
      decoratorArity: arity,
      status: "Completed",
      total: 6,
      fetchedAtIsDate: true,
      loaded: true,
      tasks: [
        ["extract", "Completed", 1],
        ["transform", "Completed", 1],
        ["load", "Completed", 1],
      ],
    });
  });
});

test("the fixtures are the README's example: every line of its first code block, but the URL and the log", () => {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const block = /```ts\n(import \{ task, workflow, createExecutor \}[\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const lines = block!
    .split("\n")
    .filter((line) => line.trim() !== "" && !line.includes('createExecutor("sqlite:') && !line.includes("console.log"));
  for (const mode of ["tc39", "legacy"]) {
    const fixture = readFileSync(path.join(import.meta.dirname, "fixtures", mode, "readme.ts"), "utf8").split("\n");
    const missing = lines.filter((line) => !fixture.includes(line) && !/^(if \(result\.status|\})/.test(line));
    expect(missing, mode).toEqual([]);
  }
});
