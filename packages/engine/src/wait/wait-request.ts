import { ValidationError } from "../errors.js";
import { type Duration, durationMs } from "./duration.js";

const BRAND = Symbol.for("cloacina.callAgain");

/** Options of `run.callAgainIn`: the state for the next call, and what bounds the calls. */
export interface CallAgainOptions {
  /** Comes back as `run.state` on the next call (marshalled like a context). */
  state?: unknown;
  /** Fail with CALL_AGAIN_LIMIT rather than be called more than this many times in all. */
  maxCalls?: number;
  /** Fail with CALL_AGAIN_LIMIT rather than be called again this long after the first call. */
  timeout?: Duration;
}

/** What a task function returns to be called again later (see `TaskRunInfo.callAgainIn`). */
export interface CallAgain {
  readonly [BRAND]: true;
  readonly delayMs: number;
  readonly state: unknown;
  readonly maxCalls: number | undefined;
  readonly timeoutMs: number | undefined;
}

export function callAgainIn(delay: Duration, options: CallAgainOptions = {}): CallAgain {
  if (typeof options !== "object" || options === null) {
    throw new ValidationError("INVALID_WAIT", "callAgainIn(delay, options): options must be an object.");
  }
  const { maxCalls } = options;
  if (maxCalls !== undefined && !(Number.isInteger(maxCalls) && maxCalls >= 1)) {
    throw new ValidationError("INVALID_WAIT", `callAgainIn: maxCalls is ${String(maxCalls)}; use a whole number ≥ 1.`);
  }
  return {
    [BRAND]: true,
    delayMs: durationMs(delay, "callAgainIn's delay"),
    state: options.state,
    maxCalls,
    timeoutMs: options.timeout === undefined ? undefined : durationMs(options.timeout, "callAgainIn's timeout"),
  };
}

export function isCallAgain(value: unknown): value is CallAgain {
  return typeof value === "object" && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
