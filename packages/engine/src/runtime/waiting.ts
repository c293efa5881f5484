/**
 * What an attempt of a waiting task reports (see wait/wait-tasks.ts and `run.callAgainIn`): a
 * `wait` outcome the first time, and its completion (or failure) once it wakes.
 */
import { ExecutorError, ValidationError } from "../errors.js";
import { decode, encode, EMPTY_CONTEXT } from "../marshal/marshal.js";
import type { ClaimedTask, TaskOutcome, TaskWait } from "../store/records.js";
import type { Context } from "../types.js";
import { MAX_DURATION_MS } from "../wait/duration.js";
import type { CallAgain } from "../wait/wait-request.js";
import type { WaitSpec } from "../wait/wait-tasks.js";

/**
 * An outcome; an encoded output to complete with; an error the attempt fails with (the caller
 * applies the retry policy); or a wait that ran out (its timeout, its bounds), which fails the
 * task for good: it would run out again at once.
 */
export type WaitResult = { outcome: TaskOutcome } | { completed: string } | { error: unknown } | { ranOut: unknown };

export function waitOutcome(task: ClaimedTask, wait: TaskWait): { outcome: TaskOutcome } {
  return { outcome: { kind: "wait", runId: task.runId, taskId: task.taskId, attempt: task.attempt, wait } };
}

/** A sleep or a signal wait, run by the engine (no user code). */
export function runWaitTask(
  spec: WaitSpec,
  task: ClaimedTask,
  context: () => Context,
  now: number,
  maxBytes: number,
): WaitResult {
  const woken = task.woken?.kind === spec.kind ? task.woken : null;
  if (spec.kind === "sleep") {
    if (woken) return { completed: EMPTY_CONTEXT };
    let wakeAt: number;
    try {
      wakeAt = spec.forMs !== undefined ? now + spec.forMs : wakeTime(spec.until!(context()), task.taskId, now);
    } catch (error) {
      return { error };
    }
    return wakeAt <= now ? { completed: EMPTY_CONTEXT } : waitOutcome(task, { kind: "sleep", wakeAt, state: null });
  }
  if (!woken) {
    const wakeAt = spec.timeoutMs === undefined ? null : now + spec.timeoutMs;
    return waitOutcome(task, { kind: "signal", wakeAt, state: null });
  }
  if (woken.state === null) {
    return {
      ranOut: new ExecutorError(
        "SIGNAL_TIMEOUT",
        `Task "${task.taskId}" had no signal within ${spec.timeoutMs ?? 0} ms.`,
      ),
    };
  }
  try {
    const { payload } = decode(woken.state) as { payload: unknown };
    return { completed: encode({ [task.taskId]: payload }, `the signal for task "${task.taskId}"`, maxBytes) };
  } catch (error) {
    return { error };
  }
}

/** `run.callAgainIn(…)` returned by a task function: wait, unless a bound is reached. */
export function callAgainResult(request: CallAgain, task: ClaimedTask, now: number, maxBytes: number): WaitResult {
  const calls = (task.woken?.kind === "again" ? task.woken.calls : 0) + 1; // counting the one asked for
  if (request.maxCalls !== undefined && calls >= request.maxCalls) {
    return {
      ranOut: new ExecutorError(
        "CALL_AGAIN_LIMIT",
        `Task "${task.taskId}" asked to be called again ${calls} times; its maxCalls is ${request.maxCalls}.`,
      ),
    };
  }
  const wakeAt = now + request.delayMs;
  if (request.timeoutMs !== undefined && wakeAt > task.firstStartedAt + request.timeoutMs) {
    return {
      ranOut: new ExecutorError(
        "CALL_AGAIN_LIMIT",
        `Task "${task.taskId}" would be called again past its timeout of ${request.timeoutMs} ms from its first call.`,
      ),
    };
  }
  let state: string;
  try {
    state = encode({ state: request.state }, `the state task "${task.taskId}" passed to callAgainIn`, maxBytes);
  } catch (error) {
    return { error };
  }
  return waitOutcome(task, { kind: "again", wakeAt, state });
}

/** The state a woken "again" task gets back, decoded (a fresh copy each call). */
export function stateOf(task: ClaimedTask): unknown {
  if (task.woken?.kind !== "again" || task.woken.state === null) return undefined;
  return (decode(task.woken.state) as { state: unknown }).state;
}

function wakeTime(value: unknown, taskId: string, now: number): number {
  const at = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(at) || at > now + MAX_DURATION_MS) {
    throw new ValidationError(
      "INVALID_WAIT",
      `sleep("${taskId}")'s until returned ${String(value)}: it must return a valid Date (or epoch ms) within 10 years.`,
    );
  }
  return at;
}
