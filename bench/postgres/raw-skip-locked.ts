import { migrate } from "@cloacina/backend-postgres";
import pg from "pg";
import { rate, type Rate } from "../measure.js";
import { quoteIdent, SERVER_URL, schemaUrl, withClient, withSchema } from "./server.js";
import { JOBS } from "./workflows.js";

/** What the engine stores as the output of a task that returned `{}`. */
const EMPTY_OUTPUT = "v1:[{}]";
const VERSION = "raw";
const LEASE_MS = 30_000;

export interface RawVariant {
  connections: number;
  /** Tasks claimed per claim statement (then completed by one statement). */
  batch: number;
  /** Tasks claimed and completed before the clock stops (of the 20,000 seeded). */
  tasks: number;
  /** Whether the table is ANALYZEd after seeding (see measureRawVariant). */
  statistics: boolean;
}

/**
 * One at a time costs two commits per task (about 1 ms here), so those variants stop after
 * 5,000 of the 20,000 rows: the rate is flat over the drain, and the run stays short. The last
 * variant claims like the engine at its concurrency of 256, on a table without statistics.
 */
export const RAW_VARIANTS: readonly RawVariant[] = [
  { connections: 1, batch: 1, tasks: 5_000, statistics: true },
  { connections: 1, batch: 50, tasks: JOBS, statistics: true },
  { connections: 4, batch: 1, tasks: 5_000, statistics: true },
  { connections: 4, batch: 50, tasks: JOBS, statistics: true },
  { connections: 1, batch: 256, tasks: JOBS, statistics: false },
];

/**
 * The engine's claim (Ready, due, of the registered versions, oldest first, SKIP LOCKED) and
 * its completion of the claimed rows, as two autocommit prepared statements: no task function,
 * no context, no run bookkeeping, no notices. The floor under what the engine does per task.
 */
function statements(schema: string, batch: number) {
  const table = `${quoteIdent(schema)}.cloacina_task_runs`;
  return {
    claim: `update ${table} set status = 'Running', attempt = attempt + 1, lease_owner = $1,
              lease_expires_at = $2, started_at = coalesce(started_at, $3)
            where (run_id, task_id) in (
              select run_id, task_id from ${table}
              where status = 'Ready' and available_at <= $3 and workflow_version = any($4::text[])
              order by available_at, run_id, task_id
              limit ${batch}
              for update skip locked)
            returning run_id, task_id`,
    complete: `update ${table} set status = 'Completed', output = $1, error = null, finished_at = $2,
                 lease_owner = null, lease_expires_at = null
               where (run_id, task_id) in (select * from unnest($3::text[], $4::text[]))
                 and status = 'Running' and lease_owner = $5`,
  };
}

/** Shared by the loops of one variant: how many tasks are still to be claimed. */
interface Budget {
  left: number;
}

/** One connection's loop: claim up to `batch`, complete them, until the budget is spent. */
async function drainLoop(
  client: pg.Client,
  schema: string,
  batch: number,
  owner: string,
  budget: Budget,
): Promise<number> {
  const sql = statements(schema, batch);
  let done = 0;
  while (budget.left > 0) {
    budget.left -= batch;
    const now = Date.now();
    const claimed = await client.query<{ run_id: string; task_id: string }>({
      name: `raw-claim-${batch}`,
      text: sql.claim,
      values: [owner, now + LEASE_MS, now, [VERSION]],
    });
    if (claimed.rows.length === 0) break;
    const completed = await client.query({
      name: "raw-complete",
      text: sql.complete,
      values: [EMPTY_OUTPUT, Date.now(), claimed.rows.map((r) => r.run_id), claimed.rows.map((r) => r.task_id), owner],
    });
    if (completed.rowCount !== claimed.rows.length) throw new Error("raw complete lost rows it had claimed");
    done += claimed.rows.length;
  }
  return done;
}

/**
 * The engine's own `cloacina_task_runs` table, created by its migration (as for any tenant:
 * same columns, same indexes) in a fresh schema, seeded with 20,000 Ready rows of one run.
 * With `statistics`, ANALYZE runs after seeding: without it the planner knows nothing of the
 * 20,000 rows (autovacuum would analyze the table only later, if it is on at all) and every
 * claim sorts all Ready rows, which at one task per claim would take many minutes.
 */
export async function measureRawVariant({ connections, batch, tasks, statistics }: RawVariant): Promise<Rate> {
  return withSchema("raw", async (schema) => {
    await migrate(schemaUrl(schema));
    await withClient(async (client) => {
      await client.query(
        `insert into ${quoteIdent(schema)}.cloacina_task_runs
           (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at)
         select 'raw-run', 't' || i, i, $1, 'Ready', 1, 0, $2 from generate_series(0, $3 - 1) as i`,
        [VERSION, Date.now(), JOBS],
      );
      if (statistics) await client.query(`analyze ${quoteIdent(schema)}.cloacina_task_runs`);
    });
    const clients = Array.from({ length: connections }, () => new pg.Client({ connectionString: SERVER_URL }));
    try {
      await Promise.all(clients.map((c) => c.connect()));
      const budget: Budget = { left: tasks };
      const started = performance.now();
      const counts = await Promise.all(clients.map((c, i) => drainLoop(c, schema, batch, `raw-${i}`, budget)));
      const ms = performance.now() - started;
      const done = counts.reduce((a, b) => a + b, 0);
      if (done < tasks) throw new Error(`raw loops completed ${done} of ${tasks} tasks`);
      return rate(done, ms);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
    }
  });
}
