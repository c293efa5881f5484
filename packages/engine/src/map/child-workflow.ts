/**
 * `childWorkflow()`: a task that starts a run of another workflow and completes with that run's
 * final context (one child run per element with `over`). The engine starts and awaits the
 * child; the task holds no worker meanwhile.
 */
import { WorkflowDefinitionError } from "../errors.js";
import type { DefaultContext, TaskTypesOf } from "../task/context-types.js";
import type { TaskRef } from "../task/task-definition.js";
import type { RetryOptions } from "../task/task-options.js";
import type { TaskDependency } from "../task/task-reference.js";
import type { TriggerRule } from "../task/trigger-rule.js";
import { isWorkflow, type Workflow } from "../workflow/workflow.js";
import {
  builderLabel,
  parseInto,
  parseMaxParallel,
  parseOver,
  registerEngineTask,
  shown,
  splitOptions,
} from "./builder-options.js";
import type { ChildInput, ChildOutput, OverArg, OverElement, OverOption } from "./map-types.js";
import { setChildSpec, setMapSpec } from "./specs.js";

/** The options of `childWorkflow()` that do not depend on whether it maps. */
interface ChildWorkflowBase<Id extends string, Deps, Trigger, W, Into extends string> {
  id: Id;
  /** Ids or references, as for `task()`: references type the context `input` reads. */
  dependsOn?: Deps;
  trigger?: Trigger;
  /** Starts the child again when it failed, as a task's retry runs it again. */
  retry?: RetryOptions;
  /**
   * Not taken: a child workflow task runs no code of its own to time out. Bound the child with
   * its workflow's `timeout`; a parent's deadline ends its children too.
   */
  timeout?: never;
  /**
   * The workflow to start: the object `workflow()` returned, or a function returning it, for a
   * workflow declared later in the module (or this one: a cycle is refused when a run starts).
   */
  workflow: W | (() => W);
  /** The context key the child's final context goes under (an array of them with `over`). @default the task id */
  into?: Into;
}

/**
 * Whether `over` was given. Left out, `Over` stays its default, all of {@link OverOption}; a
 * given path or function is narrower. (The default cannot be `never`: the contextual type of an
 * `over` function comes from it, and its `ctx` would be untyped.)
 */
type IsMapped<Ctx, Over> = OverOption<Ctx> extends Over ? false : true;

/**
 * `input`: `(ctx)` for one child, `(element, ctx, index)` with `over`. One function type whose
 * parameters depend on `Over` (rather than two option shapes chosen by a conditional type), so
 * that `Over` is still inferred from an `over` function written before it.
 */
type ChildInputFunction<Ctx, W, Over> = (
  ...args: IsMapped<Ctx, Over> extends true ? [element: OverElement<Ctx, Over>, ctx: Ctx, index: number] : [ctx: Ctx]
) => NoInfer<ChildInput<W>>;

export type ChildWorkflowOptions<
  Id extends string = string,
  Deps extends readonly TaskDependency[] = readonly TaskDependency[],
  Trigger extends TriggerRule = TriggerRule,
  W extends Workflow<any, any> = Workflow,
  Over extends OverOption<DefaultContext<Deps, Trigger>> = OverOption<DefaultContext<Deps, Trigger>>,
  Into extends string = string,
> = ChildWorkflowBase<Id, Deps, Trigger, W, Into> & {
  /**
   * One child run per element of this array, as `mapTask` maps: a context path or a function of
   * the context. Write it before `input`, whose element type it gives.
   */
  over?: OverArg<DefaultContext<Deps, Trigger>, Over>;
  /** With `over`: most child runs of this task unfinished at once. @default no bound but the executors' */
  maxParallel?: number;
  /**
   * The child's input, checked against the child workflow's input type. Left out, the child gets
   * the task's whole context (with `over`: the element), which its input schema checks when it
   * starts.
   */
  input?: ChildInputFunction<DefaultContext<Deps, Trigger>, W, Over>;
};

/**
 * Declares a task that runs another workflow as a child: it starts the child when it becomes
 * ready and completes with the child's final context under `into` (default: its id), or fails
 * with the child's error. With `over`, one child per element, their final contexts in order.
 * ```ts
 * const report = childWorkflow({ id: "report", dependsOn: [prepare], workflow: reportWorkflow,
 *   input: (ctx) => ({ month: ctx.month }) });
 * const invoices = childWorkflow({ id: "invoices", dependsOn: [load], workflow: invoiceWorkflow,
 *   over: "customers", input: (customer) => ({ customer }), maxParallel: 10 });
 * ```
 * Without `input`, the child gets the task's whole context (with `over`: the element).
 */
export function childWorkflow<
  const Id extends string,
  const Deps extends readonly TaskDependency[] = [],
  Trigger extends TriggerRule = "allSucceeded",
  W extends Workflow<any, any> = Workflow,
  Over extends OverOption<DefaultContext<Deps, Trigger>> = OverOption<DefaultContext<Deps, Trigger>>,
  const Into extends string = Id,
>(
  options: ChildWorkflowOptions<Id, Deps, Trigger, W, Over, Into>,
): TaskRef<
  DefaultContext<Deps, Trigger>,
  ChildOutput<Into, W, IsMapped<DefaultContext<Deps, Trigger>, Over>>,
  TaskTypesOf<
    Deps,
    Trigger,
    DefaultContext<Deps, Trigger>,
    ChildOutput<Into, W, IsMapped<DefaultContext<Deps, Trigger>, Over>>,
    undefined,
    undefined
  >
>;
export function childWorkflow(
  options: ChildWorkflowOptions<string, readonly TaskDependency[], TriggerRule, Workflow, any>,
): TaskRef {
  const label = builderLabel("childWorkflow", options);
  if ((options as { timeout?: unknown } | null)?.timeout !== undefined) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: takes no timeout (it runs no code of its own): give the child workflow a timeout, ` +
        `workflow({ timeout }); a parent's deadline ends its children too.`,
    );
  }
  const { base, own } = splitOptions(options, label, ["workflow", "input", "over", "into", "maxParallel"], {
    output: "childWorkflow takes no output schema: its output is the child's final context.",
  });
  const id = String(base.id);
  const workflow = resolver(own.workflow, label);
  const { input } = own;
  if (input !== undefined && typeof input !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: input must be a function giving the child's input (ctx) => input, or (element, ctx, index) => input with over.`,
    );
  }
  const mapped = own.over === undefined ? undefined : parseOver(own.over, id, label);
  const maxParallel = parseMaxParallel(own.maxParallel, label);
  if (maxParallel !== undefined && mapped === undefined) {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: maxParallel bounds the children of a mapped task: give over too, or leave maxParallel out.`,
    );
  }
  const into = parseInto(own.into, label) ?? id;
  const ref = registerEngineTask(base, "starts a child workflow");
  const inputOf = input as ((...args: unknown[]) => unknown) | undefined;
  setChildSpec(ref.definition, {
    workflow,
    // The defaults: the whole context, or the element when mapped.
    input: (ctx, instance) =>
      instance === undefined
        ? inputOf === undefined
          ? ctx
          : inputOf(ctx)
        : inputOf === undefined
          ? instance.element
          : inputOf(instance.element, ctx, instance.index),
    into,
  });
  if (mapped !== undefined) {
    // No `each`: every element starts a child run instead of running a function.
    setMapSpec(ref.definition, { ...mapped, into, ...(maxParallel === undefined ? {} : { maxParallel }) });
  }
  return ref;
}

/** `workflow` as the spec holds it: a function checked each time it resolves (a thunk may be late). */
function resolver(value: unknown, label: string): () => Workflow {
  if (isWorkflow(value)) return () => value;
  if (typeof value !== "function") {
    throw new WorkflowDefinitionError(
      "INVALID_TASK_OPTIONS",
      `${label}: workflow must be a workflow (what workflow() returns) or a function returning one, not ${shown(value)}.`,
    );
  }
  const thunk = value as () => unknown;
  return () => {
    const resolved = thunk();
    if (!isWorkflow(resolved)) {
      throw new WorkflowDefinitionError(
        "INVALID_TASK_OPTIONS",
        `${label}: the function given as workflow returned ${resolved === undefined ? "undefined (is the workflow declared after it is used?)" : typeof resolved}, not a workflow.`,
      );
    }
    return resolved;
  };
}
