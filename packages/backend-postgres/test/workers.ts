import { createExecutor } from "@cloacina/backend-postgres";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { dropSchema, freshSchema } from "./pg-test-db.js";

const root = path.resolve(import.meta.dirname, "../../..");

/** Starts a worker process (node --import tsx, so the pid is the process running tasks). */
export async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@cloacina/source", path.join(import.meta.dirname, "fixtures/worker.ts")],
    { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("ready\n")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
  });
  return child;
}

export async function stopWorker(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

/** Lines "<task id> <pid>" written by the fixtures' tasks. */
export function readLog(file: string): { task: string; pid: string }[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [task = "", pid = ""] = line.split(" ");
      return { task, pid };
    });
}

/**
 * Per test: a fresh schema, a temp dir with a task log, a client that runs no task, and worker
 * processes (each with `workerEnv`, plus what `worker(env)` adds), all removed after the test.
 * Call in a `describe`; `cleanups` takes more.
 */
export function workerFixture(prefix: string, workerEnv: Record<string, string> = {}) {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  async function setup() {
    const { schema, url } = freshSchema(prefix);
    const dir = mkdtempSync(path.join(tmpdir(), `cloacina-${prefix}-`));
    const log = path.join(dir, "tasks.log");
    cleanups.push(async () => {
      rmSync(dir, { recursive: true, force: true });
      await dropSchema(schema);
    });
    // Submits, signals and watches runs; runs no task: the workers do.
    const client = await createExecutor(url, { runTasks: false });
    cleanups.push(() => client.close());
    const workers: ChildProcess[] = [];
    const worker = async (env: Record<string, string> = {}) => {
      const child = await startWorker({ DB_URL: url, TASK_LOG: log, ...workerEnv, ...env });
      workers.push(child);
      return child;
    };
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => stopWorker(w, "SIGKILL")));
    });
    return { schema, url, log, client, worker };
  }
  return { setup, cleanups };
}
