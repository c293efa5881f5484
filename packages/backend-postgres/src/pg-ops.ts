import {
  eventColumns,
  type HeldAttempt,
  type NewEvent,
  type RunCounters,
  delivered,
  refusedByKept,
  refusedByRow,
  type SignalTarget,
  type SharedOpName,
  type StoreOpName,
  type StoreOps,
} from "@cloacina/engine/store";
import type { WaitKind } from "@cloacina/engine";
import { type Kysely, type RawBuilder, sql } from "kysely";
import type { PipelinedTransaction } from "./pipeline.js";

/**
 * The operations whose SQL is PostgreSQL's own (the others are the engine's shared kysely ones;
 * `appendEvents` and `notify` the driver sends with COMMIT, in one statement: see pg-driver.ts).
 */
export type PgOpName = Exclude<StoreOpName, SharedOpName | "notify" | "appendEvents">;
type Ops = { [K in PgOpName]: (args: StoreOps[K]["args"]) => Promise<StoreOps[K]["result"]> };
export type PgOpRunner = <K extends PgOpName>(op: K, args: StoreOps[K]["args"]) => Promise<StoreOps[K]["result"]>;

/**
 * The engine's batch operations on PostgreSQL, one statement each whatever the batch size:
 * batches travel as parallel arrays and are joined with `unnest`. Written with kysely's `sql`
 * tag (bulk UPDATE … FROM unnest has no builder form); identifiers go through `sql.table`.
 *
 * Each operation sends its statement before it returns (see `AsyncOpRunner`): `tx` pipelines
 * it, so the operations of a plan's batch share one round trip. `db` only compiles.
 */
export function pgOpRunner(db: Kysely<any>, tx: PipelinedTransaction, schema: string): PgOpRunner {
  const runs = sql.table(`${schema}.cloacina_runs`);
  const tasks = sql.table(`${schema}.cloacina_task_runs`);
  const attempts = sql.table(`${schema}.cloacina_task_attempts`);
  const signals = sql.table(`${schema}.cloacina_signals`);
  const rows = async <R>(query: RawBuilder<R>) => (await tx.query<R>(query.compile(db))).rows;
  const exec = async (query: RawBuilder<unknown>) => void (await tx.query(query.compile(db)));
  const texts = (list: readonly string[]) => sql`${list}::text[]`;
  const ints = (list: readonly number[]) => sql`${list}::int[]`;
  const int8s = (list: readonly number[]) => sql`${list}::int8[]`;
  const perRun = (list: { run_id: string }[]) => {
    const counts = new Map<string, number>();
    for (const { run_id } of list) counts.set(run_id, (counts.get(run_id) ?? 0) + 1);
    return counts;
  };
  const held = (list: { run_id: string; task_id: string; attempt: number }[]): HeldAttempt[] =>
    list.map((r) => ({ runId: r.run_id, taskId: r.task_id, attempt: r.attempt }));

  const ops: Ops = {
    insertRuns: async ({ runs: list, now }) => {
      const all = list.flatMap((r) => r.tasks.map((t) => ({ ...t, runId: r.runId, version: r.workflowVersion })));
      // One statement: the task rows of the runs it inserted (a run whose idempotency key is
      // taken, by another process or earlier in this batch, is not inserted, nor its tasks).
      const inserted = new Set(
        (
          await rows<{ run_id: string }>(sql`
            with created as (
              insert into ${runs} (run_id, workflow_name, workflow_version, status, input, unfinished, created_at,
                                   idempotency_key, deadline, parent_run_id, parent_task_id)
              select r.id, r.name, r.version, 'Running', r.input, r.n, ${now}, r.key, r.deadline, r.parent_run, r.parent_task
              from unnest(${texts(list.map((r) => r.runId))}, ${texts(list.map((r) => r.workflowName))},
                          ${texts(list.map((r) => r.workflowVersion))}, ${texts(list.map((r) => r.input))},
                          ${ints(list.map((r) => r.tasks.length))},
                          ${sql`${list.map((r) => r.idempotencyKey ?? null)}::text[]`},
                          ${sql`${list.map((r) => r.deadline ?? null)}::int8[]`},
                          ${sql`${list.map((r) => r.parent?.runId ?? null)}::text[]`},
                          ${sql`${list.map((r) => r.parent?.taskId ?? null)}::text[]`})
                   as r(id, name, version, input, n, key, deadline, parent_run, parent_task)
              on conflict (idempotency_key) where idempotency_key is not null do nothing
              returning run_id
            ), created_tasks as (
              insert into ${tasks} (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at)
              select t.run_id, t.task_id, t.position, t.version, case when t.deps = 0 then 'Ready' else 'Pending' end,
                     t.max_attempts, t.deps, ${now}
              from unnest(${texts(all.map((t) => t.runId))}, ${texts(all.map((t) => t.taskId))},
                          ${ints(all.map((t) => t.position))}, ${texts(all.map((t) => t.version))},
                          ${ints(all.map((t) => t.maxAttempts))}, ${ints(all.map((t) => t.pendingDependencies))})
                   as t(run_id, task_id, position, version, max_attempts, deps)
              where t.run_id in (select run_id from created)
            )
            select run_id from created`)
        ).map((r) => r.run_id),
      );
      const skipped = list.filter((r) => !inserted.has(r.runId));
      if (skipped.length === 0) return [];
      // Rare (a duplicate start): a read, so it may go after statements sent meanwhile.
      const holders = new Map(
        (
          await rows<{ run_id: string; workflow_name: string; idempotency_key: string }>(sql`
            select run_id, workflow_name, idempotency_key from ${runs}
            where idempotency_key = any(${texts(skipped.map((r) => r.idempotencyKey!))})`)
        ).map((r) => [r.idempotency_key, r] as const),
      );
      return skipped.map((r) => {
        const holder = holders.get(r.idempotencyKey!)!;
        return { runId: r.runId, existingRunId: holder.run_id, existingWorkflow: holder.workflow_name };
      });
    },
    finishTasks: async ({ owner, now, tasks: list }) => {
      const releases = list.flatMap((x) =>
        (x.release?.children ?? []).map((child) => ({
          ...x,
          child,
          failed: x.release!.failed,
          skipped: x.release!.skipped,
        })),
      );
      // One statement, in steps that see only what the step before returned: the attempts still
      // held are finished; their children released (row locks serialise two parents releasing
      // one child, and the WHERE is re-checked on the latest row, so exactly one of them sees the
      // count reach zero); their runs counted down.
      const result = await rows<{
        kind: "held" | "ready" | "run";
        run_id: string;
        task_id: string | null;
        attempt: number | null;
        unfinished: number | null;
        failed: number | null;
        cancel_requested: number | null;
        status: string | null;
      }>(sql`
        with done as (
          update ${tasks} t
          set status = u.status, output = u.output, error = u.error, finished_at = ${now},
              -- a skipped task was claimed to decide its trigger rule, but no attempt ran
              attempt = case when u.status = 'Skipped' then t.attempt - 1 else t.attempt end,
              lease_owner = null, lease_expires_at = null
          from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))},
                      ${ints(list.map((x) => x.attempt))}, ${texts(list.map((x) => x.status))},
                      ${sql`${list.map((x) => x.output)}::text[]`}, ${sql`${list.map((x) => x.error)}::text[]`},
                      ${ints(list.map((x) => (x.failsRun ? 1 : 0)))})
               as u(run_id, task_id, attempt, status, output, error, fails_run)
          where t.run_id = u.run_id and t.task_id = u.task_id and t.attempt = u.attempt
            and t.status = 'Running' and t.lease_owner = ${owner}
          returning t.run_id, t.task_id, t.attempt, u.fails_run
        ), released as (
          select r.run_id, r.child, count(*)::int as n, sum(r.failed)::int as failed, sum(r.skipped)::int as skipped
          from unnest(${texts(releases.map((x) => x.runId))}, ${texts(releases.map((x) => x.taskId))},
                      ${texts(releases.map((x) => x.child))}, ${ints(releases.map((x) => x.failed))},
                      ${ints(releases.map((x) => x.skipped))}) as r(run_id, parent, child, failed, skipped)
          join done d on d.run_id = r.run_id and d.task_id = r.parent
          group by r.run_id, r.child
        ), ready as (
          update ${tasks} t
          set pending_deps = t.pending_deps - u.n, failed_deps = t.failed_deps + u.failed,
              skipped_deps = t.skipped_deps + u.skipped,
              status = case when t.pending_deps = u.n then 'Ready' else t.status end,
              available_at = case when t.pending_deps = u.n then ${now} else t.available_at end
          from released u
          where t.run_id = u.run_id and t.task_id = u.child
            and (t.status = 'Pending' or (t.status = 'Waiting' and t.wait_kind = 'map'))
          returning t.run_id, t.task_id, t.status
        ), counted as (
          update ${runs} r set unfinished = r.unfinished - u.finished, failed = r.failed + u.failed
          from (select run_id, count(*)::int as finished, sum(fails_run)::int as failed from done group by run_id) u
          where r.run_id = u.run_id
          returning r.run_id, r.unfinished, r.failed, r.cancel_requested, r.status
        )
        select 'held' as kind, run_id, task_id, attempt, null::int as unfinished, null::int as failed,
               null::int as cancel_requested, null::text as status from done
        union all
        select 'ready', run_id, task_id, null, null, null, null, status from ready
        union all
        select 'run', run_id, null, null, unfinished, failed, cancel_requested, status from counted`);
      return {
        held: held(result.filter((r) => r.kind === "held") as { run_id: string; task_id: string; attempt: number }[]),
        ready: result
          .filter((r) => r.kind === "ready" && r.status === "Ready")
          .map((r) => ({ runId: r.run_id, taskId: r.task_id! })),
        runs: result.filter((r) => r.kind === "run").map((r) => counters(r as CountersRow)),
      };
    },
    retryTasks: async ({ owner, tasks: list }) =>
      held(
        await rows<{ run_id: string; task_id: string; attempt: number }>(sql`
          update ${tasks} t
          set status = 'Ready', available_at = u.available_at, error = u.error, lease_owner = null, lease_expires_at = null,
              wait_kind = case when u.forget = 1 then null else t.wait_kind end,
              wait_state = case when u.forget = 1 then null else t.wait_state end
          from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))},
                      ${ints(list.map((x) => x.attempt))}, ${texts(list.map((x) => x.error))},
                      ${int8s(list.map((x) => x.availableAt))}, ${ints(list.map((x) => (x.forgetWait ? 1 : 0)))})
               as u(run_id, task_id, attempt, error, available_at, forget)
          where t.run_id = u.run_id and t.task_id = u.task_id and t.attempt = u.attempt
            and t.status = 'Running' and t.lease_owner = ${owner}
          returning t.run_id, t.task_id, t.attempt`),
      ),
    waitTasks: async ({ owner, now, tasks: list }) => {
      // Two statements, sent together (one round trip). The first puts the held tasks to wait.
      // The second gives a signal wait the oldest signal already kept for it: a statement of its
      // own, so that its snapshot is taken after the first one's row locks are held, and sees a
      // signal whose sender held the row until it committed (see deliverSignal).
      const waited = rows<{ run_id: string; task_id: string; attempt: number }>(sql`
        update ${tasks} t
        set status = 'Waiting', wait_kind = u.kind, wake_at = u.wake_at, wait_state = u.state,
            calls = t.calls + 1, attempt = t.attempt - 1, lease_owner = null, lease_expires_at = null
        from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))},
                    ${ints(list.map((x) => x.attempt))}, ${texts(list.map((x) => x.kind))},
                    ${int8s(list.map((x) => x.wakeAt) as number[])}, ${sql`${list.map((x) => x.state)}::text[]`})
             as u(run_id, task_id, attempt, kind, wake_at, state)
        where t.run_id = u.run_id and t.task_id = u.task_id and t.attempt = u.attempt
          and t.status = 'Running' and t.lease_owner = ${owner}
        returning t.run_id, t.task_id, t.attempt`);
      const signalWaits = list.filter((x) => x.kind === "signal");
      const signalled =
        signalWaits.length === 0
          ? Promise.resolve([])
          : rows<{ run_id: string; task_id: string }>(sql`
        update ${tasks} t set status = 'Ready', available_at = ${now}, wait_state = s.payload
        from (
          select distinct on (s.run_id, s.task_id) s.run_id, s.task_id, s.payload
          from ${signals} s
          join unnest(${texts(signalWaits.map((x) => x.runId))}, ${texts(signalWaits.map((x) => x.taskId))})
               as u(run_id, task_id) on s.run_id = u.run_id and s.task_id = u.task_id
          order by s.run_id, s.task_id, s.created_at, s.key
        ) s
        where t.run_id = s.run_id and t.task_id = s.task_id and t.status = 'Waiting' and t.wait_kind = 'signal'
        returning t.run_id, t.task_id`);
      // Both awaited together: neither may reject unhandled.
      const [waitedRows, signalledRows] = await Promise.all([waited, signalled]);
      return {
        held: held(waitedRows),
        signalled: signalledRows.map((r) => ({ runId: r.run_id, taskId: r.task_id })),
      };
    },
    expandTasks: async ({ owner, now, tasks: list }) => {
      const all = list.flatMap((x) =>
        x.elements.map((element, i) => ({ ...x, element, i, waits: x.lanes !== null && i >= x.lanes ? 1 : 0 })),
      );
      // One statement: the held tasks wait for their instances; the instances are inserted (after
      // the first `lanes`, each waits for the one `lanes` before it) and counted on their runs.
      return held(
        await rows<{ run_id: string; task_id: string; attempt: number }>(sql`
          with parent as (
            update ${tasks} t
            set status = 'Waiting', wait_kind = 'map', wake_at = null, wait_state = null, pending_deps = u.n,
                failed_deps = 0, skipped_deps = 0, attempt = t.attempt - 1, lease_owner = null, lease_expires_at = null
            from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))},
                        ${ints(list.map((x) => x.attempt))}, ${ints(list.map((x) => x.elements.length))})
                 as u(run_id, task_id, attempt, n)
            where t.run_id = u.run_id and t.task_id = u.task_id and t.attempt = u.attempt
              and t.status = 'Running' and t.lease_owner = ${owner}
            returning t.run_id, t.task_id, u.attempt, u.n, t.position, t.workflow_version
          ), instances as (
            insert into ${tasks} (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps,
                                  available_at, instance_of, instance_index, element)
            select i.run_id, i.task_id || '[' || i.idx || ']', p.position, p.workflow_version,
                   case when i.waits = 0 then 'Ready' else 'Pending' end, i.max_attempts, i.waits, ${now},
                   i.task_id, i.idx, i.element
            from unnest(${texts(all.map((x) => x.runId))}, ${texts(all.map((x) => x.taskId))},
                        ${ints(all.map((x) => x.i))}, ${texts(all.map((x) => x.element))},
                        ${ints(all.map((x) => x.waits))}, ${ints(all.map((x) => x.maxAttempts))})
                 as i(run_id, task_id, idx, element, waits, max_attempts)
            join parent p on p.run_id = i.run_id and p.task_id = i.task_id
          ), counted as (
            update ${runs} r set unfinished = r.unfinished + u.n
            from (select run_id, sum(n)::int as n from parent group by run_id) u
            where r.run_id = u.run_id
          )
          select run_id, task_id, attempt from parent`),
      );
    },
    wakeTasks: async ({ tasks: list, kind, now }) =>
      (
        await rows<{ run_id: string; task_id: string }>(sql`
          update ${tasks} t set status = 'Ready', available_at = ${now}
          from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))}) as u(run_id, task_id)
          where t.run_id = u.run_id and t.task_id = u.task_id and t.status = 'Waiting' and t.wait_kind = ${kind}
          returning t.run_id, t.task_id`)
      ).map((r) => ({ runId: r.run_id, taskId: r.task_id })),
    wakeDue: async ({ now, versions }) =>
      (
        await rows<{ run_id: string; task_id: string }>(sql`
          update ${tasks} set status = 'Ready', available_at = ${now}
          where status = 'Waiting' and wake_at <= ${now} and workflow_version = any(${texts(versions)})
          returning run_id, task_id`)
      ).map((r) => ({ runId: r.run_id, taskId: r.task_id })),
    deliverSignal: async ({ runId, taskId, key, payload, now }) => {
      // The task row's lock serialises senders (and a timeout's wake) on this task. What is kept
      // for it is read by a statement of its own, after the lock is held: a statement's snapshot
      // is taken before it waits for a lock, so it would miss a sender that committed meanwhile.
      const [row] = await rows<SignalTarget>(sql`
        select t.status, r.status as run_status, t.wait_kind, t.wait_state
        from ${tasks} t join ${runs} r on r.run_id = t.run_id
        where t.run_id = ${runId} and t.task_id = ${taskId}
        for update of t`);
      const byRow = refusedByRow(row);
      if (byRow || !row) return byRow!;
      const [kept] = await rows<{ thisKey: boolean; anySignal: boolean }>(sql`
        select coalesce(bool_or(key = ${key}), false) as "thisKey", count(*) > 0 as "anySignal"
        from ${signals} where run_id = ${runId} and task_id = ${taskId}`);
      const byKept = refusedByKept(row, kept!);
      if (byKept) return byKept;
      await exec(sql`
        insert into ${signals} (run_id, task_id, key, payload, created_at)
        values (${runId}, ${taskId}, ${key}, ${payload}, ${now})`);
      const woken =
        (
          await rows(sql`
            update ${tasks} set status = 'Ready', available_at = ${now}, wait_state = ${payload}
            where run_id = ${runId} and task_id = ${taskId} and status = 'Waiting' and wait_kind = 'signal'
            returning task_id`)
        ).length > 0;
      return delivered(row, woken);
    },
    expiredRuns: async ({ now }) =>
      (
        await rows<{ run_id: string }>(sql`
          select run_id from ${runs} where status = 'Running' and deadline is not null and deadline <= ${now}`)
      ).map((r) => r.run_id),
    insertAttempts: async ({ now, attempts: list }) => {
      await exec(sql`
        insert into ${attempts} (run_id, task_id, attempt, status, error, finished_at)
        select a.run_id, a.task_id, a.attempt, a.status, a.error, ${now}
        from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.taskId))},
                    ${ints(list.map((x) => x.attempt))}, ${texts(list.map((x) => x.status))},
                    ${texts(list.map((x) => x.error))}) as a(run_id, task_id, attempt, status, error)
        on conflict do nothing`);
    },
    requestCancels: async ({ runIds }) =>
      (
        await rows<{ run_id: string }>(sql`
          with recursive tree(run_id) as (
            select unnest(${texts(runIds)})
            union
            select r.run_id from ${runs} r join tree on r.parent_run_id = tree.run_id
          )
          update ${runs} set cancel_requested = 1
          where run_id in (select run_id from tree) and status = 'Running'
          returning run_id`)
      )
        .map((r) => r.run_id)
        .sort(),
    cancelWaiting: async ({ runIds, now }) =>
      perRun(
        await rows<{ run_id: string }>(sql`
          update ${tasks} set status = 'Cancelled', finished_at = ${now}
          where run_id = any(${texts(runIds)}) and status in ('Pending', 'Ready', 'Waiting')
          returning run_id`),
      ),
    countDown: async ({ runs: list }) =>
      (
        await rows<CountersRow>(sql`
          update ${runs} r set unfinished = r.unfinished - u.finished, failed = r.failed + u.failed
          from unnest(${texts(list.map((x) => x.runId))}, ${ints(list.map((x) => x.finished))},
                      ${ints(list.map((x) => x.failed))}) as u(run_id, finished, failed)
          where r.run_id = u.run_id
          returning r.run_id, r.unfinished, r.failed, r.cancel_requested, r.status`)
      ).map(counters),
    finishRuns: async ({ runs: list, now }) =>
      (
        await rows<{ run_id: string; parent_run_id: string | null; parent_task_id: string | null }>(sql`
          update ${runs} r set status = u.status, finished_at = ${now}, error = u.error
          from unnest(${texts(list.map((x) => x.runId))}, ${texts(list.map((x) => x.status))},
                      ${sql`${list.map((x) => x.error ?? null)}::text[]`}) as u(run_id, status, error)
          where r.run_id = u.run_id and r.status = 'Running'
          returning r.run_id, r.parent_run_id, r.parent_task_id`)
      ).map((r) => ({
        runId: r.run_id,
        parent:
          r.parent_run_id !== null && r.parent_task_id !== null
            ? { runId: r.parent_run_id, taskId: r.parent_task_id }
            : null,
      })),
    claim: async ({ owner, now, leaseExpiresAt, versions, limit }) =>
      (
        await rows<{
          run_id: string;
          task_id: string;
          workflow_version: string;
          attempt: number;
          max_attempts: number;
          recoveries: number;
          failed_deps: number;
          skipped_deps: number;
          wait_kind: WaitKind | null;
          wait_state: string | null;
          calls: number;
          started_at: number;
          instance_of: string | null;
          instance_index: number | null;
          element: string | null;
        }>(sql`
          update ${tasks} t
          set status = 'Running', attempt = t.attempt + 1, lease_owner = ${owner},
              lease_expires_at = ${leaseExpiresAt}, started_at = coalesce(t.started_at, ${now})
          from (
            select run_id, task_id from ${tasks}
            where status = 'Ready' and available_at <= ${now} and workflow_version = any(${texts(versions)})
            order by available_at, run_id, task_id
            limit ${limit}
            for update skip locked
          ) c
          where t.run_id = c.run_id and t.task_id = c.task_id
          returning t.run_id, t.task_id, t.workflow_version, t.attempt, t.max_attempts, t.recoveries,
                    t.failed_deps, t.skipped_deps, t.wait_kind, t.wait_state, t.calls, t.started_at,
                    t.instance_of, t.instance_index, t.element`)
      ).map((r) => ({
        runId: r.run_id,
        taskId: r.task_id,
        workflowVersion: r.workflow_version,
        attempt: r.attempt,
        maxAttempts: r.max_attempts,
        recoveries: r.recoveries,
        failedDependencies: r.failed_deps,
        skippedDependencies: r.skipped_deps,
        woken: r.wait_kind === null ? null : { kind: r.wait_kind, state: r.wait_state, calls: r.calls },
        firstStartedAt: r.started_at,
        instance:
          r.instance_of === null ? null : { of: r.instance_of, index: r.instance_index ?? 0, element: r.element ?? "" },
      })),
    nextAvailableAt: async ({ now, versions }) =>
      // The earliest of a retry delay's end, a wake time and a deadline, each on its partial index.
      (
        await rows<{ at: number | null }>(sql`
          select least(
            (select min(available_at) from ${tasks}
             where status = 'Ready' and available_at > ${now} and workflow_version = any(${texts(versions)})),
            (select min(wake_at) from ${tasks}
             where status = 'Waiting' and wake_at > ${now} and workflow_version = any(${texts(versions)})),
            (select min(deadline) from ${runs} where status = 'Running' and deadline > ${now})) as at`)
      )[0]?.at ?? null,
    recoverLeases: async ({ now, deadOwners }) =>
      (
        await rows<{ run_id: string; task_id: string; attempt: number }>(sql`
          update ${tasks}
          set status = 'Ready', recoveries = recoveries + 1, lease_owner = null, lease_expires_at = null,
              available_at = ${now}
          where status = 'Running' and (lease_expires_at < ${now} or lease_owner = any(${texts(deadOwners)}))
          returning run_id, task_id, attempt`)
      ).map((r) => ({ runId: r.run_id, taskId: r.task_id, attempt: r.attempt })),
    reopenRun: async ({ runId, unfinished, deadline }) =>
      (
        await rows<{ run_id: string }>(sql`
          update ${runs} set status = 'Running', unfinished = ${unfinished}, failed = 0, cancel_requested = 0,
                 finished_at = null, error = null, deadline = ${deadline}
          where run_id = ${runId} and status in ('Failed', 'Cancelled')
          returning run_id`)
      ).length > 0,
    resetTasks: async ({ runId, tasks: list, now }) => {
      // One statement (a result-less operation is sent without waiting: see pg-driver.ts):
      // signals kept for the tasks go too, so that a signal wait waits afresh.
      // A task reset as new loses its instances (a map expands afresh); a mapped task reset with
      // its instances waits for those reset (Ready to collect when none is).
      const fresh = list.filter((x) => !x.keepsInstances).map((x) => x.taskId);
      await exec(sql`
        with forgotten as (
          delete from ${signals}
          where run_id = ${runId} and task_id = any(${texts(fresh)})
        ), dropped as (
          delete from ${tasks} where run_id = ${runId} and instance_of = any(${texts(fresh)})
        )
        update ${tasks} t
        set status = case when u.deps = 0 then 'Ready' when u.keeps = 1 then 'Waiting' else 'Pending' end,
            pending_deps = u.deps, failed_deps = 0, skipped_deps = 0, max_attempts = u.max_attempts, recoveries = 0,
            available_at = ${now}, lease_owner = null, lease_expires_at = null, output = null, error = null,
            finished_at = null, wake_at = null, wait_state = null,
            started_at = case when u.keeps = 1 then t.started_at end,
            wait_kind = case when u.keeps = 1 then 'map' end,
            calls = case when u.keeps = 1 then t.calls else 0 end
        from unnest(${texts(list.map((x) => x.taskId))}, ${ints(list.map((x) => x.pendingDependencies))},
                    ${ints(list.map((x) => x.maxAttempts))}, ${ints(list.map((x) => (x.keepsInstances ? 1 : 0)))})
             as u(task_id, deps, max_attempts, keeps)
        where t.run_id = ${runId} and t.task_id = u.task_id`);
    },
    cancelRequested: async ({ runIds }) =>
      (
        await rows<{ run_id: string }>(sql`
          select run_id from ${runs}
          where run_id = any(${texts(runIds)}) and (cancel_requested = 1 or status <> 'Running')`)
      ).map((r) => r.run_id),
  };
  return (op, args) => (ops[op] as (a: typeof args) => Promise<never>)(args);
}

interface CountersRow {
  run_id: string;
  unfinished: number;
  failed: number;
  cancel_requested: number;
  status: string;
}

const counters = (r: CountersRow): RunCounters => ({
  runId: r.run_id,
  unfinished: r.unfinished,
  failed: r.failed,
  cancelRequested: r.cancel_requested === 1,
  status: r.status,
});

/**
 * The INSERT of a transaction's events, one statement for any number. The transaction id column
 * defaults to this transaction's: readers order by it. The store sends it together with the
 * transaction's notices, in one round trip.
 */
export function eventInsert(schema: string, list: readonly NewEvent[]): RawBuilder<unknown> {
  const c = eventColumns(list);
  return sql`
    insert into ${sql.table(`${schema}.cloacina_events`)} (run_id, task_id, type, attempt, at, data)
    select * from unnest(${sql`${c.runIds}::text[]`}, ${sql`${c.taskIds}::text[]`}, ${sql`${c.types}::text[]`},
                         ${sql`${c.attempts}::int[]`}, ${sql`${c.ats}::int8[]`}, ${sql`${c.data}::text[]`})`;
}
