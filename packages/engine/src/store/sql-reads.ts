/**
 * The read parts of a SQL driver, written once with kysely's builder: every SQL backend composes
 * them as fields (`readonly runs = runReads(db)`), so the same statements run everywhere. The
 * engine imports no driver (nor kysely at run time): the backend's kysely instance builds them.
 */
import { type Kysely, sql } from "kysely";
import type { RunStatus } from "../types.js";
import type { RunReads, RunState, ScheduleReads, StoreCounts, WorkflowReads } from "./driver.js";
import type { EventTablesDatabase } from "./event-tables.js";
import type { RunFilter, WorkflowVersionRecord } from "./records.js";
import {
  type CloacinaDatabase,
  type TaskRunsRow,
  toAttemptRecord,
  toInstanceRecord,
  toRunRecord,
  toRunSummary,
  toScheduleRecord,
  toTaskRecord,
} from "./tables.js";

const SUMMARY = [
  "run_id",
  "workflow_name",
  "workflow_version",
  "status",
  "created_at",
  "finished_at",
  "parent_run_id",
] as const;

export function runReads(db: Kysely<CloacinaDatabase>): RunReads {
  return {
    async getRun(runId) {
      const row = await db.selectFrom("cloacina_runs").selectAll().where("run_id", "=", runId).executeTakeFirst();
      return row && toRunRecord(row);
    },
    async getTasks(runId) {
      const rows = await db
        .selectFrom("cloacina_task_runs")
        .selectAll()
        .where("run_id", "=", runId)
        .orderBy("position")
        .orderBy("instance_index")
        .execute();
      return rows.map(toTaskRecord);
    },
    async getInstances(runId, taskId) {
      const rows = await db
        .selectFrom("cloacina_task_runs")
        .select([
          "instance_index",
          "status",
          "attempt",
          "output",
          "error",
          "started_at",
          "finished_at",
          "wait_kind",
          "wait_state",
        ])
        .where("run_id", "=", runId)
        .where("instance_of", "=", taskId)
        .orderBy("instance_index")
        .execute();
      return rows.map(toInstanceRecord);
    },
    async getRunWithTasks(runId) {
      // One row per task, the run's columns on each (a run has at least one task).
      const rows = await db
        .selectFrom("cloacina_runs as r")
        .innerJoin("cloacina_task_runs as t", "t.run_id", "r.run_id")
        .selectAll("r")
        .select([
          "t.task_id",
          "t.position",
          "t.status as task_status",
          "t.attempt",
          "t.max_attempts",
          "t.recoveries",
          "t.output",
          "t.error as task_error",
          "t.started_at",
          "t.finished_at as task_finished_at",
          "t.wait_kind",
          "t.wait_state",
          "t.calls",
        ])
        .where("r.run_id", "=", runId)
        // A result needs the tasks; a map's instances are in its output (getInstances lists them).
        .where("t.instance_of", "is", null)
        .orderBy("t.position")
        .execute();
      const first = rows[0];
      if (first === undefined) return undefined;
      return {
        run: toRunRecord(first),
        tasks: rows.map((row) =>
          toTaskRecord({
            ...row,
            status: row.task_status,
            error: row.task_error,
            finished_at: row.task_finished_at,
            instance_of: null,
            instance_index: null,
          } as unknown as TaskRunsRow),
        ),
      };
    },
    async getAttempts(runId) {
      const rows = await db
        .selectFrom("cloacina_task_attempts")
        .selectAll()
        .where("run_id", "=", runId)
        .orderBy("task_id")
        .orderBy("attempt")
        .execute();
      return rows.map(toAttemptRecord);
    },
    async loadRunStates(runIds) {
      const states = new Map<string, RunState>();
      if (runIds.length === 0) return states;
      const ids = [...runIds];
      const runs = await db
        .selectFrom("cloacina_runs")
        .select(["run_id", "input"])
        .where("run_id", "in", ids)
        .execute();
      for (const row of runs) states.set(row.run_id, { input: row.input, outputs: new Map() });
      const outputs = await db
        .selectFrom("cloacina_task_runs")
        .select(["run_id", "task_id", "output"])
        .where("run_id", "in", ids)
        .where("status", "=", "Completed")
        .where("instance_of", "is", null)
        .execute();
      for (const row of outputs) if (row.output !== null) states.get(row.run_id)?.outputs.set(row.task_id, row.output);
      return states;
    },
    async unfinishedRuns() {
      const rows = await db
        .selectFrom("cloacina_runs")
        .select(SUMMARY)
        .where("status", "=", "Running")
        .orderBy("created_at")
        .execute();
      return rows.map(toRunSummary);
    },
    async leaseOwners() {
      const rows = await db
        .selectFrom("cloacina_task_runs")
        .select("lease_owner")
        .distinct()
        .where("status", "=", "Running")
        .execute();
      return rows.flatMap((r) => (r.lease_owner === null ? [] : [r.lease_owner]));
    },
    async cancelledRuns(runIds) {
      if (runIds.length === 0) return [];
      const rows = await db
        .selectFrom("cloacina_runs")
        .select("run_id")
        .where("run_id", "in", [...runIds])
        .where("cancel_requested", "=", 1)
        .orderBy("run_id")
        .execute();
      return rows.map((r) => r.run_id);
    },
    async listRuns(filter) {
      return (await listRunsQuery(db, filter).execute()).map(toRunSummary);
    },
    counts: () => countsQuery(db),
  };
}

/** Newest first, keyset pagination on the indexed (created_at, run_id). */
export function listRunsQuery(db: Kysely<CloacinaDatabase>, filter: RunFilter) {
  let query = db.selectFrom("cloacina_runs").select(SUMMARY);
  if (filter.status !== undefined) query = query.where("status", "=", filter.status);
  if (filter.workflow !== undefined) query = query.where("workflow_name", "=", filter.workflow);
  if (filter.parent !== undefined) query = query.where("parent_run_id", "=", filter.parent);
  if (filter.createdFrom !== undefined) query = query.where("created_at", ">=", filter.createdFrom);
  if (filter.createdTo !== undefined) query = query.where("created_at", "<", filter.createdTo);
  if (filter.waiting === true) {
    // A probe of the task rows' primary key per run listed (runs are few per page).
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom("cloacina_task_runs as t")
          .select(sql<number>`1`.as("one"))
          .whereRef("t.run_id", "=", "cloacina_runs.run_id")
          .where("t.status", "=", "Waiting"),
      ),
    );
  }
  const after = filter.after;
  if (after !== undefined) {
    // A row-value comparison, so the index seeks straight to the page instead of filtering to it.
    query = query.where((eb) => eb(eb.refTuple("created_at", "run_id"), "<", eb.tuple(after.createdAt, after.runId)));
  }
  return query.orderBy("created_at", "desc").orderBy("run_id", "desc").limit(filter.limit);
}

/** Index-only counts: status indexes on runs, partial indexes on tasks. */
async function countsQuery(db: Kysely<CloacinaDatabase>): Promise<StoreCounts> {
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
    .where("status", "in", ["Ready", "Running", "Waiting"])
    .groupBy("status")
    .execute();
  const count = (status: string) => Number(tasks.find((t) => t.status === status)?.n ?? 0);
  return { runs, readyTasks: count("Ready"), runningTasks: count("Running"), waitingTasks: count("Waiting") };
}

export function scheduleReads(db: Kysely<CloacinaDatabase>): ScheduleReads {
  const table = "cloacina_schedules" as const;
  return {
    async getSchedule(id) {
      const row = await db.selectFrom(table).selectAll().where("id", "=", id).executeTakeFirst();
      return row && toScheduleRecord(row);
    },
    async listSchedules() {
      return (await db.selectFrom(table).selectAll().orderBy("id").execute()).map(toScheduleRecord);
    },
    async dueSchedules(now, names) {
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
    async nextScheduleAt(names) {
      if (names.length === 0) return null;
      const row = await db
        .selectFrom(table)
        .select((eb) => eb.fn.min("next_fire_at").as("at"))
        .where("paused", "=", 0)
        .where("workflow_name", "in", [...names])
        .executeTakeFirst();
      return row?.at === null || row?.at === undefined ? null : Number(row.at);
    },
  };
}

export function workflowReads<DB extends EventTablesDatabase>(db: Kysely<DB>): WorkflowReads {
  // Typed on the one table it uses, whatever database type the backend has.
  const d = db as unknown as Kysely<EventTablesDatabase>;
  return {
    async getWorkflowVersion(version) {
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
