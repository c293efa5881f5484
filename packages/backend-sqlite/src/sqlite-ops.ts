import type { WaitKind } from "@cloacina/engine";
import {
  type ClaimedTask,
  delivered,
  type HeldAttempt,
  instanceTaskId,
  refusedByKept,
  refusedByRow,
  type RunCounters,
  type SharedOpName,
  type SignalTarget,
  type StoreOpName,
  type StoreOps,
  type TaskRunsRow,
} from "@cloacina/engine/store";
import type { SqliteQueries } from "./sqlite-queries.js";

/** What a claimed task waited for before this claim, from its row. */
function woken(r: Pick<TaskRunsRow, "wait_kind" | "wait_state" | "calls">): ClaimedTask["woken"] {
  return r.wait_kind === null ? null : { kind: r.wait_kind as WaitKind, state: r.wait_state, calls: r.calls };
}

/** SQLite binds at most 32,766 parameters; 6 a row, and few distinct statements to prepare. */
const EVENTS_PER_STATEMENT = 64;

/** The operations whose SQL is SQLite's own (the others are the engine's shared kysely ones). */
export type SqliteOpName = Exclude<StoreOpName, SharedOpName | "notify">;
export type SqliteOps = { [K in SqliteOpName]: (args: StoreOps[K]["args"]) => StoreOps[K]["result"] };

/**
 * The engine's batch operations on SQLite: each loops one prepared statement. Inside a
 * transaction that costs a few microseconds a row and no round trip, so there is nothing to gain
 * from building one statement per batch.
 */
export function sqliteOps(q: SqliteQueries): SqliteOps {
  // A step appends a few events: prepare the common row counts now, not on a hot path.
  for (let n = 1; n <= 8; n++) q.insertEvents(n);
  const perRun = (entries: Iterable<[string, number]>) => {
    const counts = new Map<string, number>();
    for (const [runId, n] of entries) if (n > 0) counts.set(runId, (counts.get(runId) ?? 0) + n);
    return counts;
  };
  // The runtime passes the same versions array until its registry changes: encode it once.
  const versionsText = new WeakMap<readonly string[], string>();
  const versionList = (versions: readonly string[]) => {
    let text = versionsText.get(versions);
    if (text === undefined) versionsText.set(versions, (text = `|${versions.join("|")}|`));
    return text;
  };
  const countDown = (runs: StoreOps["countDown"]["args"]["runs"]): RunCounters[] =>
    runs.flatMap((r) => {
      const row = q.countDown.get<{ unfinished: number; failed: number; cancel_requested: number; status: string }>(
        r.finished,
        r.failed,
        r.runId,
      );
      if (!row) return [];
      const { unfinished, failed, status } = row;
      return [{ runId: r.runId, unfinished, failed, status, cancelRequested: row.cancel_requested === 1 }];
    });
  return {
    insertRuns: ({ runs, now }) => {
      const deduplicated: StoreOps["insertRuns"]["result"] = [];
      for (const run of runs) {
        const key = run.idempotencyKey ?? null;
        const inserted = q.insertRun.run(
          run.runId,
          run.workflowName,
          run.workflowVersion,
          run.input,
          run.tasks.length,
          now,
          key,
          run.deadline ?? null,
          run.parent?.runId ?? null,
          run.parent?.taskId ?? null,
        );
        if (inserted.changes === 0 && key !== null) {
          const existing = q.runByKey.get<{ run_id: string; workflow_name: string }>(key)!;
          deduplicated.push({
            runId: run.runId,
            existingRunId: existing.run_id,
            existingWorkflow: existing.workflow_name,
          });
          continue;
        }
        for (const t of run.tasks) {
          const status = t.pendingDependencies === 0 ? "Ready" : "Pending";
          q.insertTask.run(
            run.runId,
            t.taskId,
            t.position,
            run.workflowVersion,
            status,
            t.maxAttempts,
            t.pendingDependencies,
            now,
          );
        }
      }
      return deduplicated;
    },
    finishTasks: ({ owner, now, tasks }) => {
      const held: HeldAttempt[] = [];
      const ready: { runId: string; taskId: string }[] = [];
      const perRunCounts = new Map<string, { finished: number; failed: number }>();
      for (const t of tasks) {
        if (q.finishTask.run(t.status, t.output, t.error, now, t.runId, t.taskId, t.attempt, owner).changes === 0) {
          continue;
        }
        held.push({ runId: t.runId, taskId: t.taskId, attempt: t.attempt });
        // One statement per child: the one that brings its count to zero makes it Ready.
        for (const child of t.release?.children ?? []) {
          const { failed, skipped } = t.release!;
          if (q.releaseTask.get<{ status: string }>(1, failed, skipped, now, t.runId, child)?.status === "Ready") {
            ready.push({ runId: t.runId, taskId: child });
          }
        }
        const tally = perRunCounts.get(t.runId) ?? { finished: 0, failed: 0 };
        tally.finished++;
        if (t.failsRun) tally.failed++;
        perRunCounts.set(t.runId, tally);
      }
      const runs = countDown([...perRunCounts].map(([runId, tally]) => ({ runId, ...tally })));
      return { held, ready, runs };
    },
    retryTasks: ({ owner, tasks }) =>
      tasks.filter(
        (t) =>
          q.retryTask.run(t.availableAt, t.error, t.forgetWait ? 1 : 0, t.runId, t.taskId, t.attempt, owner).changes >
          0,
      ),
    waitTasks: ({ owner, now, tasks }) => {
      const held: HeldAttempt[] = [];
      const signalled: { runId: string; taskId: string }[] = [];
      for (const t of tasks) {
        if (q.waitTask.run(t.kind, t.wakeAt, t.state, t.runId, t.taskId, t.attempt, owner).changes === 0) continue;
        held.push({ runId: t.runId, taskId: t.taskId, attempt: t.attempt });
        if (t.kind !== "signal") continue;
        // A signal sent before the task started waiting was kept for it.
        const kept = q.oldestSignal.get<{ payload: string }>(t.runId, t.taskId);
        if (kept && q.wakeWithSignal.run(kept.payload, now, t.runId, t.taskId).changes > 0) {
          signalled.push({ runId: t.runId, taskId: t.taskId });
        }
      }
      return { held, signalled };
    },
    expandTasks: ({ owner, now, tasks }) => {
      const held: HeldAttempt[] = [];
      const added: { runId: string; finished: number; failed: number }[] = [];
      for (const t of tasks) {
        const n = t.elements.length;
        const parent = q.expandTask.get<{ position: number; workflow_version: string }>(
          n,
          t.runId,
          t.taskId,
          t.attempt,
          owner,
        );
        if (!parent) continue;
        held.push({ runId: t.runId, taskId: t.taskId, attempt: t.attempt });
        t.elements.forEach((element, i) => {
          // Past the first `lanes`, an instance waits for the one `lanes` before it.
          const waits = t.lanes !== null && i >= t.lanes ? 1 : 0;
          q.insertInstance.run(
            t.runId,
            instanceTaskId(t.taskId, i),
            parent.position,
            parent.workflow_version,
            waits ? "Pending" : "Ready",
            t.maxAttempts,
            waits,
            now,
            t.taskId,
            i,
            element,
          );
        });
        added.push({ runId: t.runId, finished: -n, failed: 0 }); // the instances are unfinished tasks of the run
      }
      countDown(added);
      return held;
    },
    wakeTasks: ({ tasks, kind, now }) => tasks.filter((t) => q.wakeTask.run(now, t.runId, t.taskId, kind).changes > 0),
    wakeDue: ({ now, versions }) =>
      q.wakeDue
        .all<{ run_id: string; task_id: string }>(now, versionList(versions))
        .map((r) => ({ runId: r.run_id, taskId: r.task_id })),
    deliverSignal: ({ runId, taskId, key, payload, now }) => {
      // One writer at a time (BEGIN IMMEDIATE): nothing changes between these reads and writes.
      const row = q.taskForSignal.get<SignalTarget>(runId, taskId);
      const byRow = refusedByRow(row);
      if (byRow || !row) return byRow!;
      const kept = {
        thisKey: q.signalWithKey.get(runId, taskId, key) !== undefined,
        anySignal: q.anySignal.get(runId, taskId) !== undefined,
      };
      const byKept = refusedByKept(row, kept);
      if (byKept) return byKept;
      q.insertSignal.run(runId, taskId, key, payload, now);
      return delivered(row, q.wakeWithSignal.run(payload, now, runId, taskId).changes > 0);
    },
    expiredRuns: ({ now }) => q.expiredRuns.all<{ run_id: string }>(now).map((r) => r.run_id),
    insertAttempts: ({ now, attempts }) => {
      for (const a of attempts) q.insertAttempt.run(a.runId, a.taskId, a.attempt, a.status, a.error, now);
    },
    requestCancels: ({ runIds }) =>
      q.requestCancels
        .all<{ run_id: string }>(JSON.stringify(runIds))
        .map((r) => r.run_id)
        .sort(),
    cancelWaiting: ({ runIds, now }) =>
      perRun(runIds.map((runId) => [runId, q.cancelWaitingTasks.run(now, runId).changes])),
    countDown: ({ runs }) => countDown(runs),
    finishRuns: ({ runs, now }) =>
      runs.flatMap((r) => {
        const row = q.finishRun.get<{ parent_run_id: string | null; parent_task_id: string | null }>(
          r.status,
          now,
          r.error ?? null,
          r.runId,
        );
        if (!row) return [];
        const { parent_run_id: runId, parent_task_id: taskId } = row;
        return [{ runId: r.runId, parent: runId !== null && taskId !== null ? { runId, taskId } : null }];
      }),
    claim: (a) =>
      q.claimable
        .all<
          Pick<
            TaskRunsRow,
            | "run_id"
            | "task_id"
            | "workflow_version"
            | "attempt"
            | "max_attempts"
            | "recoveries"
            | "failed_deps"
            | "skipped_deps"
            | "wait_kind"
            | "wait_state"
            | "calls"
            | "started_at"
            | "instance_of"
            | "instance_index"
            | "element"
          > & {
            rowid: number;
          }
        >(a.now, versionList(a.versions), a.limit)
        .map((r) => {
          q.claimRow.run(r.attempt + 1, a.owner, a.leaseExpiresAt, a.now, r.rowid);
          return {
            runId: r.run_id,
            taskId: r.task_id,
            workflowVersion: r.workflow_version,
            attempt: r.attempt + 1,
            maxAttempts: r.max_attempts,
            recoveries: r.recoveries,
            failedDependencies: r.failed_deps,
            skippedDependencies: r.skipped_deps,
            woken: woken(r),
            firstStartedAt: r.started_at ?? a.now,
            instance:
              r.instance_of === null
                ? null
                : { of: r.instance_of, index: r.instance_index ?? 0, element: r.element ?? "" },
          };
        }),
    nextAvailableAt: (a) => q.nextAvailableAt.get<{ at: number | null }>(a.now, versionList(a.versions))?.at ?? null,
    recoverLeases: (a) =>
      q.recoverLeases
        .all<{ run_id: string; task_id: string; attempt: number }>(a.now, JSON.stringify(a.deadOwners))
        .map((r) => ({ runId: r.run_id, taskId: r.task_id, attempt: r.attempt })),
    reopenRun: ({ runId, unfinished, deadline }) => q.reopenRun.run(unfinished, deadline, runId).changes > 0,
    resetTasks: ({ runId, tasks, now }) => {
      for (const t of tasks) {
        if (t.keepsInstances) {
          q.resetMappedTask.run(t.pendingDependencies, t.maxAttempts, now, runId, t.taskId);
          continue;
        }
        q.resetTask.run(t.pendingDependencies, t.maxAttempts, now, runId, t.taskId);
        q.forgetSignals.run(runId, t.taskId); // a signal wait waits afresh
        q.forgetInstances.run(runId, t.taskId); // a map expands afresh
      }
    },
    appendEvents: ({ events }) => {
      // Up to EVENTS_PER_STATEMENT rows a statement (one prepared statement per row count).
      for (let from = 0; from < events.length; from += EVENTS_PER_STATEMENT) {
        const chunk = events.slice(from, from + EVENTS_PER_STATEMENT);
        q.insertEvents(chunk.length).run(...chunk.flatMap((e) => [e.runId, e.taskId, e.type, e.attempt, e.at, e.data]));
      }
    },
    cancelRequested: ({ runIds }) =>
      runIds.filter((runId) => {
        const row = q.isCancelRequested.get<{ cancel_requested: number; status: string }>(runId);
        return row !== undefined && (row.cancel_requested === 1 || row.status !== "Running");
      }),
  };
}
