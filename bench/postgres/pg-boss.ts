import { redactUrls } from "@cloacina/engine";
import PgBoss from "pg-boss";
import { measurePeerDrain, JobCounter, type PeerDrain } from "./peer-drain.js";
import { quoteIdent, SERVER_URL, withSchema } from "./server.js";
import { JOBS } from "./workflows.js";

export type PgBossSettings = "default" | "batch";

const QUEUE = "noop";

/**
 * Batch fetching as pg-boss 10 documents it for work(): `batchSize` jobs per fetch, handed to
 * the handler as one array, completed together. 500, as graphile-worker's local queue above;
 * the poll interval at its allowed minimum (0.5 s, default 2 s), since pg-boss 10 waits out the
 * interval after every fetch, even one that returned jobs.
 */
export const PG_BOSS_BATCH: PgBoss.WorkOptions = { batchSize: 500, pollingIntervalSeconds: 0.5 };

/**
 * 20,000 no-op jobs inserted with one insert() call, until the last is completed. pg-boss runs
 * on its own schema (created by start(), dropped afterwards); besides the work options, only the
 * connection and schema are set: maintenance and scheduling keep their defaults.
 */
export async function measurePgBoss(settings: PgBossSettings, capMs: number): Promise<PeerDrain> {
  return withSchema(`pgboss_${settings}`, async (schema) => {
    const boss = new PgBoss({ connectionString: SERVER_URL, schema });
    boss.on("error", (error) => console.error(redactUrls(`[pg-boss] ${String(error)}`)));
    await boss.start();
    try {
      await boss.createQueue(QUEUE);
      const counter = new JobCounter();
      // The handler gets a batch (of one by default); pg-boss completes it when the handler returns.
      await boss.work(QUEUE, settings === "batch" ? PG_BOSS_BATCH : {}, async (jobs) => counter.done(jobs.length));
      return await measurePeerDrain({
        counter,
        capMs,
        enqueue: () => boss.insert(Array.from({ length: JOBS }, () => ({ name: QUEUE, data: {} }))),
        storedCompleted: async (client) => {
          const { rows } = await client.query<{ n: number }>(
            `select count(*)::int as n from ${quoteIdent(schema)}.job where name = $1 and state = 'completed'`,
            [QUEUE],
          );
          return rows[0]?.n ?? 0;
        },
      });
    } finally {
      // Not graceful: when the cap cut the drain short, jobs still queued need not be waited for.
      await boss.stop({ graceful: false, wait: true });
    }
  });
}
