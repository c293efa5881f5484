import { type ErrorCode, ExecutorError, TaskFailedError } from "../errors.js";
import { decodeContext } from "../marshal/marshal.js";
import { fromStoredError } from "../runtime/stored-error.js";
import type { RunRecord, TaskRecord } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { Context, FinalRunStatus, RunStatus, TaskStatus } from "../types.js";

export interface TaskResult {
  id: string;
  status: TaskStatus;
  /** Attempts started (a retried task has more than one). */
  attempts: number;
  /** The last attempt's error, rebuilt as an Error (name, message, stack, code, cause). */
  error?: Error;
  startedAt?: Date;
  finishedAt?: Date;
}

interface RunResultBase {
  executionId: string;
  workflow: string;
  /** Tasks in the workflow's topological order. */
  tasks: TaskResult[];
  /** Why the run failed: a TaskFailedError naming the first failed task, its error as `cause`. */
  error?: Error;
}

/**
 * What `execute()` and `handle.result()` resolve with. `finalContext` is the input merged with
 * every completed task's output, in the workflow's topological order (ties by task id), decoded
 * afresh (Dates are Dates, BigInts are BigInts). Only a Completed run has every output: check
 * `status` first, and a typed workflow's `finalContext` is typed in full.
 */
export type RunResult<Ctx extends Context = Context> =
  | (RunResultBase & { status: "Completed"; finalContext: Ctx })
  | (RunResultBase & { status: Exclude<FinalRunStatus, "Completed">; finalContext: Partial<Ctx> });

/** Reads a run and builds its result, in one query. Also used for runs stored by another process. */
export async function readResult<Ctx extends Context>(store: Store, runId: string): Promise<RunResult<Ctx>> {
  const stored = await store.runs.getRunWithTasks(runId);
  if (!stored) throw runNotFound(runId);
  return buildResult<Ctx>(stored.run, stored.tasks);
}

export function buildResult<Ctx extends Context>(run: RunRecord, tasks: TaskRecord[]): RunResult<Ctx> {
  const finalContext = decodeContext(run.input);
  for (const task of tasks) {
    if (task.status === "Completed" && task.output !== null) Object.assign(finalContext, decodeContext(task.output));
  }
  // The stored values are what the workflow's types describe; the store itself is untyped.
  const result = {
    executionId: run.runId,
    workflow: run.workflowName,
    status: finalStatus(run.status),
    finalContext,
    tasks: tasks.map(taskResult),
  } as RunResult<Ctx>;
  const failed = tasks.find((t) => t.status === "Failed");
  if (run.status === "Failed" && run.error) {
    result.error = new ExecutorError((run.error.code ?? "STORE_FAILURE") as ErrorCode, run.error.message, {
      cause: fromStoredError(run.error),
    });
  } else if (run.status === "Failed" && failed?.error) {
    result.error = new TaskFailedError(
      "TASK_FAILED",
      `Task "${failed.taskId}" failed after ${failed.attempt} attempt(s): ${failed.error.message}`,
      { cause: fromStoredError(failed.error), details: { taskId: failed.taskId } },
    );
  }
  return result;
}

function finalStatus(status: RunStatus): FinalRunStatus {
  // A result is only built for a finished run; "Running" here would be a bug in the caller.
  if (status === "Running")
    throw new ExecutorError("INTERNAL_ERROR", "A result was read for a run that is still running.");
  return status;
}

function taskResult(task: TaskRecord): TaskResult {
  const result: TaskResult = { id: task.taskId, status: task.status, attempts: task.attempt };
  if (task.error && task.status !== "Completed") result.error = fromStoredError(task.error);
  if (task.startedAt !== null) result.startedAt = new Date(task.startedAt);
  if (task.finishedAt !== null) result.finishedAt = new Date(task.finishedAt);
  return result;
}

export function runNotFound(runId: string): ExecutorError {
  return new ExecutorError("RUN_NOT_FOUND", `No run with execution id "${runId}" is stored in this database.`, {
    details: { executionId: runId },
  });
}
