/**
 * Processes and observations for the waiting crash and race tests: the workers' settings (the
 * workers and their fixture are workers.ts's), signalling processes (fixtures/wait-process.ts),
 * the task log, the stored rows of a run's tasks, and a polling helper that waits on observable
 * state rather than on a fixed sleep.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { admin } from "./pg-test-db.js";

const root = path.resolve(import.meta.dirname, "../../..");
const fixture = path.join(import.meta.dirname, "fixtures/wait-process.ts");

/** Starts a signalling process (fixtures/wait-process.ts) and resolves once it printed "ready". */
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

/** Worker processes of `workerFixture` (workers.ts) that run the waiting workflows' tasks. */
export const WAIT_WORKERS = { WORKFLOWS: "./wait-workflows.js" } as const;

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
  const senders = await Promise.all(Array.from({ length: count }, () => launch({ DB_URL: dbUrl })));
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

/** Stops a process (workers.ts's stopWorker, for any of these processes). */
export { stopWorker as stopProcess } from "./workers.js";

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
