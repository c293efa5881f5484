/**
 * The event log and workflow-version tables (the second migration of every SQL backend). Their
 * DDL is the backend's (PostgreSQL orders events by transaction id, SQLite by row id); the row
 * shapes and the statements that are the same everywhere live here.
 */
import type { Generated, Kysely } from "kysely";
import type { EventRecord, NewEvent, WorkflowVersionRecord } from "./store.js";

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

/**
 * Workflow versions (written once per version, read by tools that draw a run's DAG), and pruning
 * of old events.
 */
export function workflowStore<DB extends EventTablesDatabase>(db: Kysely<DB>) {
  // Typed on the two tables it uses, whatever database type the backend has.
  const d = db as unknown as Kysely<EventTablesDatabase>;
  return {
    async saveWorkflowVersion(record: WorkflowVersionRecord): Promise<void> {
      await d
        .insertInto("cloacina_workflows")
        .values({
          version: record.version,
          name: record.name,
          tasks: JSON.stringify(record.tasks),
          created_at: record.createdAt,
        })
        .onConflict((oc) => oc.column("version").doNothing())
        .execute();
    },
    async pruneEvents(before: number): Promise<number> {
      // The newest event stays: SQLite would otherwise hand its row id out again.
      const result = await d
        .deleteFrom("cloacina_events")
        .where("at", "<", before)
        .where("id", "<", (eb) => eb.selectFrom("cloacina_events").select((e) => e.fn.max("id").as("id")))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async getWorkflowVersion(version: string): Promise<WorkflowVersionRecord | undefined> {
      const row = await d
        .selectFrom("cloacina_workflows")
        .selectAll()
        .where("version", "=", version)
        .executeTakeFirst();
      return (
        row && {
          version: row.version,
          name: row.name,
          tasks: JSON.parse(row.tasks) as WorkflowVersionRecord["tasks"],
          createdAt: Number(row.created_at),
        }
      );
    },
  };
}

export type WorkflowStore = ReturnType<typeof workflowStore<EventTablesDatabase>>;
