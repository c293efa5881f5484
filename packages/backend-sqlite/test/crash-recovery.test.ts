import { createExecutor } from "@cloacina/backend-sqlite";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { crashWorkflow } from "./fixtures/crash-workflow.js";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

test("a run survives SIGKILL mid-workflow: a new executor finishes it without re-running completed tasks", async () => {
  const dbUrl = `sqlite://${dir}/crash.db`;
  const crashLog = path.join(dir, "crash.log");
  process.env.CRASH_LOG = crashLog;

  // 1. A child process runs the workflow and hangs inside task c; we kill it there.
  // `node --import tsx` (not the tsx launcher) so the pid we kill is the process running the tasks.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@cloacina/source", path.join(import.meta.dirname, "fixtures/crash-child.ts")],
    { cwd: root, env: { ...process.env, DB_URL: dbUrl, CRASH_HANG_AT: "c" }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!log(crashLog).some((line) => line.startsWith("c "))) {
    if (Date.now() > deadline) throw new Error(`child never reached task c; log: ${log(crashLog).join(", ")}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const executionId = stdout.trim();
  const childPid = String(child.pid);
  expect(log(crashLog)).toEqual([`a ${childPid}`, `b ${childPid}`, `c ${childPid}`]);

  // 2. A new executor on the same file sees the dead owner, takes task c back and finishes.
  const executor = await createExecutor(dbUrl);
  try {
    const resumed = await (await executor.get(executionId)).result();
    expect(resumed.status).toBe("Completed");
    const me = String(process.pid);
    // a and b ran once (in the child); c ran again (at-least-once: it was running at the crash).
    expect(log(crashLog)).toEqual([`a ${childPid}`, `b ${childPid}`, `c ${childPid}`, `c ${me}`, `d ${me}`]);
    expect(resumed.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      ["crash.a", "Completed", 1],
      ["crash.b", "Completed", 1],
      ["crash.c", "Completed", 2],
      ["crash.d", "Completed", 1],
    ]);

    // 3. The final context is exactly that of an uninterrupted run.
    const uninterrupted = await executor.execute(crashWorkflow, { input: "from the child" });
    expect(resumed.finalContext).toEqual(uninterrupted.finalContext);
    expect(resumed.finalContext).toMatchObject({
      d: "20-2024-01-01T00:00:00.000Z",
      big: 10n ** 20n,
      tags: new Set(["x"]),
    });
  } finally {
    await executor.close();
  }
});
