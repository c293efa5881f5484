import type { Generated, Kysely, Selectable } from "kysely";
import type { RunStatus, StoredError, TaskStatus } from "../types.js";
import type { EventTablesDatabase } from "./event-tables.js";
import type { AttemptRecord, RunRecord, RunSummary, ScheduleRecord, TaskRecord } from "./records.js";

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

/**
 * Creates the tables and indexes (the first migration of every SQL backend), in `schema` when
 * given. `time` is the column type for epoch-ms times: SQLite's "integer" is 64-bit already,
 * PostgreSQL needs "bigint". Takes the backend's kysely instance, so the engine imports no
 * driver (nor kysely itself at run time).
 */
export async function createTables(db: Kysely<any>, time: "integer" | "bigint", schema?: string): Promise<void> {
  const s = schema === undefined ? db.schema : db.schema.withSchema(schema);
  // kysely types a partial index's WHERE over the indexed columns only; `status` is another column.
  const status = "status" as never;
  await s
    .createTable("cloacina_runs")
    .addColumn("run_id", "text", (c) => c.primaryKey())
    .addColumn("workflow_name", "text", (c) => c.notNull())
    .addColumn("workflow_version", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("input", "text", (c) => c.notNull())
    .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unfinished", "integer", (c) => c.notNull())
    .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("finished_at", time)
    .addColumn("idempotency_key", "text")
    .addColumn("error", "text")
    .execute();
  await s
    .createIndex("cloacina_runs_idempotency_key")
    .on("cloacina_runs")
    .column("idempotency_key")
    .unique()
    .where("idempotency_key" as never, "is not", null)
    .execute();
  await s
    .createIndex("cloacina_runs_unfinished")
    .on("cloacina_runs")
    .column("created_at")
    .where(status, "=", "Running")
    .execute();
  // Listing runs, newest first, optionally by status or workflow: keyset pagination on these.
  await s.createIndex("cloacina_runs_created").on("cloacina_runs").columns(["created_at", "run_id"]).execute();
  await s
    .createIndex("cloacina_runs_status_created")
    .on("cloacina_runs")
    .columns(["status", "created_at", "run_id"])
    .execute();
  await s
    .createIndex("cloacina_runs_workflow_created")
    .on("cloacina_runs")
    .columns(["workflow_name", "created_at", "run_id"])
    .execute();
  await s
    .createTable("cloacina_task_runs")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("task_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("workflow_version", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_attempts", "integer", (c) => c.notNull())
    .addColumn("recoveries", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pending_deps", "integer", (c) => c.notNull())
    .addColumn("failed_deps", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("skipped_deps", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("available_at", time, (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", time)
    .addColumn("output", "text")
    .addColumn("error", "text")
    .addColumn("started_at", time)
    .addColumn("finished_at", time)
    .addPrimaryKeyConstraint("cloacina_task_runs_pk", ["run_id", "task_id"])
    .execute();
  // Claims scan only Ready rows, oldest first.
  await s
    .createIndex("cloacina_task_runs_ready")
    .on("cloacina_task_runs")
    .columns(["available_at", "run_id", "task_id"])
    .where(status, "=", "Ready")
    .execute();
  // Lease renewal and recovery look only at Running rows.
  await s
    .createIndex("cloacina_task_runs_running")
    .on("cloacina_task_runs")
    .columns(["lease_owner", "lease_expires_at"])
    .where(status, "=", "Running")
    .execute();
  await s
    .createTable("cloacina_schedules")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("workflow_name", "text", (c) => c.notNull())
    .addColumn("cron", "text", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("context", "text", (c) => c.notNull())
    .addColumn("missed", "text", (c) => c.notNull())
    .addColumn("catch_up_limit", "integer", (c) => c.notNull())
    .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_fire_at", time, (c) => c.notNull())
    .addColumn("last_fired_at", time)
    .addColumn("created_at", time, (c) => c.notNull())
    .execute();
  await s
    .createTable("cloacina_task_attempts")
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("task_id", "text", (c) => c.notNull())
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("error", "text", (c) => c.notNull())
    .addColumn("finished_at", time, (c) => c.notNull())
    .addPrimaryKeyConstraint("cloacina_task_attempts_pk", ["run_id", "task_id", "attempt"])
    .execute();
}

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

export function toScheduleRecord(row: SchedulesTable): ScheduleRecord {
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
