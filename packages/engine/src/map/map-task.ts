/**
 * `mapTask()`: a task that runs its function once per element of an array found in its context
 * at run time. Each element is a durable instance of its own (attempts, retries, timeout, lease);
 * the results are collected, in element order, under one key of the context.
 */
import type { ContextCheck, DefaultContext, DependencyContext, TaskTypes, TaskTypesOf } from "../task/context-types.js";
import type { TaskRef } from "../task/task-definition.js";
import type { RetryOptions } from "../task/task-options.js";
import type { TaskDependency } from "../task/task-reference.js";
import type { TriggerRule } from "../task/trigger-rule.js";
import type { Context } from "../types.js";
import {
  builderLabel,
  parseInto,
  parseMaxParallel,
  parseOver,
  registerEngineTask,
  splitOptions,
} from "./builder-options.js";
import type { MapOutput, OverArg, OverElement, OverOption } from "./map-types.js";
import { type MapRunInfo, setMapSpec } from "./specs.js";
import { WorkflowDefinitionError } from "../errors.js";

export interface MapTaskOptions<
  Id extends string = string,
  Deps extends readonly TaskDependency[] = readonly TaskDependency[],
  Trigger extends TriggerRule = TriggerRule,
  Ctx = Context,
  Over extends OverOption<Ctx> = OverOption<Ctx>,
  Into extends string = string,
> {
  id: Id;
  /** Ids or references, as for `task()`: references type the context (and so `over`). */
  dependsOn?: Deps;
  trigger?: Trigger;
  /** For each instance: an element that fails is retried on its own. */
  retry?: RetryOptions;
  /** Milliseconds one instance's attempt may run. */
  timeout?: number;
  /**
   * The array to map over: a context path (`"files"`, `"order.lines"`), checked against the
   * typed context, or a function of the context returning it.
   */
  over: OverArg<Ctx, Over>;
  /** The context key the results are collected under, in element order. @default the task id */
  into?: Into;
  /** Most instances of this task running at once. @default as many as the executors have slots */
  maxParallel?: number;
}

/** One element's work: its element, the task's context, and its run (with `index`). */
export type MapFunction<Element = any, Ctx = any, Result = unknown> = (
  element: Element,
  ctx: Ctx,
  run: MapRunInfo,
) => Result | Promise<Result>;

/**
 * What `mapTask()` returns: a task reference (for `dependsOn` and a workflow's `tasks`) whose
 * `each` is the per-element function, to call in a unit test. Its `fn` (a task's whole function)
 * throws: the engine runs a map's instances itself, so there is no single call to make. (`fn`
 * cannot be the per-element function: a reference's `fn` takes `(ctx, run)`.)
 */
export type MapTaskRef<Ctx extends Context, Output extends Context, Types extends TaskTypes, Fn> = TaskRef<
  Ctx,
  Output,
  Types
> & { readonly each: Fn };

/**
 * Declares a map task: `fn(element, ctx, run)` runs once per element of `over`, in parallel up to
 * the executors' slots and `maxParallel`; dependents see the results under `into` (default: id).
 * ```ts
 * const count = mapTask({ id: "count", dependsOn: [listFiles], over: "files", into: "counts" },
 *   async (file) => (await readFile(file, "utf8")).split(/\s+/).length);
 * // dependents of count see ctx.counts: number[]
 * ```
 * A result of nothing (`undefined`) is stored as `null`. An empty array completes at once with `[]`.
 */
export function mapTask<
  const Id extends string,
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
  In extends Context = DefaultContext<Deps, Trigger>,
  Over extends OverOption<In> = OverOption<In>,
  const Into extends string = Id,
  Result = unknown,
>(
  options: MapTaskOptions<Id, Deps, Trigger, In, Over, Into> & ContextCheck<In, DependencyContext<Deps, Trigger>>,
  fn: MapFunction<NoInfer<OverElement<In, Over>>, In, Result>,
): MapTaskRef<
  In,
  MapOutput<Into, Result>,
  TaskTypesOf<Deps, Trigger, In, MapOutput<Into, Result>, undefined, undefined>,
  MapFunction<OverElement<In, Over>, In, Result>
>;
export function mapTask(
  options: MapTaskOptions,
  fn: MapFunction,
): MapTaskRef<Context, Context, TaskTypes, MapFunction> {
  const label = builderLabel("mapTask", options);
  const { base, own } = splitOptions(options, label, ["over", "into", "maxParallel"], {
    input: "mapTask takes no input schema (yet): check the context in over, or in the element function.",
    output: "mapTask takes no output schema (yet): check each result in the element function.",
  });
  if (typeof fn !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: fn must be a function (element, ctx, run) => result.`,
    );
  }
  const id = String(base.id);
  if (own.over === undefined) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: over is required (a context path or a function of the context).`,
    );
  }
  const { over, overLabel } = parseOver(own.over, id, label);
  const into = parseInto(own.into, label) ?? id;
  const maxParallel = parseMaxParallel(own.maxParallel, label);
  const ref = registerEngineTask(base, "is a map task (its function runs once per element: call ref.each in a test)");
  setMapSpec(ref.definition, {
    over,
    overLabel,
    into,
    ...(maxParallel === undefined ? {} : { maxParallel }),
    // Nothing returned is stored as null, so every element has a place in the results.
    each: async (element, ctx, run) => (await fn(element, ctx, run)) ?? null,
  });
  return { ...ref, each: fn };
}
