import type { Generated, Kysely, Selectable } from "kysely";
import type { RunStatus, StoredError, TaskStatus } from "../types.js";
import type { EventTablesDatabase } from "./event-tables.js";
import type { AttemptRecord, RunFilter, RunRecord, RunSummary, ScheduleRecord, TaskRecord } from "./store.js";

/**
 * The data model every SQL backend stores, as kysely table types (one shape on every backend;
 * each backend's migrations create it with its own column types). Times are epoch milliseconds.
 */
export interface RunsTable {
  run_id: string;
  workflow_name: string;
  workflow_version: string;
  status: string;
  input: string;
  cancel_requested: number;
  /** Tasks not yet in a final status; the run finishes in the transaction that brings it to 0. */
  unfinished: number;
  /** Tasks that failed for good. */
  failed: number;
  created_at: number;
  finished_at: number | null;
  idempotency_key: string | null;
  error: string | null;
}

export interface TaskRunsTable {
  run_id: string;
  task_id: string;
  position: number;
  workflow_version: string;
  status: string;
  attempt: Generated<number>;
  max_attempts: number;
  recoveries: Generated<number>;
  pending_deps: number;
  /** Dependencies that ended Failed / Skipped, for the trigger rule. */
  failed_deps: Generated<number>;
  skipped_deps: Generated<number>;
  available_at: number;
  lease_owner: string | null;
  lease_expires_at: number | null;
  output: string | null;
  error: string | null;
  started_at: number | null;
  finished_at: number | null;
}

export interface TaskAttemptsTable {
  run_id: string;
  task_id: string;
  attempt: number;
  status: string;
  error: string;
  finished_at: number;
}

export interface SchedulesTable {
  id: string;
  workflow_name: string;
  cron: string;
  timezone: string;
  context: string;
  missed: string;
  catch_up_limit: number;
  paused: number;
  next_fire_at: number;
  last_fired_at: number | null;
  created_at: number;
}

export interface CloacinaDatabase extends EventTablesDatabase {
  cloacina_schedules: SchedulesTable;
  cloacina_runs: RunsTable;
  cloacina_task_runs: TaskRunsTable;
  cloacina_task_attempts: TaskAttemptsTable;
}

/** A task row as read back. */
export type TaskRunsRow = Selectable<TaskRunsTable>;

export function toRunRecord(row: Selectable<RunsTable>): RunRecord {
  return {
    runId: row.run_id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    input: row.input,
    cancelRequested: row.cancel_requested === 1,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    error: row.error === null ? null : (JSON.parse(row.error) as StoredError),
  };
}

export function toTaskRecord(row: TaskRunsRow): TaskRecord {
  return {
    taskId: row.task_id,
    status: row.status as TaskStatus,
    attempt: row.attempt,
    maxAttempts: row.max_attempts,
    recoveries: row.recoveries,
    output: row.output,
    error: row.error === null ? null : (JSON.parse(row.error) as StoredError),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
  };
}

export function toAttemptRecord(row: Selectable<TaskAttemptsTable>): AttemptRecord {
  return {
    taskId: row.task_id,
    attempt: row.attempt,
    status: row.status as AttemptRecord["status"],
    error: JSON.parse(row.error) as StoredError,
    finishedAt: row.finished_at,
  };
}

export function toRunSummary(
  row: Pick<RunsTable, "run_id" | "workflow_name" | "workflow_version" | "status" | "created_at" | "finished_at">,
): RunSummary {
  return {
    runId: row.run_id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/**
 * The one query behind `Store.listRuns`, written with kysely's builder so every SQL backend runs
 * the same statement (newest first, keyset pagination on the indexed (created_at, run_id)).
 */
export function listRunsQuery(db: Kysely<CloacinaDatabase>, filter: RunFilter) {
  let query = db
    .selectFrom("cloacina_runs")
    .select(["run_id", "workflow_name", "workflow_version", "status", "created_at", "finished_at"]);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.workflow !== undefined) query = query.where("workflow_name", "=", filter.workflow);
  if (filter.createdFrom !== undefined) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdTo !== undefined) query = query.where("created_at", "<", filter.createdTo);
  const after = filter.after;
  if (after !== undefined) {
    // A row-value comparison, so the index seeks straight to the page instead of filtering to it.
    query = query.where((eb) => eb(eb.refTuple("created_at", "run_id"), "<", eb.tuple(after.createdAt, after.runId)));
  }
  return query.orderBy("created_at", "desc").orderBy("run_id", "desc").limit(filter.limit);
}

/** The queries behind `Store.counts` (index-only: status indexes on runs, partial indexes on tasks). */
export async function countsQuery(
  db: Kysely<CloacinaDatabase>,
): Promise<{ runs: Record<RunStatus, number>; readyTasks: number; runningTasks: number }> {
  const runs: Record<RunStatus, number> = { Running: 0, Completed: 0, Failed: 0, Cancelled: 0 };
  const byStatus = await db
    .selectFrom("cloacina_runs")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .groupBy("status")
    .execute();
  for (const row of byStatus) if (row.status in runs) runs[row.status as RunStatus] = Number(row.n);
  const tasks = await db
    .selectFrom("cloacina_task_runs")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("status", "in", ["Ready", "Running"])
    .groupBy("status")
    .execute();
  const count = (status: string) => Number(tasks.find((t) => t.status === status)?.n ?? 0);
  return { runs, readyTasks: count("Ready"), runningTasks: count("Running") };
}

function toScheduleRecord(row: SchedulesTable): ScheduleRecord {
  return {
    id: row.id,
    workflowName: row.workflow_name,
    cron: row.cron,
    timezone: row.timezone,
    context: row.context,
    missed: row.missed as ScheduleRecord["missed"],
    catchUpLimit: row.catch_up_limit,
    paused: row.paused === 1,
    nextFireAt: row.next_fire_at,
    lastFiredAt: row.last_fired_at,
    createdAt: row.created_at,
  };
}

/**
 * The schedule half of the Store contract, in kysely's builder: the same statements on every
 * SQL backend (schedules change rarely; nothing here is on a hot path).
 */
export function scheduleStore(db: Kysely<CloacinaDatabase>) {
  const table = "cloacina_schedules" as const;
  return {
    async saveSchedule(s: ScheduleRecord): Promise<void> {
      const row: SchedulesTable = {
        id: s.id,
        workflow_name: s.workflowName,
        cron: s.cron,
        timezone: s.timezone,
        context: s.context,
        missed: s.missed,
        catch_up_limit: s.catchUpLimit,
        paused: s.paused ? 1 : 0,
        next_fire_at: s.nextFireAt,
        last_fired_at: s.lastFiredAt,
        created_at: s.createdAt,
      };
      const { id: _id, created_at: _created, last_fired_at: _last, ...update } = row;
      await db
        .insertInto(table)
        .values(row)
        .onConflict((oc) => oc.column("id").doUpdateSet(update))
        .execute();
    },
    async getSchedule(id: string): Promise<ScheduleRecord | undefined> {
      const row = await db.selectFrom(table).selectAll().where("id", "=", id).executeTakeFirst();
      return row && toScheduleRecord(row);
    },
    async listSchedules(): Promise<ScheduleRecord[]> {
      return (await db.selectFrom(table).selectAll().orderBy("id").execute()).map(toScheduleRecord);
    },
    async removeSchedule(id: string): Promise<boolean> {
      const result = await db.deleteFrom(table).where("id", "=", id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async dueSchedules(now: number, names: readonly string[]): Promise<ScheduleRecord[]> {
      if (names.length === 0) return [];
      const rows = await db
        .selectFrom(table)
        .selectAll()
        .where("paused", "=", 0)
        .where("next_fire_at", "<=", now)
        .where("workflow_name", "in", [...names])
        .orderBy("next_fire_at")
        .execute();
      return rows.map(toScheduleRecord);
    },
    async nextScheduleAt(names: readonly string[]): Promise<number | null> {
      if (names.length === 0) return null;
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.min("next_fire_at").as("at"))
        .where("paused", "=", 0)
        .where("workflow_name", "in", [...names])
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
    async advanceSchedule(id: string, expected: number, next: number, lastFiredAt: number | null): Promise<boolean> {
      const result = await db
        .updateTable(table)
        .set({ next_fire_at: next, last_fired_at: lastFiredAt })
        .where("id", "=", id)
        .where("next_fire_at", "=", expected)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async setSchedulePaused(id: string, paused: boolean, next: number): Promise<boolean> {
      const result = await db
        .updateTable(table)
        .set({ paused: paused ? 1 : 0, next_fire_at: next })
        .where("id", "=", id)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

/** The schedule methods of a Store, as `scheduleStore` builds them. */
export type ScheduleStore = ReturnType<typeof scheduleStore>;
