import { createExecutor } from "@cloacina/backend-postgres";
import type { Executor, Workflow } from "@cloacina/engine";
import { rate, type Rate } from "../measure.js";
import { lastRunFinishedAt, waitUntilNoRunIsRunning } from "./run-clock.js";
import { schemaUrl, withSchema } from "./server.js";
import { withWorkers } from "./workers.js";
import { defineWorkflow, JOBS, type Shape } from "./workflows.js";

/** Per process, for every Cloacina throughput figure: the SQLite part's "wide" setting. */
export const CLOACINA_CONCURRENCY = 256;
export const WORKER_PROCESSES = 4;
/** Far past any plausible figure: fail rather than hang the run. */
const DRAIN_TIMEOUT_MS = 120_000;

/**
 * Submits the 20,000 tasks (one wide run, or 20,000 one-task runs) and waits for the last to
 * finish. Returns Date.now() at the first submission. The wide run's handle.result() is woken
 * by whichever process finishes it (by NOTIFY when that is a worker); the one-task runs are
 * watched with a light count instead (see run-clock.ts).
 */
async function submitAndWait(executor: Executor, schema: string, wf: Workflow, shape: Shape): Promise<number> {
  const startedAt = Date.now();
  if (shape === "wide") {
    await (await executor.start(wf)).result();
  } else {
    // All at once: the executor groups concurrent submissions into shared transactions.
    await Promise.all(Array.from({ length: JOBS }, () => executor.start(wf)));
    await waitUntilNoRunIsRunning(schema, DRAIN_TIMEOUT_MS);
  }
  return startedAt;
}

/** Tasks per second from the first submission to the stored finish of the last run. */
async function drained(schema: string, startedAt: number): Promise<Rate> {
  return rate(JOBS, (await lastRunFinishedAt(schema, JOBS)) - startedAt);
}

/** One process submits and runs everything. */
export async function measureOneProcess(shape: Shape): Promise<Rate> {
  const wf = defineWorkflow(shape);
  return withSchema(`cl_${shape}_1`, async (schema) => {
    const executor = await createExecutor(schemaUrl(schema), { concurrency: CLOACINA_CONCURRENCY });
    try {
      return await drained(schema, await submitAndWait(executor, schema, wf, shape));
    } finally {
      await executor.close();
    }
  });
}

/** A submit-only client (runTasks: false) while 4 worker processes run everything. */
export async function measureWorkers(shape: Shape): Promise<Rate> {
  const wf = defineWorkflow(shape);
  return withSchema(`cl_${shape}_${WORKER_PROCESSES}`, async (schema) => {
    const url = schemaUrl(schema);
    // The client opens first, so the schema is migrated before the workers open on it.
    const client = await createExecutor(url, { runTasks: false });
    try {
      const workers = { url, shape, concurrency: CLOACINA_CONCURRENCY };
      return await withWorkers(WORKER_PROCESSES, workers, async () =>
        drained(schema, await submitAndWait(client, schema, wf, shape)),
      );
    } finally {
      await client.close();
    }
  });
}
