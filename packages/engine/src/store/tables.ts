import type { Generated, Selectable } from "kysely";
import { childWaitState } from "../map/specs.js";
import type { WaitKind } from "../events/event.js";
import type { RunStatus, StoredError, TaskStatus } from "../types.js";
import type { EventTablesDatabase } from "./event-tables.js";
import type { AttemptRecord, InstanceRecord, RunRecord, RunSummary, ScheduleRecord, TaskRecord } from "./records.js";

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
  /** When the run fails with RUN_TIMEOUT if still unfinished (epoch ms). */
  deadline: number | null;
  /** A child run: the run, and the task row, that started it. */
  parent_run_id: string | null;
  parent_task_id: string | null;
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
  /** While Waiting (and once woken): what the task waits for. */
  wait_kind: string | null;
  /** When a Waiting task wakes; null: only a signal wakes it. */
  wake_at: number | null;
  /** A delivered signal's payload, or the state passed to the next call (encoded). */
  wait_state: string | null;
  /** How many times the task asked to be called again. */
  calls: Generated<number>;
  /** An instance row of a mapped task: that task's id (null on every other row). */
  instance_of: string | null;
  /** An instance's index in the array mapped over. */
  instance_index: number | null;
  /** An instance's element (encoded). */
  element: string | null;
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

export interface SignalsTable {
  run_id: string;
  task_id: string;
  key: string;
  payload: string;
  created_at: number;
}

export interface CloacinaDatabase extends EventTablesDatabase {
  cloacina_signals: SignalsTable;
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
    parent:
      row.parent_run_id === null || row.parent_task_id === null
        ? null
        : { runId: row.parent_run_id, taskId: row.parent_task_id },
  };
}

/** The child run a task row started: kept as its wait state, after the wait too. */
function childRunOf(row: Pick<TaskRunsRow, "wait_kind" | "wait_state">): string | null {
  return row.wait_kind === "child" ? (childWaitState(row.wait_state)?.run ?? null) : null;
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
    waiting:
      row.status === "Waiting" && row.wait_kind !== null
        ? { for: row.wait_kind as WaitKind, until: row.wake_at }
        : null,
    calls: row.calls,
    instance:
      row.instance_of === null || row.instance_index === null
        ? null
        : { of: row.instance_of, index: row.instance_index },
    childRunId: childRunOf(row),
  };
}

export function toInstanceRecord(
  row: Pick<
    TaskRunsRow,
    | "instance_index"
    | "status"
    | "attempt"
    | "output"
    | "error"
    | "started_at"
    | "finished_at"
    | "wait_kind"
    | "wait_state"
  >,
): InstanceRecord {
  return {
    index: row.instance_index ?? 0,
    status: row.status as TaskStatus,
    attempt: row.attempt,
    output: row.output,
    error: row.error === null ? null : (JSON.parse(row.error) as StoredError),
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    childRunId: childRunOf(row),
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
  row: Pick<
    RunsTable,
    "run_id" | "workflow_name" | "workflow_version" | "status" | "created_at" | "finished_at" | "parent_run_id"
  >,
): RunSummary {
  return {
    runId: row.run_id,
    workflowName: row.workflow_name,
    workflowVersion: row.workflow_version,
    status: row.status as RunStatus,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    parentRunId: row.parent_run_id,
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
