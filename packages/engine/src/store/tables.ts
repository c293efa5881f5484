import type { Generated, Selectable } from "kysely";

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

export interface CloacinaDatabase {
  cloacina_runs: RunsTable;
  cloacina_task_runs: TaskRunsTable;
  cloacina_task_attempts: TaskAttemptsTable;
}

/** A task row as read back. */
export type TaskRunsRow = Selectable<TaskRunsTable>;
