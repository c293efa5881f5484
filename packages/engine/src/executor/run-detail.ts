/**
 * A run as an operator sees it (the CLI's `show`, the dashboard's run page): every task with its
 * dependencies, attempts, errors and decoded contexts.
 */
import type { WaitKind } from "../events/event.js";
import { decodeContext } from "../marshal/marshal.js";
import type { AttemptRecord, RunRecord, TaskRecord } from "../store/records.js";
import type { Context, RunStatus, StoredError, TaskStatus } from "../types.js";

export interface AttemptDetail {
  attempt: number;
  status: "Failed" | "Cancelled";
  error: StoredError;
  finishedAt: Date;
}

export interface TaskDetail {
  id: string;
  status: TaskStatus;
  /** The task's dependencies in the run's workflow version (empty for a root). */
  dependsOn: string[];
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** Times it was put back to Ready after its worker vanished. */
  recoveries: number;
  startedAt?: Date;
  finishedAt?: Date;
  /** From the first attempt's start to the task's end. */
  durationMs?: number;
  /** The output patch it returned (Completed tasks), decoded. */
  output?: Context;
  /** The last attempt's error (Failed, Cancelled, or a Ready task waiting to retry). */
  error?: StoredError;
  /** Attempts that did not complete it, oldest first. */
  failedAttempts: AttemptDetail[];
  /** While Waiting: what for (its sleep, a signal, its next call) and until when (absent: a signal). */
  waiting?: { for: WaitKind; until?: Date };
  /** How many times it waited (slept, waited for a signal, or asked to be called again). */
  calls: number;
}

export interface RunDetail {
  executionId: string;
  workflow: string;
  workflowVersion: string;
  status: RunStatus;
  cancelRequested: boolean;
  createdAt: Date;
  finishedAt?: Date;
  /** The input context, decoded. */
  input: Context;
  /** The run-level error (a workflow version mismatch), when no task's failure says it. */
  error?: StoredError;
  /** Tasks in the workflow's topological order. */
  tasks: TaskDetail[];
}

export function buildRunDetail(
  run: RunRecord,
  tasks: readonly TaskRecord[],
  attempts: readonly AttemptRecord[],
  dependencies: ReadonlyMap<string, readonly string[]>,
): RunDetail {
  const detail: RunDetail = {
    executionId: run.runId,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status: run.status,
    cancelRequested: run.cancelRequested,
    createdAt: new Date(run.createdAt),
    input: decodeContext(run.input),
    tasks: tasks.map((task) => {
      const t: TaskDetail = {
        id: task.taskId,
        status: task.status,
        dependsOn: [...(dependencies.get(task.taskId) ?? [])],
        attempts: task.attempt,
        maxAttempts: task.maxAttempts,
        recoveries: task.recoveries,
        calls: task.calls,
        failedAttempts: attempts
          .filter((a) => a.taskId === task.taskId)
          .sort((a, b) => a.attempt - b.attempt)
          .map((a) => ({ attempt: a.attempt, status: a.status, error: a.error, finishedAt: new Date(a.finishedAt) })),
      };
      if (task.startedAt !== null) t.startedAt = new Date(task.startedAt);
      if (task.finishedAt !== null) t.finishedAt = new Date(task.finishedAt);
      if (task.startedAt !== null && task.finishedAt !== null) t.durationMs = task.finishedAt - task.startedAt;
      if (task.status === "Completed" && task.output !== null) t.output = decodeContext(task.output);
      if (task.error && task.status !== "Completed") t.error = task.error;
      if (task.waiting) {
        t.waiting = {
          for: task.waiting.for,
          ...(task.waiting.until === null ? {} : { until: new Date(task.waiting.until) }),
        };
      }
      return t;
    }),
  };
  if (run.finishedAt !== null) detail.finishedAt = new Date(run.finishedAt);
  if (run.error) detail.error = run.error;
  return detail;
}
