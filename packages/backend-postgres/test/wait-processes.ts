/**
 * Processes and observations for the waiting crash and race tests: worker and signalling
 * processes (fixtures/wait-process.ts), their task log, the stored rows of a run's tasks, and a
 * polling helper that waits on observable state rather than on a fixed sleep.
 */
import { createExecutor } from "@cloacina/backend-postgres";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach } from "vitest";
import { admin, dropSchema, freshSchema } from "./pg-test-db.js";

const root = path.resolve(import.meta.dirname, "../../..");
const fixture = path.join(import.meta.dirname, "fixtures/wait-process.ts");

/** Starts a process of fixtures/wait-process.ts and resolves once it printed "ready". */
function launch(env: Record<string, string>): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@cloacina/source", fixture], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      const before = out;
      out += chunk.toString();
      if (!before.includes("ready\n") && out.includes("ready\n")) resolve({ child, output: () => out });
    });
    child.once("exit", (code) => {
      if (!out.includes("ready\n")) reject(new Error(`process exited with ${code} before it was ready`));
    });
  });
}

/** A worker process: runs the waiting workflows' tasks until it is stopped. */
export async function startWaitWorker(env: Record<string, string>): Promise<ChildProcess> {
  return (await launch({ ...env, ROLE: "worker" })).child;
}

export interface SignalToSend {
  executionId: string;
  taskId: string;
  payload: unknown;
  key?: string;
}
/** What one `executor.signal` call came to in a signalling process. */
export type SignalOutcome = { delivered: boolean } | { code: string };

/**
 * Signalling processes, started (connected, workflows registered) before the test knows what
 * they will send: `send` gives each its list, all at once, and resolves with each one's outcomes.
 */
export async function signallers(
  dbUrl: string,
  count: number,
): Promise<{ send: (lists: SignalToSend[][]) => Promise<SignalOutcome[][]> }> {
  const senders = await Promise.all(Array.from({ length: count }, () => launch({ DB_URL: dbUrl, ROLE: "signal" })));
  const exits = senders.map(
    ({ child }) =>
      new Promise<void>((resolve, reject) =>
        child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`signal process exited ${code}`)))),
      ),
  );
  return {
    send: async (lists) => {
      senders.forEach(({ child }, i) => child.stdin!.write(`${JSON.stringify(lists[i] ?? [])}\n`));
      await Promise.all(exits);
      return senders.map(({ output }) => JSON.parse(output().split("\n")[1]!) as SignalOutcome[]);
    },
  };
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

export interface LogLine {
  task: string;
  pid: number;
  at: number;
  [field: string]: unknown;
}

/** The JSON lines written by the fixtures' tasks. */
export function readTaskLog(file: string): LogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as LogLine);
}

export interface TaskRow {
  run_id: string;
  task_id: string;
  status: string;
  attempt: number;
  calls: number;
  wake_at: string | null;
  lease_owner: string | null;
  error: string | null;
}

/** The stored rows of tasks (of one run, or all), as the store keeps them. */
export async function taskRows(schema: string, runId?: string): Promise<TaskRow[]> {
  return admin<TaskRow>(
    `select run_id, task_id, status, attempt, calls, wake_at, lease_owner, error
     from "${schema}".cloacina_task_runs ${runId === undefined ? "" : "where run_id = $1"} order by run_id, position`,
    runId === undefined ? [] : [runId],
  );
}

/** The signals stored for a run's task. */
export async function storedSignals(schema: string, runId: string): Promise<{ key: string; payload: string }[]> {
  return admin(`select key, payload from "${schema}".cloacina_signals where run_id = $1 order by created_at, key`, [
    runId,
  ]);
}

/** Polls `check` every 20 ms until it is true; throws, naming `what`, after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Per test: a fresh schema, a temp dir with a task log, a client that runs no task, and worker
 * processes (each with `workerEnv`), all removed after the test. Call in a `describe`.
 */
export function waitProcessFixture(prefix: string, workerEnv: Record<string, string> = {}) {
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
    // Submits, signals and watches; runs no task.
    const client = await createExecutor(url, { runTasks: false });
    cleanups.push(() => client.close());
    const workers: ChildProcess[] = [];
    const worker = async () => {
      const child = await startWaitWorker({ DB_URL: url, TASK_LOG: log, ...workerEnv });
      workers.push(child);
      return child;
    };
    cleanups.push(async () => {
      await Promise.all(workers.map((w) => stopProcess(w, "SIGKILL")));
    });
    return { schema, url, log, client, worker };
  }
  return { setup, cleanups };
}
