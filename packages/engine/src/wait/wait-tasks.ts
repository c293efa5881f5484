/**
 * Tasks that wait without holding a worker: `sleep` (for a time) and `waitForSignal` (for a
 * payload sent with `executor.signal`). Each is a task like any other (an id, dependencies, a
 * trigger rule); the engine runs it without user code: its first call stores what it waits for
 * and releases its slot, and the call after it wakes completes it.
 */
// `{}` is the empty output here, as in task/context-types.ts.
/* eslint-disable @typescript-eslint/no-empty-object-type */
import { WorkflowDefinitionError } from "../errors.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import { assertSchema, parseWith } from "../schema/validate.js";
import type { TaskTypesOf } from "../task/context-types.js";
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
  | { kind: "signal"; timeoutMs?: number; check?: (payload: unknown) => Promise<unknown> };

const SPECS = Symbol.for("cloacina.waitSpecs.v1");
/**
 * Kept on `globalThis`, like the registry: a module loaded by another copy of the engine (the
 * CLI loads the user's modules with their own imports) registers its waiting tasks in the same
 * registry, and this process's runtime must know them as waiting tasks too.
 */
const specs: WeakMap<TaskDefinition, WaitSpec> = ((globalThis as { [SPECS]?: WeakMap<TaskDefinition, WaitSpec> })[
  SPECS
] ??= new WeakMap());

export function waitSpecOf(definition: TaskDefinition): WaitSpec | undefined {
  return specs.get(definition);
}

interface WaitTaskOptions<
  Id extends string = string,
  Deps extends readonly TaskDependency[] = readonly TaskDependency[],
  Trigger extends TriggerRule = TriggerRule,
> {
  id: Id;
  /** Ids or references, as for `task()`: references type what its dependents see. */
  dependsOn?: Deps;
  trigger?: Trigger;
}

export type SleepOptions<
  Id extends string = string,
  Deps extends readonly TaskDependency[] = readonly TaskDependency[],
  Trigger extends TriggerRule = TriggerRule,
> = WaitTaskOptions<Id, Deps, Trigger> &
  ({ for: Duration; until?: never } | { until: (ctx: Context) => Date | number; for?: never });

/**
 * A task that completes when its time comes: `for` after it starts, or at `until(ctx)`. It holds
 * no worker meanwhile, and the time is stored: an executor that opens after it completes it at once.
 */
export function sleep<
  const Id extends string,
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
>(
  options: SleepOptions<Id, Deps, Trigger>,
): TaskRef<Context, {}, TaskTypesOf<Deps, Trigger, {}, {}, undefined, undefined>> {
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
  return registerWaitTask(base, spec) as never;
}

type SignalPayload<S> = [S] extends [StandardSchemaV1] ? StandardSchemaV1.InferOutput<S> : unknown;

export interface WaitForSignalOptions<
  Id extends string = string,
  Deps extends readonly TaskDependency[] = readonly TaskDependency[],
  Trigger extends TriggerRule = TriggerRule,
  S extends StandardSchemaV1 | undefined = StandardSchemaV1 | undefined,
> extends WaitTaskOptions<Id, Deps, Trigger> {
  /**
   * A Standard Schema (zod 4, valibot, arktype…) each payload is checked against when it is sent:
   * a bad one is INVALID_SIGNAL to the sender, and the task waits on. It types the payload.
   */
  schema?: S;
  /** Fail with SIGNAL_TIMEOUT when no signal came this long after the task started waiting. */
  timeout?: Duration;
}

/**
 * A task that waits, holding no worker, until `executor.signal(run, id, payload)` is sent (from
 * any process), then completes with `{ [id]: payload }`. A signal sent before the task starts
 * waiting is kept for it; a resend with the same key is a no-op.
 */
export function waitForSignal<
  const Id extends string,
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
  S extends StandardSchemaV1 | undefined = undefined,
>(
  options: WaitForSignalOptions<Id, Deps, Trigger, S>,
): TaskRef<
  Context,
  { [K in Id]: SignalPayload<S> },
  TaskTypesOf<Deps, Trigger, {}, { [K in Id]: SignalPayload<S> }, undefined, undefined>
> {
  const base = waitTaskOptions(options, "waitForSignal", ["schema", "timeout"]);
  const { schema } = options;
  assertSchema(schema, `the signal of task "${options.id}"`);
  const spec: WaitSpec = {
    kind: "signal",
    ...(options.timeout === undefined
      ? {}
      : { timeoutMs: durationMs(options.timeout, `waitForSignal("${options.id}")'s timeout`) }),
    ...(schema === undefined
      ? {}
      : {
          check: (payload: unknown) =>
            parseWith(schema, payload, "INVALID_SIGNAL", `the signal for task "${options.id}"`),
        }),
  };
  return registerWaitTask(base, spec) as never;
}

function waitTaskOptions(
  options: WaitTaskOptions<string, readonly TaskDependency[], TriggerRule>,
  what: string,
  own: string[],
): TaskOptions {
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

function registerWaitTask(options: TaskOptions, spec: WaitSpec): TaskRef {
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
  return ref;
}
