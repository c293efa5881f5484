/**
 * "Cost must not grow with history": a sequential chain's cost per task on an empty database,
 * then again once HISTORY_RUNS finished one-task runs are stored, with no ANALYZE in between
 * (a production database keeps its finished runs; autovacuum may not have gathered statistics
 * yet). Both backends; the goal is a ratio of at most HISTORY_GOAL.
 *
 * The history is written with bulk SQL, but with the row churn the engine leaves: each run is
 * inserted Running with its task Ready, the task then goes Running and Completed, the run
 * Completed, and the run has the engine's five events (run.started, task.ready, task.started,
 * task.completed, run.completed). On PostgreSQL every one of those updates leaves a dead row
 * version and dead index entries (the Ready task's entry in the ready-queue index among them),
 * as 100,000 runs through the engine would, until VACUUM.
 */
import { createExecutor as createPgExecutor } from "@cloacina/backend-postgres";
import { createExecutor as createSqliteExecutor } from "@cloacina/backend-sqlite";
import { type Executor, resetRegistry } from "@cloacina/engine";
import Database from "better-sqlite3";
import { performance } from "node:perf_hooks";
import { executeOrThrow, sqliteUrl } from "./engine-sqlite.js";
import { median } from "./measure.js";
import { quoteIdent, schemaUrl, withClient, withSchema } from "./postgres/server.js";
import { type Chain, sequentialChain, singleTask } from "./workflows.js";

export const HISTORY_RUNS = 100_000;
export const HISTORY_CHAIN = 100;
/** The goal: per-task cost with the history stored, at most this times the empty one. */
export const HISTORY_GOAL = 1.2;
const WARM_UP_RUNS = 1;
const RUNS = 5;

export interface HistoryResult {
  /** Median chain run ÷ its length, on the empty database. */
  emptyMsPerTask: number;
  /** The same once HISTORY_RUNS finished runs are stored. */
  storedMsPerTask: number;
  /** Whether statistics existed when the stored figure was measured (they should not). */
  analyzed: boolean;
}

const ONE_TASK = "bench.history.single";

async function chainMsPerTask(executor: Executor, chain: Chain): Promise<number> {
  for (let i = 0; i < WARM_UP_RUNS; i++) await executeOrThrow(executor, chain.workflow);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await executeOrThrow(executor, chain.workflow);
    times.push(performance.now() - start);
  }
  return median(times) / HISTORY_CHAIN;
}

/** The chain and a one-task workflow (run once, so its version is stored like a real one's). */
function defineWorkflows(): { chain: Chain; single: ReturnType<typeof singleTask> } {
  resetRegistry();
  return { chain: sequentialChain("bench.history.chain", HISTORY_CHAIN), single: singleTask(ONE_TASK) };
}

export async function measurePostgresHistory(runs = HISTORY_RUNS): Promise<HistoryResult> {
  const { chain, single } = defineWorkflows();
  return withSchema("history", async (schema) => {
    const executor = await createPgExecutor(schemaUrl(schema));
    try {
      await executeOrThrow(executor, single);
      const emptyMsPerTask = await chainMsPerTask(executor, chain);
      const analyzed = await withClient(async (client) => {
        await seedPostgres(client, schema, runs);
        const { rows } = await client.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_user_tables
           where schemaname = $1 and (last_analyze is not null or last_autoanalyze is not null)`,
          [schema],
        );
        return (rows[0]?.n ?? 0) > 0;
      });
      const storedMsPerTask = await chainMsPerTask(executor, chain);
      return { emptyMsPerTask, storedMsPerTask, analyzed };
    } finally {
      await executor.close();
    }
  });
}

type PgClient = Parameters<Parameters<typeof withClient>[0]>[0];

export async function seedPostgres(client: PgClient, schema: string, runs: number): Promise<void> {
  const s = quoteIdent(schema);
  const { rows } = await client.query<{ version: string }>(
    `select workflow_version as version from ${s}.cloacina_runs where workflow_name = $1 limit 1`,
    [ONE_TASK],
  );
  const version = rows[0]!.version;
  const t0 = Date.now() - runs * 10;
  const id = `'history-' || lpad(i::text, 7, '0')`;
  const history = `run_id like 'history-%'`;
  await client.query("begin");
  await client.query(
    `insert into ${s}.cloacina_runs (run_id, workflow_name, workflow_version, status, input, unfinished, created_at)
     select ${id}, $1, $2, 'Running', '{}', 1, $3::int8 + i * 10 from generate_series(1, $4::int) i`,
    [ONE_TASK, version, t0, runs],
  );
  await client.query(
    `insert into ${s}.cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at)
     select ${id}, $1, 0, $2, 'Ready', 1, 0, $3::int8 + i * 10 from generate_series(1, $4::int) i`,
    [`${ONE_TASK}.only`, version, t0, runs],
  );
  await client.query("commit");
  // Claimed, then completed: each a transaction of its own, as in the engine.
  await client.query(
    `update ${s}.cloacina_task_runs set status = 'Running', attempt = 1, lease_owner = 'history',
       lease_expires_at = available_at + 30000, started_at = available_at where ${history}`,
  );
  await client.query(
    `update ${s}.cloacina_task_runs set status = 'Completed', output = '{}', finished_at = available_at + 2,
       lease_owner = null, lease_expires_at = null where ${history}`,
  );
  await client.query(
    `update ${s}.cloacina_runs set unfinished = 0, status = 'Completed', finished_at = created_at + 2 where ${history}`,
  );
  await client.query(
    `insert into ${s}.cloacina_events (run_id, task_id, type, attempt, at, data)
     select ${id}, case when e.task then $1 end, e.type, e.attempt, $2::int8 + i * 10 + e.dt, e.data
     from generate_series(1, $3::int) i,
          (values ('run.started', false, null::int, 0, $4), ('task.ready', true, null, 0, null),
                  ('task.started', true, 1, 1, null), ('task.completed', true, 1, 2, null),
                  ('run.completed', false, null, 2, null)) as e(type, task, attempt, dt, data)`,
    [`${ONE_TASK}.only`, t0, runs, JSON.stringify({ workflow: ONE_TASK })],
  );
  // The seeding wrote a few hundred MB of WAL: flush it now rather than in a checkpoint during the
  // measurement (needs a superuser or pg_checkpoint; without it, the figure is only noisier).
  await client.query("checkpoint").catch(() => {});
}

export async function measureSqliteHistory(file: string, runs = HISTORY_RUNS): Promise<HistoryResult> {
  const { chain, single } = defineWorkflows();
  const executor = await createSqliteExecutor(sqliteUrl(file));
  try {
    await executeOrThrow(executor, single);
    const emptyMsPerTask = await chainMsPerTask(executor, chain);
    const db = new Database(file);
    let analyzed: boolean;
    try {
      db.pragma("busy_timeout = 5000");
      seedSqlite(db, runs);
      analyzed = db.prepare("select 1 from sqlite_master where name = 'sqlite_stat1'").get() !== undefined;
    } finally {
      db.close();
    }
    const storedMsPerTask = await chainMsPerTask(executor, chain);
    return { emptyMsPerTask, storedMsPerTask, analyzed };
  } finally {
    await executor.close();
  }
}

function seedSqlite(db: Database.Database, runs: number): void {
  const { version } = db
    .prepare("select workflow_version as version from cloacina_runs where workflow_name = ? limit 1")
    .get(ONE_TASK) as { version: string };
  const t0 = Date.now() - runs * 10;
  const series = `with recursive s(i) as (select 1 union all select i + 1 from s where i < ${runs})`;
  const id = `'history-' || substr('000000' || i, -7)`;
  db.transaction(() => {
    db.prepare(
      `insert into cloacina_runs (run_id, workflow_name, workflow_version, status, input, unfinished, failed,
         cancel_requested, created_at, finished_at)
       ${series} select ${id}, ?, ?, 'Completed', '{}', 0, 0, 0, ? + i * 10, ? + i * 10 + 2 from s`,
    ).run(ONE_TASK, version, t0, t0);
    db.prepare(
      `insert into cloacina_task_runs (run_id, task_id, position, workflow_version, status, attempt, max_attempts,
         pending_deps, available_at, output, started_at, finished_at)
       ${series} select ${id}, ?, 0, ?, 'Completed', 1, 1, 0, ? + i * 10, '{}', ? + i * 10, ? + i * 10 + 2 from s`,
    ).run(`${ONE_TASK}.only`, version, t0, t0, t0);
    db.prepare(
      `insert into cloacina_events (run_id, task_id, type, attempt, at, data)
       ${series} select ${id}, case when e.task then ? end, e.type, e.attempt, ? + i * 10 + e.dt, e.data
       from s, (select 'run.started' as type, 0 as task, null as attempt, 0 as dt, ? as data
                union all select 'task.ready', 1, null, 0, null union all select 'task.started', 1, 1, 1, null
                union all select 'task.completed', 1, 1, 2, null union all select 'run.completed', 0, null, 2, null) e
       order by i`,
    ).run(`${ONE_TASK}.only`, t0, JSON.stringify({ workflow: ONE_TASK }));
  })();
}
