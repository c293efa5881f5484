/**
 * A process killed with SIGKILL while its run waits (for a signal, then in a sleep) loses nothing
 * on SQLite: the wait is stored, a signal sent with no executor running is kept, and another
 * process completes the run without running its completed tasks again.
 */
import { createExecutor } from "@cloacina/backend-sqlite";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-wait-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const log = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

test("SIGKILL while waiting for a signal: the signal is kept, and a new process sleeps and finishes the run", async () => {
  const dbUrl = `sqlite://${dir}/wait.db`;
  const waitLog = path.join(dir, "wait.log");
  process.env.WAIT_LOG = waitLog;
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@cloacina/source", path.join(import.meta.dirname, "fixtures/wait-child.ts")],
    { cwd: root, env: { ...process.env, DB_URL: dbUrl }, stdio: ["ignore", "pipe", "inherit"] },
  );
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!stdout.includes("\n")) {
    if (Date.now() > deadline) throw new Error("the child never reported its signal wait");
    await new Promise((r) => setTimeout(r, 20));
  }
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  const executionId = stdout.trim();

  // No executor runs tasks now: the signal is stored with the task, which is made Ready.
  const sender = await createExecutor(dbUrl, { runTasks: false });
  try {
    expect(await sender.signal(executionId, "sqlwait.approval", { ok: true })).toEqual({ delivered: true });
  } finally {
    await sender.close();
  }
  const { waitWorkflow } = await import("./fixtures/wait-workflow.js");
  const executor = await createExecutor(dbUrl);
  try {
    const result = await (await executor.get(executionId, waitWorkflow)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ "sqlwait.approval": { ok: true } });
    // a ran once, in the killed process; b once, here.
    expect(log(waitLog)).toEqual([`a ${child.pid}`, `b ${process.pid}`]);
    const nap = (await executor.inspect(executionId)).tasks.find((t) => t.id === "sqlwait.nap");
    expect(nap).toMatchObject({ status: "Completed", calls: 1 }); // it slept, then woke
    expect(nap!.durationMs).toBeGreaterThanOrEqual(300);
  } finally {
    await executor.close();
  }
});
