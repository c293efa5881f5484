import { redactUrls } from "@cloacina/engine";
import { Logger, makeWorkerUtils, run, type TaskList, type WorkerEvents, type WorkerUtils } from "graphile-worker";
import { measurePeerDrain, JobCounter, type PeerDrain } from "./peer-drain.js";
import { quoteIdent, SERVER_URL, withSchema } from "./server.js";
import { JOBS } from "./workflows.js";

export type GraphileSettings = "default" | "highThroughput";

/**
 * The configuration of graphile-worker's "Quick stats" on its performance page
 * (worker.graphile.org/docs/performance; options checked in the installed version's
 * index.d.ts): 24 concurrent jobs, a pool of 25, a local queue of 500 jobs locked per fetch,
 * completions and failures batched.
 */
export const GRAPHILE_HIGH_THROUGHPUT = {
  concurrentJobs: 24,
  maxPoolSize: 25,
  localQueue: { size: 500 },
  completeJobBatchDelay: 0,
  failJobBatchDelay: 0,
} as const;

/** Only errors are printed (redacted): its info lines would mix with the benchmark's output. */
const logger = new Logger(() => (level, message) => {
  if (String(level) === "error") console.error(redactUrls(`[graphile-worker] ${message}`));
});

export interface GraphileHandle {
  /** To add jobs. */
  utils: WorkerUtils;
  /** The runner's events (job:complete...). */
  events: WorkerEvents;
  schema: string;
}

/**
 * Runs `use` while a graphile-worker runner works on its own schema (created by its migrations
 * on start, dropped afterwards). Besides the settings, only what any embedding sets: where the
 * database is, the task list, the logger, and no signal handlers of its own.
 */
export async function withGraphile<T>(
  settings: GraphileSettings,
  taskList: TaskList,
  use: (graphile: GraphileHandle) => Promise<T>,
): Promise<T> {
  return withSchema(`gw_${settings === "default" ? "def" : "fast"}`, async (schema) => {
    const runner = await run({
      connectionString: SERVER_URL,
      schema,
      taskList,
      logger,
      noHandleSignals: true,
      ...(settings === "highThroughput" ? { preset: { worker: GRAPHILE_HIGH_THROUGHPUT } } : {}),
    });
    const utils = await makeWorkerUtils({ connectionString: SERVER_URL, schema, logger });
    try {
      return await use({ utils, events: runner.events, schema });
    } finally {
      await utils.release();
      await runner.stop();
    }
  });
}

/** 20,000 no-op jobs added with one addJobs call, single process, until the last is completed. */
export async function measureGraphile(settings: GraphileSettings, capMs: number): Promise<PeerDrain> {
  const counter = new JobCounter();
  const taskList: TaskList = {
    noop: async () => {
      counter.done();
    },
  };
  return withGraphile(settings, taskList, ({ utils, schema }) =>
    measurePeerDrain({
      counter,
      capMs,
      enqueue: async () => {
        await utils.addJobs(Array.from({ length: JOBS }, () => ({ identifier: "noop", payload: {} })));
      },
      // A completed job is deleted: completed = enqueued - left.
      storedCompleted: async (client) => {
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from ${quoteIdent(schema)}._private_jobs`,
        );
        return JOBS - (rows[0]?.n ?? JOBS);
      },
    }),
  );
}
