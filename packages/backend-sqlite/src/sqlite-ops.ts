import type { StoreOpName, StoreOps } from "@cloacina/engine";
import type { SqliteQueries } from "./sqlite-queries.js";
import type { TaskRunsRow } from "./schema.js";

export type SqliteOps = { [K in StoreOpName]: (args: StoreOps[K]["args"]) => StoreOps[K]["result"] };

/** The engine's row-level operations, each one prepared statement (or a few, for a run's rows). */
export function sqliteOps(q: SqliteQueries): SqliteOps {
  return {
    insertRun: ({ run, now }) => {
      q.insertRun.run(run.runId, run.workflowName, run.workflowVersion, run.input, run.tasks.length, now);
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
    },
    finishTask: (a) =>
      q.finishTask.run(a.status, a.output, a.error, a.now, a.runId, a.taskId, a.attempt, a.owner).changes > 0,
    retryTask: (a) => q.retryTask.run(a.availableAt, a.error, a.runId, a.taskId, a.attempt, a.owner).changes > 0,
    insertAttempt: (a) => void q.insertAttempt.run(a.runId, a.taskId, a.attempt, a.status, a.error, a.now),
    releaseChildren: (a) => void q.releaseChildren.run(a.now, a.runId, JSON.stringify(a.children)),
    skipTasks: (a) => q.skipTasks.run(a.now, a.runId, JSON.stringify(a.taskIds)).changes,
    requestCancel: (a) => q.requestCancel.run(a.runId).changes > 0,
    cancelWaiting: (a) => q.cancelWaitingTasks.run(a.now, a.runId).changes,
    countDown: (a) => {
      const row = q.countDown.get<{ unfinished: number; failed: number; cancel_requested: number; status: string }>(
        a.finished,
        a.failed,
        a.runId,
      );
      return (
        row && {
          unfinished: row.unfinished,
          failed: row.failed,
          cancelRequested: row.cancel_requested === 1,
          status: row.status,
        }
      );
    },
    finishRun: (a) => void q.finishRun.run(a.status, a.now, a.runId),
    claim: (a) =>
      q.claim
        .all<Pick<TaskRunsRow, "run_id" | "task_id" | "workflow_version" | "attempt" | "max_attempts" | "recoveries">>(
          a.owner,
          a.leaseExpiresAt,
          a.now,
          JSON.stringify(a.versions),
          a.limit,
        )
        .map((r) => ({
          runId: r.run_id,
          taskId: r.task_id,
          workflowVersion: r.workflow_version,
          attempt: r.attempt,
          maxAttempts: r.max_attempts,
          recoveries: r.recoveries,
        })),
    nextAvailableAt: (a) => q.nextAvailableAt.get<{ at: number | null }>(a.now, JSON.stringify(a.versions))?.at ?? null,
    recoverLeases: (a) =>
      q.recoverLeases.all<{ run_id: string }>(a.now, JSON.stringify(a.deadOwners)).map((r) => ({ runId: r.run_id })),
    isCancelRequested: (a) => q.isCancelRequested.get<{ cancel_requested: number }>(a.runId)?.cancel_requested === 1,
  };
}
