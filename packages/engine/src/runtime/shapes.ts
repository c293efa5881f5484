/**
 * Attempts of tasks whose shape depends on data: a mapped task (it expands into one instance per
 * element, then collects their outputs) and a child workflow task (it starts a child run, then
 * completes with the child's final context). Each step is a {@link WaitResult}, as for waiting
 * tasks: the task waits without a worker between them.
 */
import { CloacinaError, ExecutorError, MarshalError, TaskFailedError, ValidationError } from "../errors.js";
import type { RunResult } from "../executor/result.js";
import { type ChildSpec, childWaitState, type MapSpec, MAX_MAP_LENGTH } from "../map/specs.js";
import { decode, encode } from "../marshal/marshal.js";
import type { ClaimedTask, InstanceRecord, NewRun } from "../store/records.js";
import type { Context } from "../types.js";
import type { Workflow } from "../workflow/workflow.js";
import type { WaitResult } from "./waiting.js";

/** What map and child attempts need from their executor (reads, and how a child run is made). */
export interface ShapeServices {
  /** A mapped task's instances, in element order. */
  instances(runId: string, taskId: string): Promise<InstanceRecord[]>;
  /** A run of `wf` with `input`, checked as a start checks it, to store as a child run. */
  childRun(wf: Workflow, input: unknown, parent: { runId: string; taskId: string }, key: string): Promise<NewRun>;
  /** A finished run's result. */
  result(runId: string): Promise<RunResult>;
}

/**
 * The first attempt of a mapped task: one instance per element of the array it maps over, or
 * completion at once with `[]` for an empty one. A bad array fails the task for good.
 */
export function expand(
  spec: MapSpec,
  task: ClaimedTask,
  ctx: Context,
  maxAttempts: number,
  maxBytes: number,
): WaitResult {
  let array: unknown;
  try {
    array = spec.over(ctx);
  } catch (error) {
    // A missing path stays missing; a function that threw may succeed on a retry.
    return error instanceof CloacinaError && error.code === "MAP_PATH_MISSING" ? { ranOut: error } : { error };
  }
  if (!Array.isArray(array)) {
    return {
      ranOut: new ValidationError(
        "MAP_NOT_ARRAY",
        `Task "${task.taskId}" maps over ${spec.overLabel}, which is ${describe(array)}, not an array.`,
        { details: { taskId: task.taskId, over: spec.overLabel } },
      ),
    };
  }
  if (array.length > MAX_MAP_LENGTH) {
    return {
      ranOut: new ValidationError(
        "MAP_TOO_LARGE",
        `Task "${task.taskId}" maps over ${spec.overLabel}, which has ${array.length} elements; a map has at most ` +
          `${MAX_MAP_LENGTH}. Split the work (a map of batches), or map over references to the data.`,
        { details: { taskId: task.taskId, length: array.length, max: MAX_MAP_LENGTH } },
      ),
    };
  }
  if (array.length === 0) return { completed: encode({ [spec.into]: [] }, `the output of task "${task.taskId}"`) };
  const elements: string[] = [];
  for (let i = 0; i < array.length; i++) {
    try {
      elements.push(encode(array[i], `element ${i} of the array task "${task.taskId}" maps over`, maxBytes));
    } catch (error) {
      return {
        ranOut: new MarshalError(
          "MAP_ELEMENT_NOT_STORABLE",
          `Task "${task.taskId}" maps over ${spec.overLabel}: ${(error as Error).message}`,
          { cause: error, details: { taskId: task.taskId, index: i } },
        ),
      };
    }
  }
  const lanes = spec.maxParallel !== undefined && spec.maxParallel < elements.length ? spec.maxParallel : null;
  const { runId, taskId, attempt } = task;
  return { outcome: { kind: "expand", runId, taskId, attempt, elements, lanes, maxAttempts } };
}

/**
 * A mapped task woken by its last instance: their outputs, in element order, under its key. A
 * failed instance (its retries spent) fails the task for good; `executor.retry` re-runs it.
 */
export async function collect(
  spec: MapSpec,
  task: ClaimedTask,
  services: ShapeServices,
  maxBytes: number,
): Promise<WaitResult> {
  const instances = await services.instances(task.runId, task.taskId);
  const failed = instances.filter((i) => i.status !== "Completed");
  if (failed.length > 0) {
    const first = failed[0]!;
    return {
      ranOut: new TaskFailedError(
        "MAP_INSTANCE_FAILED",
        `${failed.length} of ${instances.length} instances of task "${task.taskId}" did not complete; the first, ` +
          `element ${first.index}, is ${first.status}${first.error ? `: ${first.error.message}` : ""}`,
        {
          cause: first.error ?? undefined,
          details: { taskId: task.taskId, failed: failed.slice(0, 20).map((i) => i.index), count: failed.length },
        },
      ),
    };
  }
  // One output decoded at a time: the array being built is the only copy.
  const outputs = instances.map((i) => (i.output === null ? null : decode(i.output)));
  try {
    return { completed: encode({ [spec.into]: outputs }, `the output of task "${task.taskId}"`, maxBytes) };
  } catch (error) {
    return { ranOut: error };
  }
}

/**
 * Starts the child run of a child workflow task (or of one instance of a mapped one) and waits
 * for it. Its idempotency key is the task row's and attempt's: a crash before this wait is
 * stored starts it again with the same key, so a task attempt has one child at most.
 */
export async function startChild(
  spec: ChildSpec,
  task: ClaimedTask,
  ctx: Context,
  instance: { element: unknown; index: number } | undefined,
  services: ShapeServices,
): Promise<WaitResult> {
  let wf: Workflow;
  try {
    wf = spec.workflow();
  } catch (cause) {
    return {
      ranOut: new ExecutorError(
        "CHILD_WORKFLOW_NOT_REGISTERED",
        `Task "${task.taskId}" starts a child workflow that cannot be resolved here: ${(cause as Error).message}`,
        { cause, details: { taskId: task.taskId } },
      ),
    };
  }
  let input: unknown;
  try {
    input = spec.input(ctx, instance);
  } catch (error) {
    return { error };
  }
  let child: NewRun;
  try {
    const key = `cloacina:child:${task.runId}:${task.taskId}:${task.attempt}`;
    child = await services.childRun(wf, input, { runId: task.runId, taskId: task.taskId }, key);
  } catch (error) {
    const wrapped =
      error instanceof CloacinaError
        ? new ValidationError(
            "INVALID_CHILD_INPUT",
            `Task "${task.taskId}" cannot start a run of workflow "${wf.name}": ${error.message}`,
            { cause: error, details: { taskId: task.taskId, workflow: wf.name } },
          )
        : error;
    return { ranOut: wrapped };
  }
  const { runId, taskId, attempt } = task;
  return { outcome: { kind: "startChild", runId, taskId, attempt, child } };
}

/**
 * A child workflow task woken by its child's end: the child's final context (under `into`, or
 * as the instance's output when mapped), or the child's failure, which its retry policy may
 * retry with a new child run.
 */
export async function childEnded(
  task: ClaimedTask,
  into: string | undefined,
  services: ShapeServices,
  maxBytes: number,
): Promise<WaitResult> {
  const childRunId = childWaitState(task.woken?.state ?? null)?.run;
  if (!childRunId) return { ranOut: new ExecutorError("INTERNAL_ERROR", `Task "${task.taskId}" has no child run.`) };
  const result = await services.result(childRunId);
  if (result.status === "Completed") {
    const value = into === undefined ? result.finalContext : { [into]: result.finalContext };
    try {
      return { completed: encode(value, `the final context of child run ${childRunId}`, maxBytes) };
    } catch (error) {
      return { ranOut: error };
    }
  }
  const cancelled = result.status === "Cancelled";
  return {
    error: new TaskFailedError(
      cancelled ? "CHILD_RUN_CANCELLED" : "CHILD_RUN_FAILED",
      `Child run ${childRunId} of workflow "${result.workflow}" ${cancelled ? "was cancelled" : "failed"}` +
        (result.error ? `: ${result.error.message}` : "."),
      { cause: result.error, details: { childRunId, workflow: result.workflow } },
    ),
  };
}

/**
 * Whether a claimed child workflow task waits for a child run already (it was woken by the
 * child's end, or recovered after a crash while reading it). A retry forgets the child: see
 * `forgetWait`.
 */
export function wokenByChild(task: ClaimedTask): boolean {
  return task.woken?.kind === "child";
}

/** An instance's element, decoded (a fresh copy for each attempt). */
export function elementOf(task: ClaimedTask): unknown {
  return task.instance ? decode(task.instance.element) : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "object") return `an object (${value.constructor?.name ?? "no prototype"})`;
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}
