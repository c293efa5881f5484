import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, test } from "vitest";

const run = promisify(execFile);
const examples = path.resolve(import.meta.dirname, "..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-examples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function runExample(file: string, args: string[] = [], name = file): Promise<string> {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "--conditions=@cloacina/source", file, ...args], {
    cwd: examples,
    env: { ...process.env, CLOACINA_DATABASE_URL: `sqlite://${dir}/${name}.db` },
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

test("the word-count example maps over the files of its sample folder and sums their words", async () => {
  const out = await runExample("word-count.ts");
  expect(out).toMatch(/run [0-9a-f-]{36}: Completed/);
  expect(out).toContain("5 files in");
  expect(out).toContain("198 words");
  expect(out).toMatch(/^\s+70 {2}maps\.txt$/m);
});

test("the word-count example counts the folder named on its command line", async () => {
  const folder = path.join(dir, "texts");
  mkdirSync(folder);
  writeFileSync(path.join(folder, "a.txt"), "one two three");
  writeFileSync(path.join(folder, "b.md"), "four five");
  writeFileSync(path.join(folder, "c.png"), "not a text file");
  const out = await runExample("word-count.ts", [folder], "word-count-folder");
  expect(out).toContain(`2 files in ${folder}, 5 words`);
});

test("the child-workflow example runs a child per order and one report child, linked to their parent", async () => {
  const out = await runExample("child-workflow.ts");
  expect(out).toMatch(/run [0-9a-f-]{36}: Completed/);
  expect(out).toContain("A-3: 61 (TRACK-A-3)");
  expect(out).toContain("revenue: 123");
  expect(out).toContain("4 child runs of");
  expect(out).toMatch(/orders\.process\[2\] → [0-9a-f-]{36} \(process-order, Completed\)/);
  expect(out).toMatch(/orders\.report → [0-9a-f-]{36} \(daily-report, Completed\)/);
  expect(out).toMatch(/'s parent: orders\.process\[0\] of [0-9a-f-]{36}/);
});
