import type { Database as SqliteDatabase } from "better-sqlite3";
import { type Kysely, type RawBuilder, sql } from "kysely";
import { type Prepared, prepare } from "./prepared.js";
import type { CloacinaDatabase as Database } from "@cloacina/engine/store";

/** A JSON array parameter, read as a set of values (one statement for any list length). */
const inJson = (list: unknown) => sql<string>`(select value from json_each(${list}))`;

/**
 * Every statement the store runs, written once with kysely and prepared once. Arguments are
 * positional, in the order of each builder's parameters.
 */
export function sqliteQueries(db: Kysely<Database>, sqlite: SqliteDatabase) {
  const p = <Args extends unknown[]>(arity: Args["length"], build: (...a: any[]) => any) =>
    prepare<Args>(sqlite, arity, build);
  const insertEvents = new Map<number, Prepared<unknown[]>>();
  // A raw query compiles against a dialect: this database's.
  const compilable = (query: RawBuilder<unknown>) => ({ compile: () => query.compile(db) });
  return {
    insertRun: p<
      [
        runId: string,
        name: string,
        version: string,
        input: string,
        unfinished: number,
        now: number,
        key: string | null,
        deadline: number | null,
        parentRunId: string | null,
        parentTaskId: string | null,
      ]
    >(10, (runId, name, version, input, unfinished, now, key, deadline, parentRunId, parentTaskId) =>
      db
        .insertInto("cloacina_runs")
        .values({
          idempotency_key: key,
          run_id: runId,
          workflow_name: name,
          workflow_version: version,
          status: "Running",
          input,
          cancel_requested: 0,
          unfinished,
          failed: 0,
          created_at: now,
          deadline,
          parent_run_id: parentRunId,
          parent_task_id: parentTaskId,
        })
        .onConflict((oc) => oc.column("idempotency_key").where("idempotency_key", "is not", null).doNothing()),
    ),
    runByKey: p<[key: string]>(1, (key) =>
      db.selectFrom("cloacina_runs").select(["run_id", "workflow_name"]).where("idempotency_key", "=", key),
    ),
    insertTask: p<
      [
        runId: string,
        taskId: string,
        position: number,
        version: string,
        status: string,
        maxAttempts: number,
        deps: number,
        now: number,
      ]
    >(8, (runId, taskId, position, version, status, maxAttempts, deps, now) =>
      db.insertInto("cloacina_task_runs").values({
        run_id: runId,
        task_id: taskId,
        position,
        workflow_version: version,
        status,
        max_attempts: maxAttempts,
        pending_deps: deps,
        available_at: now,
      }),
    ),
    /** Fencing: only the owner of the current attempt may finish it. */
    finishTask: p<
      [
        status: string,
        output: string | null,
        error: string | null,
        now: number,
        runId: string,
        taskId: string,
        attempt: number,
        owner: string,
      ]
    >(8, (status, output, error, now, runId, taskId, attempt, owner) =>
      db
        .updateTable("cloacina_task_runs")
        .set((eb) => ({
          status,
          output,
          error,
          finished_at: now,
          lease_owner: null,
          lease_expires_at: null,
          // A skipped task was claimed to decide its trigger rule, but no attempt ran.
          attempt: eb
            .case()
            .when(eb.val(status), "=", "Skipped")
            .then(eb("attempt", "-", 1))
            .else(eb.ref("attempt"))
            .end(),
        }))
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("status", "=", "Running")
        .where("attempt", "=", attempt)
        .where("lease_owner", "=", owner),
    ),
    retryTask: p<
      [
        availableAt: number,
        error: string,
        forgetWait: number,
        runId: string,
        taskId: string,
        attempt: number,
        owner: string,
      ]
    >(7, (availableAt, error, forgetWait, runId, taskId, attempt, owner) =>
      db
        .updateTable("cloacina_task_runs")
        .set((eb) => ({
          status: "Ready",
          available_at: availableAt,
          error,
          lease_owner: null,
          lease_expires_at: null,
          wait_kind: eb.case().when(eb.val(forgetWait), "=", 1).then(null).else(eb.ref("wait_kind")).end(),
          wait_state: eb.case().when(eb.val(forgetWait), "=", 1).then(null).else(eb.ref("wait_state")).end(),
        }))
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("status", "=", "Running")
        .where("attempt", "=", attempt)
        .where("lease_owner", "=", owner),
    ),
    insertAttempt: p<[runId: string, taskId: string, attempt: number, status: string, error: string, now: number]>(
      6,
      (runId, taskId, attempt, status, error, now) =>
        db
          .insertInto("cloacina_task_attempts")
          .values({ run_id: runId, task_id: taskId, attempt, status, error, finished_at: now })
          .onConflict((oc) => oc.doNothing()),
    ),
    /**
     * A Pending task (or a mapped one Waiting for its instances) loses `count` dependencies; at
     * zero it becomes Ready, available now.
     */
    releaseTask: p<[count: number, failed: number, skipped: number, now: number, runId: string, taskId: string]>(
      6,
      (count, failed, skipped, now, runId, taskId) =>
        db
          .updateTable("cloacina_task_runs")
          .set((eb) => ({
            pending_deps: eb("pending_deps", "-", count),
            failed_deps: eb("failed_deps", "+", failed),
            skipped_deps: eb("skipped_deps", "+", skipped),
            status: eb.case().when("pending_deps", "=", count).then("Ready").else(eb.ref("status")).end(),
            available_at: eb.case().when("pending_deps", "=", count).then(now).else(eb.ref("available_at")).end(),
          }))
          .where("run_id", "=", runId)
          .where("task_id", "=", taskId)
          .where((eb) =>
            eb.or([eb("status", "=", "Pending"), eb.and([eb("status", "=", "Waiting"), eb("wait_kind", "=", "map")])]),
          )
          .returning(["status"]),
    ),
    reopenRun: p<[unfinished: number, deadline: number | null, runId: string]>(3, (unfinished, deadline, runId) =>
      db
        .updateTable("cloacina_runs")
        .set({
          status: "Running",
          unfinished,
          failed: 0,
          cancel_requested: 0,
          finished_at: null,
          error: null,
          deadline,
        })
        .where("run_id", "=", runId)
        .where("status", "in", ["Failed", "Cancelled"]),
    ),
    resetTask: p<[deps: number, maxAttempts: number, now: number, runId: string, taskId: string]>(
      5,
      (deps, maxAttempts, now, runId, taskId) =>
        db
          .updateTable("cloacina_task_runs")
          .set((eb) => ({
            status: eb.case().when(eb.val(deps), "=", 0).then("Ready").else("Pending").end(),
            pending_deps: deps,
            failed_deps: 0,
            skipped_deps: 0,
            max_attempts: maxAttempts,
            recoveries: 0,
            available_at: now,
            lease_owner: null,
            lease_expires_at: null,
            output: null,
            error: null,
            finished_at: null,
            started_at: null,
            wait_kind: null,
            wake_at: null,
            wait_state: null,
            calls: 0,
          }))
          .where("run_id", "=", runId)
          .where("task_id", "=", taskId),
    ),
    /** These runs and their child runs at any depth (a JSON array of ids), while still running. */
    requestCancels: p<[runIds: string]>(1, (runIds) =>
      compilable(sql`
        with recursive tree(run_id) as (
          select value from json_each(${runIds})
          union
          select r.run_id from "cloacina_runs" r join tree on r.parent_run_id = tree.run_id
        )
        update "cloacina_runs" set cancel_requested = 1
        where run_id in (select run_id from tree) and status = 'Running'
        returning run_id`),
    ),
    cancelWaitingTasks: p<[now: number, runId: string]>(2, (now, runId) =>
      db
        .updateTable("cloacina_task_runs")
        .set({ status: "Cancelled", finished_at: now })
        .where("run_id", "=", runId)
        .where("status", "in", ["Pending", "Ready", "Waiting"]),
    ),
    /** Counts down and reads the counters back in one statement. */
    countDown: p<[finished: number, failed: number, runId: string]>(3, (finished, failed, runId) =>
      db
        .updateTable("cloacina_runs")
        .set((eb) => ({ unfinished: eb("unfinished", "-", finished), failed: eb("failed", "+", failed) }))
        .where("run_id", "=", runId)
        .returning(["unfinished", "failed", "cancel_requested", "status"]),
    ),
    finishRun: p<[status: string, now: number, error: string | null, runId: string]>(4, (status, now, error, runId) =>
      db
        .updateTable("cloacina_runs")
        .set({ status, finished_at: now, error })
        .where("run_id", "=", runId)
        .where("status", "=", "Running")
        .returning(["parent_run_id", "parent_task_id"]),
    ),
    /** A held mapped task starts waiting for its `n` instances (its attempt not counted). */
    expandTask: p<[n: number, runId: string, taskId: string, attempt: number, owner: string]>(
      5,
      (n, runId, taskId, attempt, owner) =>
        db
          .updateTable("cloacina_task_runs")
          .set((eb) => ({
            status: "Waiting",
            wait_kind: "map",
            wake_at: null,
            wait_state: null,
            pending_deps: n,
            failed_deps: 0,
            skipped_deps: 0,
            attempt: eb("attempt", "-", 1),
            lease_owner: null,
            lease_expires_at: null,
          }))
          .where("run_id", "=", runId)
          .where("task_id", "=", taskId)
          .where("attempt", "=", attempt)
          .where("status", "=", "Running")
          .where("lease_owner", "=", owner)
          .returning(["position", "workflow_version"]),
    ),
    insertInstance: p<
      [
        runId: string,
        rowId: string,
        position: number,
        version: string,
        status: string,
        maxAttempts: number,
        deps: number,
        now: number,
        of: string,
        index: number,
        element: string,
      ]
    >(11, (runId, rowId, position, version, status, maxAttempts, deps, now, of, index, element) =>
      db.insertInto("cloacina_task_runs").values({
        run_id: runId,
        task_id: rowId,
        position,
        workflow_version: version,
        status,
        max_attempts: maxAttempts,
        pending_deps: deps,
        available_at: now,
        instance_of: of,
        instance_index: index,
        element,
      }),
    ),
    wakeTask: p<[now: number, runId: string, taskId: string, kind: string]>(4, (now, runId, taskId, kind) =>
      db
        .updateTable("cloacina_task_runs")
        .set({ status: "Ready", available_at: now })
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("status", "=", "Waiting")
        .where("wait_kind", "=", kind),
    ),
    /** A mapped task reset with its instances waits for those reset (Ready to collect when none is). */
    resetMappedTask: p<[deps: number, maxAttempts: number, now: number, runId: string, taskId: string]>(
      5,
      (deps, maxAttempts, now, runId, taskId) =>
        db
          .updateTable("cloacina_task_runs")
          .set((eb) => ({
            status: eb.case().when(eb.val(deps), "=", 0).then("Ready").else("Waiting").end(),
            pending_deps: deps,
            failed_deps: 0,
            skipped_deps: 0,
            max_attempts: maxAttempts,
            recoveries: 0,
            available_at: now,
            lease_owner: null,
            lease_expires_at: null,
            output: null,
            error: null,
            finished_at: null,
            wait_kind: "map",
            wake_at: null,
            wait_state: null,
          }))
          .where("run_id", "=", runId)
          .where("task_id", "=", taskId),
    ),
    forgetInstances: p<[runId: string, taskId: string]>(2, (runId, taskId) =>
      db.deleteFrom("cloacina_task_runs").where("run_id", "=", runId).where("instance_of", "=", taskId),
    ),
    /**
     * Claim = this select, then `claimRow` per row, in the same immediate transaction (no other
     * writer can interleave). Cheaper than UPDATE … WHERE rowid IN (…) RETURNING in SQLite.
     * Versions come as one "|v1|v2|" string: a scalar test per row, no virtual table.
     */
    claimable: p<[now: number, versions: string, limit: number]>(3, (now, versions, limit) =>
      db
        .selectFrom("cloacina_task_runs")
        .select([
          sql<number>`rowid`.as("rowid"),
          "run_id",
          "task_id",
          "workflow_version",
          "attempt",
          "max_attempts",
          "recoveries",
          "failed_deps",
          "skipped_deps",
          "wait_kind",
          "wait_state",
          "calls",
          "started_at",
          "instance_of",
          "instance_index",
          "element",
        ])
        .where("status", "=", "Ready")
        .where("available_at", "<=", now)
        .where(sql<number>`instr(${versions}, '|' || workflow_version || '|')`, ">", 0)
        .orderBy("available_at")
        .orderBy(sql`rowid`)
        .limit(limit),
    ),
    claimRow: p<[attempt: number, owner: string, leaseExpiresAt: number, now: number, rowid: number]>(
      5,
      (attempt, owner, leaseExpiresAt, now, rowid) =>
        db
          .updateTable("cloacina_task_runs")
          .set((eb) => ({
            status: "Running",
            attempt,
            lease_owner: owner,
            lease_expires_at: leaseExpiresAt,
            started_at: eb.fn.coalesce("started_at", sql<number>`${now}`),
          }))
          .where(sql<number>`rowid`, "=", rowid),
    ),
    /** The earliest of a retry delay's end, a wake time and a deadline, each read on its partial index. */
    nextAvailableAt: p<[now: number, versions: string]>(2, (now, versions) =>
      compilable(sql`select min(at) as at from (
        select min(available_at) as at from "cloacina_task_runs"
          where status = 'Ready' and available_at > ${now} and instr(${versions}, '|' || workflow_version || '|') > 0
        union all
        select min(wake_at) from "cloacina_task_runs"
          where status = 'Waiting' and wake_at > ${now} and instr(${versions}, '|' || workflow_version || '|') > 0
        union all
        select min(deadline) from "cloacina_runs" where status = 'Running' and deadline > ${now})`),
    ),
    waitTask: p<
      [
        kind: string,
        wakeAt: number | null,
        state: string | null,
        runId: string,
        taskId: string,
        attempt: number,
        owner: string,
      ]
    >(7, (kind, wakeAt, state, runId, taskId, attempt, owner) =>
      db
        .updateTable("cloacina_task_runs")
        .set((eb) => ({
          status: "Waiting",
          wait_kind: kind,
          wake_at: wakeAt,
          wait_state: state,
          calls: eb("calls", "+", 1),
          // The attempt that asked to wait is not counted: the next call is attempt 1 again.
          attempt: eb("attempt", "-", 1),
          lease_owner: null,
          lease_expires_at: null,
        }))
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("attempt", "=", attempt)
        .where("status", "=", "Running")
        .where("lease_owner", "=", owner),
    ),
    oldestSignal: p<[runId: string, taskId: string]>(2, (runId, taskId) =>
      db
        .selectFrom("cloacina_signals")
        .select("payload")
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .orderBy("created_at")
        .orderBy("key")
        .limit(1),
    ),
    /** A waiting task takes a signal: Ready now, with its payload kept. */
    wakeWithSignal: p<[payload: string, now: number, runId: string, taskId: string]>(4, (payload, now, runId, taskId) =>
      db
        .updateTable("cloacina_task_runs")
        .set({ status: "Ready", available_at: now, wait_state: payload })
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("status", "=", "Waiting")
        .where("wait_kind", "=", "signal"),
    ),
    wakeDue: p<[now: number, versions: string]>(2, (now, versions) =>
      db
        .updateTable("cloacina_task_runs")
        .set({ status: "Ready", available_at: now })
        .where("status", "=", "Waiting")
        .where("wake_at", "<=", now)
        .where(sql<number>`instr(${versions}, '|' || workflow_version || '|')`, ">", 0)
        .returning(["run_id", "task_id"]),
    ),
    taskForSignal: p<[runId: string, taskId: string]>(2, (runId, taskId) =>
      db
        .selectFrom("cloacina_task_runs as t")
        .innerJoin("cloacina_runs as r", "r.run_id", "t.run_id")
        .select(["t.status", "r.status as run_status", "t.wait_kind", "t.wait_state"])
        .where("t.run_id", "=", runId)
        .where("t.task_id", "=", taskId),
    ),
    signalWithKey: p<[runId: string, taskId: string, key: string]>(3, (runId, taskId, key) =>
      db
        .selectFrom("cloacina_signals")
        .select("key")
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .where("key", "=", key),
    ),
    anySignal: p<[runId: string, taskId: string]>(2, (runId, taskId) =>
      db
        .selectFrom("cloacina_signals")
        .select("key")
        .where("run_id", "=", runId)
        .where("task_id", "=", taskId)
        .limit(1),
    ),
    forgetSignals: p<[runId: string, taskId: string]>(2, (runId, taskId) =>
      db.deleteFrom("cloacina_signals").where("run_id", "=", runId).where("task_id", "=", taskId),
    ),
    insertSignal: p<[runId: string, taskId: string, key: string, payload: string, now: number]>(
      5,
      (runId, taskId, key, payload, now) =>
        db
          .insertInto("cloacina_signals")
          .values({ run_id: runId, task_id: taskId, key, payload, created_at: now })
          .onConflict((oc) => oc.doNothing()),
    ),
    expiredRuns: p<[now: number]>(1, (now) =>
      db
        .selectFrom("cloacina_runs")
        .select("run_id")
        .where("status", "=", "Running")
        .where("deadline", "is not", null)
        .where("deadline", "<=", now),
    ),
    recoverLeases: p<[now: number, deadOwners: string]>(2, (now, deadOwners) =>
      db
        .updateTable("cloacina_task_runs")
        .set((eb) => ({
          status: "Ready",
          recoveries: eb("recoveries", "+", 1),
          lease_owner: null,
          lease_expires_at: null,
          available_at: now,
        }))
        .where("status", "=", "Running")
        .where((eb) => eb.or([eb("lease_expires_at", "<", now), eb("lease_owner", "in", inJson(deadOwners))]))
        .returning(["run_id", "task_id", "attempt"]),
    ),
    // One statement per event: cheaper than one over a JSON array (measured: 85 vs 110 µs for a
    // transaction of three).
    /** A step's events in one statement: `n` rows of (run, task, type, attempt, at, data). */
    insertEvents: (n: number) => {
      let statement = insertEvents.get(n);
      if (statement === undefined) {
        statement = p<unknown[]>(6 * n, (...a: string[]) =>
          db.insertInto("cloacina_events").values(
            Array.from({ length: n }, (_, i) => {
              // Placeholders: `prepare` binds the real values in their place.
              const [run_id, task_id, type, attempt, at, data] = a.slice(6 * i, 6 * i + 6) as any[];
              return { run_id, task_id, type, attempt, at, data };
            }),
          ),
        );
        insertEvents.set(n, statement);
      }
      return statement;
    },
    // Positions are "0-<rowid>": SQLite has one writer, so row ids are assigned in commit order.
    eventsAfter: p<[after: number, limit: number]>(2, (after, limit) =>
      db
        .selectFrom("cloacina_events")
        .select(["id", "run_id", "task_id", "type", "attempt", "at", "data"])
        .where("id", ">", after)
        .orderBy("id")
        .limit(limit),
    ),
    runEventsAfter: p<[runId: string, after: number, limit: number]>(3, (runId, after, limit) =>
      db
        .selectFrom("cloacina_events")
        .select(["id", "run_id", "task_id", "type", "attempt", "at", "data"])
        .where("run_id", "=", runId)
        .where("id", ">", after)
        .orderBy("id")
        .limit(limit),
    ),
    eventHead: p<[]>(0, () => db.selectFrom("cloacina_events").select((eb) => eb.fn.max("id").as("id"))),
    isCancelRequested: p<[runId: string]>(1, (runId) =>
      db.selectFrom("cloacina_runs").select(["cancel_requested", "status"]).where("run_id", "=", runId),
    ),
  };
}

export type SqliteQueries = ReturnType<typeof sqliteQueries>;
