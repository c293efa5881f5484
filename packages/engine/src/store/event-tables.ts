/**
 * The event log and workflow-version tables (the second migration of every SQL backend). Their
 * DDL is the backend's (PostgreSQL orders events by transaction id, SQLite by row id); the row
 * shapes and the statements that are the same everywhere live here.
 */
import type { Generated } from "kysely";
import type { EventRecord, NewEvent } from "./records.js";

export interface EventsTable {
  id: Generated<number>;
  run_id: string;
  task_id: string | null;
  type: string;
  attempt: number | null;
  at: number;
  /** JSON: error, retryAt, workflow, recovered. */
  data: string | null;
}

export interface WorkflowsTable {
  version: string;
  name: string;
  /** JSON: task id → its dependencies, in topological order. */
  tasks: string;
  created_at: number;
}

export interface EventTablesDatabase {
  cloacina_events: EventsTable;
  cloacina_workflows: WorkflowsTable;
}

/** An event row, with its log position (`major-minor`) already formatted by the backend. */
export function toEventRecord(row: Omit<EventsTable, "id"> & { seq: string }): EventRecord {
  return {
    seq: row.seq,
    runId: row.run_id,
    taskId: row.task_id,
    type: row.type as EventRecord["type"],
    attempt: row.attempt,
    at: Number(row.at),
    data: row.data,
  };
}

/** Columns of new events, for bulk inserts. */
export function eventColumns(events: readonly NewEvent[]) {
  return {
    runIds: events.map((e) => e.runId),
    taskIds: events.map((e) => e.taskId),
    types: events.map((e) => e.type),
    attempts: events.map((e) => e.attempt),
    ats: events.map((e) => e.at),
    data: events.map((e) => e.data),
  };
}
