import { ExecutorError, MarshalError, TaskCancelledError, TaskTimeoutError } from "../errors.js";
import { encode, EMPTY_CONTEXT } from "../marshal/marshal.js";
import type { ClaimedTask, TaskOutcome } from "../store/records.js";
import { isRetryable, retryDelay } from "../task/retry-policy.js";
import { parseWith } from "../schema/validate.js";
import type { Context, StoredError, TaskRunInfo } from "../types.js";
import { ancestorsInOrder, type Workflow } from "../workflow/workflow.js";
import { shouldRun } from "../task/trigger-rule.js";
import { toStoredError } from "./stored-error.js";
import { mergeAncestors, type MergedContext, sharedContext, type SharedContext } from "./task-context.js";
import { callAgainIn, isCallAgain } from "../wait/wait-request.js";
import { waitSpecOf } from "../wait/wait-tasks.js";
import { callAgainResult, runWaitTask, stateOf, type WaitResult } from "./waiting.js";
import { childSpecOf, instanceTaskId, type MapRunInfo, mapSpecOf } from "../map/specs.js";
import { childEnded, collect, elementOf, expand, type ShapeServices, startChild, wokenByChild } from "./shapes.js";

export interface AttemptInput {
  task: ClaimedTask;
  /** The registered workflow with the run's version (claims are filtered by it, so it is there). */
  workflow: Workflow | undefined;
  /** Encoded input and outputs of the run (undefined only if the run vanished from the store). */
  state:
    | {
        input: string;
        outputs: ReadonlyMap<string, string>;
        merged?: MergedContext;
        instanceContext?: SharedContext;
      }
    | undefined;
  controller: AbortController;
  now: () => number;
  maxContextBytes: number;
  recoveryBudget: number;
  services: ShapeServices;
}

/**
 * Runs one attempt of a claimed task and says what happened. Never throws: every failure, of the
 * task or of its context, becomes an outcome the store can record.
 */
export async function runAttempt(input: AttemptInput): Promise<TaskOutcome> {
  const { task, workflow: wf } = input;
  // An instance of a mapped task runs that task's definition, on its element.
  const definitionId = task.instance?.of ?? task.taskId;
  const definition = wf?.tasks.get(definitionId);
  if (!wf || !definition) {
    return fail(input, wf, internalError(`Task "${task.taskId}" of run ${task.runId} has no definition here.`));
  }
  if (!input.state) {
    // The run's stored state could not be read (the store failed): a failure like any other,
    // which its retry policy may retry.
    return failOrRetry(
      input,
      wf,
      new ExecutorError("STORE_FAILURE", `The state of run ${task.runId} could not be read for task "${task.taskId}".`),
    );
  }
  if (task.recoveries > input.recoveryBudget) {
    return fail(
      input,
      wf,
      toStoredError(
        new ExecutorError(
          "TASK_RECOVERY_EXHAUSTED",
          `Task "${task.taskId}" was interrupted by a crash ${task.recoveries} times (budget ${input.recoveryBudget}); ` +
            `it is failed rather than retried forever. A task that kills its process every time needs fixing.`,
        ),
      ),
    );
  }
  let value: unknown;
  try {
    const state = input.state;
    // Ancestors that failed or were skipped have no output: the context merges the completed ones.
    const ancestors = ancestorsInOrder(wf, definitionId).filter((id) => state.outputs.has(id));
    const merge = () => mergeAncestors(state.input, ancestors, state.outputs, state);
    // Instances share one read-only context: decoding it for each of 10,000 elements (when it
    // holds the array mapped over) would cost 10,000 times its size.
    const context = task.instance ? sharedContext(state, definitionId, merge) : merge();
    const mapSpec = mapSpecOf(definition);
    const childSpec = childSpecOf(definition);
    const { maxContextBytes: maxBytes, services } = input;
    if (task.instance) {
      const element = elementOf(task);
      const { index } = task.instance;
      if (childSpec) {
        return finishWait(
          input,
          wf,
          wokenByChild(task)
            ? await childEnded(task, undefined, services, maxBytes)
            : await startChild(childSpec, task, context, { element, index }, services),
        );
      }
      const each = mapSpec?.each;
      if (!each) return fail(input, wf, internalError(`Task "${definitionId}" is not a map here.`));
      const info: MapRunInfo = { ...runInfo(input, wf.name), taskId: definitionId, index };
      value = await invokeUntilAborted(() => each(element, context, info), input.controller, definition.timeout, task);
      return completed(
        input,
        wf,
        encode(value ?? null, `the output of instance ${index} of task "${definitionId}"`, maxBytes),
      );
    }
    // A task woken from its instances or its child run had its trigger rule decided before.
    if (task.woken?.kind === "map" && mapSpec)
      return finishWait(input, wf, await collect(mapSpec, task, services, maxBytes));
    if (childSpec && wokenByChild(task))
      return finishWait(input, wf, await childEnded(task, childSpec.into, services, maxBytes));
    const deps = { failed: task.failedDependencies, skipped: task.skippedDependencies };
    if (!shouldRun(definition.trigger, deps, () => context)) {
      return {
        kind: "skipped",
        runId: task.runId,
        taskId: task.taskId,
        attempt: task.attempt,
        children: childrenOf(wf, task.taskId, task),
      };
    }
    if (mapSpec) return finishWait(input, wf, expand(mapSpec, task, context, definition.retry.maxAttempts, maxBytes));
    if (childSpec) return finishWait(input, wf, await startChild(childSpec, task, context, undefined, services));
    const spec = waitSpecOf(definition);
    if (spec)
      return finishWait(
        input,
        wf,
        runWaitTask(spec, task, () => context, input.now(), input.maxContextBytes),
      );
    const info = runInfo(input, wf.name);
    const { input: inSchema, output: outSchema } = definition;
    // Schemas run inside the attempt: a failure (or a schema that throws) fails this attempt,
    // and its retry policy applies. Without schemas nothing here awaits anything extra.
    const received =
      inSchema === undefined
        ? context
        : await parseWith(inSchema, context, "INVALID_TASK_INPUT", `the context of task "${task.taskId}"`);
    value = await invokeUntilAborted(
      () => definition.invoke(received as Context, info),
      input.controller,
      definition.timeout,
      task,
    );
    if (outSchema !== undefined) {
      value = await parseWith(outSchema, value ?? {}, "INVALID_TASK_OUTPUT", `the output of task "${task.taskId}"`);
    }
  } catch (error) {
    const { signal } = input.controller;
    if (signal.aborted && signal.reason instanceof TaskCancelledError) {
      return {
        kind: "cancelled",
        runId: task.runId,
        taskId: task.taskId,
        attempt: task.attempt,
        error: toStoredError(error),
      };
    }
    return failOrRetry(input, wf, error);
  }
  if (isCallAgain(value))
    return finishWait(input, wf, callAgainResult(value, task, input.now(), input.maxContextBytes));
  let output: string;
  try {
    output = encodeOutput(value, task.taskId, input.maxContextBytes);
  } catch (error) {
    return failOrRetry(input, wf, error);
  }
  return completed(input, wf, output);
}

function runInfo(input: AttemptInput, workflow: string): TaskRunInfo {
  const { task } = input;
  return {
    signal: input.controller.signal,
    executionId: task.runId,
    workflow,
    taskId: task.taskId,
    attempt: task.attempt,
    calls: task.woken?.kind === "again" ? task.woken.calls : 0,
    state: stateOf(task),
    callAgainIn,
  };
}

function completed(input: AttemptInput, wf: Workflow, output: string): TaskOutcome {
  const { task } = input;
  return {
    kind: "completed",
    runId: task.runId,
    taskId: task.taskId,
    attempt: task.attempt,
    output,
    children: childrenOf(wf, task.taskId, task),
  };
}

/** The outcome of a wait step: waiting, completed with an encoded output, or failed (retries apply). */
function finishWait(input: AttemptInput, wf: Workflow, result: WaitResult): TaskOutcome {
  if ("outcome" in result) return result.outcome;
  if ("ranOut" in result) return fail(input, wf, toStoredError(result.ranOut));
  if ("error" in result) return failOrRetry(input, wf, result.error);
  return completed(input, wf, result.completed);
}

function encodeOutput(value: unknown, taskId: string, maxBytes: number): string {
  if (value === undefined || value === null) return EMPTY_CONTEXT;
  if (typeof value !== "object" || Array.isArray(value) || !isPlainObject(value)) {
    throw new MarshalError(
      "INVALID_TASK_OUTPUT",
      `Task "${taskId}" returned ${Array.isArray(value) ? "an array" : typeof value}; a task returns a plain object ` +
        `(merged into the context) or nothing. Wrap the value: return { result: value }.`,
    );
  }
  return encode(value, `the output of task "${taskId}"`, maxBytes);
}

function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Resolves with the task's result, or rejects as soon as the attempt's signal aborts (cancel or
 * timeout), even if the task ignores the signal: for the engine the attempt is over either way.
 * A timeout aborts the same controller, so the task sees `signal.reason` as a TaskTimeoutError.
 */
function invokeUntilAborted(
  call: () => unknown,
  controller: AbortController,
  timeoutMs: number | undefined,
  task: ClaimedTask,
): Promise<unknown> {
  const { signal } = controller;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        controller.abort(
          new TaskTimeoutError(
            "TASK_TIMEOUT",
            `Task "${task.taskId}" attempt ${task.attempt} timed out after ${timeoutMs} ms.`,
          ),
        );
      }, timeoutMs);
    }
    new Promise((r) => r(call())).then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

function failOrRetry(input: AttemptInput, wf: Workflow, thrown: unknown): TaskOutcome {
  const { task } = input;
  const error = toStoredError(thrown);
  const policy = wf.tasks.get(task.instance?.of ?? task.taskId)?.retry;
  // The row's maxAttempts is the budget (a manual retry of the run extends it); the policy's
  // backoff counts attempts from the start of this budget.
  const firstOfBudget = task.maxAttempts - (policy?.maxAttempts ?? 1);
  const canRetry = policy !== undefined && task.attempt < task.maxAttempts && isRetryable(policy, thrown);
  const delay = canRetry ? retryDelay(policy, task.attempt - firstOfBudget) : undefined;
  if (delay === undefined) return fail(input, wf, error);
  return {
    kind: "retry",
    runId: task.runId,
    taskId: task.taskId,
    attempt: task.attempt,
    error,
    availableAt: input.now() + delay,
    ...(task.woken?.kind === "child" ? { forgetWait: true } : {}),
  };
}

function fail(input: AttemptInput, wf: Workflow | undefined, error: StoredError): TaskOutcome {
  const { task } = input;
  return {
    kind: "failed",
    runId: task.runId,
    taskId: task.taskId,
    attempt: task.attempt,
    error,
    children: wf ? childrenOf(wf, task.taskId, task) : [],
  };
}

/**
 * What a finished task row releases: a task its dependents; an instance its mapped task (whose
 * count of unfinished instances it brings down) and, with `maxParallel` lanes, the instance that
 * waits for it in its lane.
 */
function childrenOf(wf: Workflow, taskId: string, task?: ClaimedTask): readonly string[] {
  const instance = task?.instance;
  if (!instance) return wf.children.get(taskId) ?? [];
  const lanes = mapSpecOf(wf.tasks.get(instance.of)!)?.maxParallel;
  return lanes === undefined ? [instance.of] : [instance.of, instanceTaskId(instance.of, instance.index + lanes)];
}

function internalError(message: string): StoredError {
  return { name: "ExecutorError", message, code: "STORE_FAILURE" };
}
