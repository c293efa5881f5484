/**
 * Plan operations whose SQL is the same on every SQL backend, written once with kysely's
 * builder. A backend's runner executes the compiled query its own way (better-sqlite3
 * synchronously inside its transaction, a pool client asynchronously) and hands the result to
 * `result`. None of these is on a hot path.
 */
import type { Compilable, Kysely, QueryResult } from "kysely";
import type { StoreOps } from "./plan.js";
import type { CloacinaDatabase, SchedulesTable } from "./tables.js";

export type SharedOpName =
  | "renewLeases"
  | "saveSchedule"
  | "removeSchedule"
  | "advanceSchedule"
  | "setSchedulePaused"
  | "saveWorkflowVersion"
  | "pruneEvents";

export interface SqlOp<K extends SharedOpName> {
  query(db: Kysely<CloacinaDatabase>, args: StoreOps[K]["args"]): Compilable;
  result(result: QueryResult<unknown>): StoreOps[K]["result"];
}

const affected = (r: QueryResult<unknown>) => Number(r.numAffectedRows ?? 0n) > 0;

export const sharedSqlOps: { readonly [K in SharedOpName]: SqlOp<K> } = {
  renewLeases: {
    query: (db, { owner, expiresAt }) =>
      db
        .updateTable("cloacina_task_runs")
        .set({ lease_expires_at: expiresAt })
        .where("status", "=", "Running")
        .where("lease_owner", "=", owner),
    result: () => undefined,
  },
  saveSchedule: {
    query: (db, { schedule: s }) => {
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
      return db
        .insertInto("cloacina_schedules")
        .values(row)
        .onConflict((oc) => oc.column("id").doUpdateSet(update));
    },
    result: () => undefined,
  },
  removeSchedule: {
    query: (db, { id }) => db.deleteFrom("cloacina_schedules").where("id", "=", id),
    result: affected,
  },
  advanceSchedule: {
    query: (db, { id, expectedNextFireAt, nextFireAt, lastFiredAt }) =>
      db
        .updateTable("cloacina_schedules")
        .set({ next_fire_at: nextFireAt, last_fired_at: lastFiredAt })
        .where("id", "=", id)
        .where("next_fire_at", "=", expectedNextFireAt),
    result: affected,
  },
  setSchedulePaused: {
    query: (db, { id, paused, nextFireAt }) =>
      db
        .updateTable("cloacina_schedules")
        .set({ paused: paused ? 1 : 0, next_fire_at: nextFireAt })
        .where("id", "=", id),
    result: affected,
  },
  saveWorkflowVersion: {
    query: (db, { record }) =>
      db
        .insertInto("cloacina_workflows")
        .values({
          version: record.version,
          name: record.name,
          tasks: JSON.stringify(record.tasks),
          created_at: record.createdAt,
        })
        .onConflict((oc) => oc.column("version").doNothing()),
    result: () => undefined,
  },
  pruneEvents: {
    // The newest event stays: SQLite would otherwise hand its row id out again.
    query: (db, { before }) =>
      db
        .deleteFrom("cloacina_events")
        .where("at", "<", before)
        .where("id", "<", (eb) => eb.selectFrom("cloacina_events").select((e) => e.fn.max("id").as("id"))),
    result: (r) => Number(r.numAffectedRows ?? 0n),
  },
};

export function isSharedOp(op: string): op is SharedOpName {
  return Object.hasOwn(sharedSqlOps, op);
}
