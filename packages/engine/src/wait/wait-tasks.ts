/**
 * Tasks that wait without holding a worker: `sleep` (for a time) and `waitForSignal` (for a
 * payload sent with `executor.signal`). Each is a task like any other (an id, dependencies, a
 * trigger rule); the engine runs it without user code: its first call stores what it waits for
 * and releases its slot, and the call after it wakes completes it.
 */
import { ValidationError, WorkflowDefinitionError } from "../errors.js";
import { task } from "../task/task.js";
import type { TaskDefinition, TaskRef } from "../task/task-definition.js";
import type { TaskDependency } from "../task/task-reference.js";
import type { TaskOptions } from "../task/task-options.js";
import type { TriggerRule } from "../task/trigger-rule.js";
import type { Context } from "../types.js";
import { type Duration, durationMs } from "./duration.js";

/** How an engine-run waiting task behaves (kept beside its definition, by identity). */
export type WaitSpec =
  | { kind: "sleep"; forMs?: number; until?: (ctx: Context) => Date | number }
  | { kind: "signal"; timeoutMs?: number; check?: (payload: unknown) => unknown };

const specs = new WeakMap<TaskDefinition, WaitSpec>();

export function waitSpecOf(definition: TaskDefinition): WaitSpec | undefined {
  return specs.get(definition);
}

interface WaitTaskOptions {
  id: string;
  /** Ids or references, as for `task()`. */
  dependsOn?: readonly TaskDependency[];
  trigger?: TriggerRule;
}

export type SleepOptions = WaitTaskOptions &
  ({ for: Duration; until?: never } | { until: (ctx: Context) => Date | number; for?: never });

/**
 * A task that completes when its time comes: `for` after it starts, or at `until(ctx)`. It holds
 * no worker meanwhile, and the time is stored: an executor that opens after it completes it at once.
 */
export function sleep(options: SleepOptions): TaskRef<Context, Record<string, never>> {
  const base = waitTaskOptions(options, "sleep", ["for", "until"]);
  const hasFor = options.for !== undefined;
  const hasUntil = options.until !== undefined;
  if (hasFor === hasUntil) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `sleep("${options.id}"): give exactly one of for, until.`,
    );
  }
  if (hasUntil && typeof options.until !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `sleep("${base.id}"): until must be a function (ctx) => Date.`,
    );
  }
  const spec: WaitSpec = hasFor
    ? { kind: "sleep", forMs: durationMs(options.for, `sleep("${options.id}")'s for`) }
    : { kind: "sleep", until: options.until };
  return registerWaitTask(base, spec);
}

/** A Standard Schema (zod 4, valibot, arktype…): only what checking a payload needs. */
interface PayloadSchema<P> {
  readonly "~standard": {
    readonly validate: (
      value: unknown,
    ) =>
      | { value: P; issues?: undefined }
      | { issues: readonly { message: string; path?: readonly unknown[] }[] }
      | Promise<unknown>;
  };
}

export interface WaitForSignalOptions<P> extends WaitTaskOptions {
  /** Checks each payload when it is sent: a bad one is INVALID_SIGNAL to the sender, and the task waits on. */
  schema?: PayloadSchema<P>;
  /** Fail with SIGNAL_TIMEOUT when no signal came this long after the task started waiting. */
  timeout?: Duration;
}

/**
 * A task that waits, holding no worker, until `executor.signal(run, id, payload)` is sent (from
 * any process), then completes with `{ [id]: payload }`. A signal sent before the task starts
 * waiting is kept for it; a resend with the same key is a no-op.
 */
export function waitForSignal<P = unknown>(options: WaitForSignalOptions<P>): TaskRef<Context, Record<string, P>> {
  const base = waitTaskOptions(options, "waitForSignal", ["schema", "timeout"]);
  const { schema } = options;
  if (
    schema !== undefined &&
    typeof (schema as { "~standard"?: { validate?: unknown } })["~standard"]?.validate !== "function"
  ) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `waitForSignal("${options.id}"): schema is not a Standard Schema (zod 4, valibot, arktype… have "~standard").`,
    );
  }
  const spec: WaitSpec = {
    kind: "signal",
    ...(options.timeout === undefined
      ? {}
      : { timeoutMs: durationMs(options.timeout, `waitForSignal("${options.id}")'s timeout`) }),
    ...(schema === undefined ? {} : { check: (payload: unknown) => checkPayload(schema, payload, options.id) }),
  };
  return registerWaitTask(base, spec) as TaskRef<Context, Record<string, P>>;
}

function checkPayload<P>(schema: PayloadSchema<P>, payload: unknown, id: string): unknown {
  let result: unknown;
  try {
    result = schema["~standard"].validate(payload);
  } catch (error) {
    throw new ValidationError("INVALID_SIGNAL", `The schema of "${id}" threw instead of returning issues.`, {
      cause: error,
    });
  }
  if (result instanceof Promise) {
    throw new ValidationError(
      "INVALID_SIGNAL",
      `The schema of "${id}" is asynchronous; a signal's schema must check synchronously.`,
    );
  }
  const issues = (result as { issues?: readonly { message: string; path?: readonly unknown[] }[] }).issues;
  if (issues && issues.length > 0) {
    const paths = issues.map((i) => ({
      path: (i.path ?? []).map((p) => (typeof p === "object" && p !== null && "key" in p ? p.key : p)),
      message: i.message,
    }));
    throw new ValidationError(
      "INVALID_SIGNAL",
      `The signal for "${id}" does not match its schema: ${paths.map((p) => `${p.path.join(".") || "(payload)"}: ${p.message}`).join("; ")}.`,
      { details: { issues: paths } },
    );
  }
  return (result as { value: unknown }).value;
}

function waitTaskOptions(options: WaitTaskOptions, what: string, own: string[]): TaskOptions {
  if (typeof options !== "object" || options === null) {
    throw new WorkflowDefinitionError("INVALID_TASK_OPTIONS", `${what}(options): options must be an object.`);
  }
  const { id, dependsOn, trigger, ...rest } = options as WaitTaskOptions & Record<string, unknown>;
  const unknown = Object.keys(rest).filter((k) => !own.includes(k));
  if (unknown.length > 0) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${what}("${String(id)}"): unknown option ${unknown.map((k) => JSON.stringify(k)).join(", ")} (it takes id, dependsOn, trigger, ${own.join(", ")}).`,
    );
  }
  return {
    id,
    ...(dependsOn === undefined ? {} : { dependsOn }),
    ...(trigger === undefined ? {} : { trigger }),
  };
}

function registerWaitTask(options: TaskOptions, spec: WaitSpec): TaskRef<Context, Record<string, never>> {
  // The untyped form of task(): a waiting task's types are its own (see sleep, waitForSignal).
  const untypedTask = task as (options: TaskOptions, fn: () => never) => TaskRef;
  const ref = untypedTask(options, () => {
    // The engine runs a waiting task itself (runtime/attempt.ts); this runs only if called directly.
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `"${options.id}" waits: it runs inside an executor only.`,
    );
  });
  specs.set(ref.definition, spec);
  return ref as TaskRef<Context, Record<string, never>>;
}
