import { createExecutor } from "@cloacina/backend-sqlite";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { cancelWorkflow } from "./fixtures/cancel-workflow.js";

const root = path.resolve(import.meta.dirname, "../../..");
const dir = mkdtempSync(path.join(tmpdir(), "cloacina-cancel-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n") : []);

async function until(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test("cancel() from another process reaches a task running in a worker process, long before the safety poll", async () => {
  const dbUrl = `sqlite://${dir}/cancel.db`;
  const cancelLog = path.join(dir, "cancel.log");
  // The worker's safety poll is a minute away: only the change check can deliver the cancel in time.
  const worker = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@cloacina/source", path.join(import.meta.dirname, "fixtures/cancel-worker.ts")],
    {
      cwd: root,
      env: { ...process.env, DB_URL: dbUrl, CANCEL_LOG: cancelLog, POLL_MS: "60000" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let stdout = "";
  worker.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  const client = await createExecutor(dbUrl, { runTasks: false });
  try {
    await until("the worker is ready", () => stdout.includes("ready"));
    const handle = await client.start(cancelWorkflow, {});
    await until("the task runs in the worker", () => lines(cancelLog).some((l) => l.startsWith("started")));

    const cancelledAt = Date.now();
    await handle.cancel();
    await until("the task's signal aborts in the worker", () => lines(cancelLog).some((l) => l.startsWith("aborted")));
    const latencyMs = Date.now() - cancelledAt;
    const result = await handle.result();

    expect(lines(cancelLog)).toEqual([`started ${worker.pid}`, `aborted ${worker.pid}`]);
    expect(latencyMs).toBeLessThan(10_000); // the worker's safety poll would take 60,000
    console.log(`cancel from another process reached the running task in ${latencyMs} ms`);
    // The run and its task agree: both Cancelled, and the task did not run to its end.
    expect(result.status).toBe("Cancelled");
    expect(result.tasks.map((t) => [t.id, t.status])).toEqual([["cancel.long", "Cancelled"]]);
    expect(result.finalContext).not.toHaveProperty("ranToTheEnd");
  } finally {
    await client.close();
    const exited = new Promise((resolve) => worker.once("exit", resolve));
    worker.kill("SIGTERM");
    await exited;
  }
}, 60_000);
