/**
 * Cloacina's side of the DBOS comparison: a three-task chain (a → b → c, no-op tasks), the
 * shape DBOS runs as a workflow of three steps (dbos-process.ts), each figure on a fresh schema.
 */
import { createExecutor } from "@cloacina/backend-postgres";
import { type Executor, resetRegistry, type Workflow } from "@cloacina/engine";
import { rate, type Rate } from "../measure.js";
import { sequentialChain } from "../workflows.js";
import { CLOACINA_CONCURRENCY } from "./cloacina-throughput.js";
import { lastRunFinishedAt, waitUntilNoRunIsRunning } from "./run-clock.js";
import { schemaUrl, withSchema } from "./server.js";

/** (a): workflows executed one after another. */
export const SEQUENTIAL_WORKFLOWS = 1_000;
/** (b): workflows started at once. */
export const CONCURRENT_WORKFLOWS = 5_000;
/** Executed one after another before each figure's clock starts, on Cloacina and on DBOS alike. */
export const WARM_UP_WORKFLOWS = 20;
const TASKS_PER_WORKFLOW = 3;
/** Far past any plausible figure: fail rather than hang the run. */
const DRAIN_TIMEOUT_MS = 120_000;

function threeTaskChain(): Workflow {
  resetRegistry();
  return sequentialChain("pgbench.three", TASKS_PER_WORKFLOW).workflow;
}

async function executeOrThrow(executor: Executor, wf: Workflow): Promise<void> {
  const result = await executor.execute(wf, {});
  if (result.status !== "Completed") throw new Error(`three-task run ended ${result.status}: ${String(result.error)}`);
}

async function withWarmExecutor<T>(
  prefix: string,
  concurrency: number | undefined,
  use: (executor: Executor, wf: Workflow, schema: string) => Promise<T>,
): Promise<T> {
  const wf = threeTaskChain();
  return withSchema(prefix, async (schema) => {
    const executor = await createExecutor(schemaUrl(schema), concurrency === undefined ? {} : { concurrency });
    try {
      for (let i = 0; i < WARM_UP_WORKFLOWS; i++) await executeOrThrow(executor, wf);
      return await use(executor, wf, schema);
    } finally {
      await executor.close();
    }
  });
}

/** (a) Milliseconds per workflow: 1,000 `executor.execute` calls, each awaited before the next (default settings). */
export async function measureCloacinaSequential(): Promise<number> {
  return withWarmExecutor("cl_three_seq", undefined, async (executor, wf) => {
    const started = performance.now();
    for (let i = 0; i < SEQUENTIAL_WORKFLOWS; i++) await executeOrThrow(executor, wf);
    return (performance.now() - started) / SEQUENTIAL_WORKFLOWS;
  });
}

/**
 * (b) Workflows per second: 5,000 `start` calls at once (concurrency 256, as for the throughput
 * figures), from the first to the stored finish of the last run, watched with a light count
 * rather than 5,000 `handle.result()` calls (see run-clock.ts).
 */
export async function measureCloacinaConcurrent(): Promise<Rate> {
  return withWarmExecutor("cl_three_all", CLOACINA_CONCURRENCY, async (executor, wf, schema) => {
    const startedAt = Date.now();
    await Promise.all(Array.from({ length: CONCURRENT_WORKFLOWS }, () => executor.start(wf)));
    await waitUntilNoRunIsRunning(schema, DRAIN_TIMEOUT_MS);
    const tasks = (WARM_UP_WORKFLOWS + CONCURRENT_WORKFLOWS) * TASKS_PER_WORKFLOW;
    return rate(CONCURRENT_WORKFLOWS, (await lastRunFinishedAt(schema, tasks)) - startedAt);
  });
}
