import { createHash } from "node:crypto";
import { z } from "zod";
import { WorkflowDefinitionError } from "../errors.js";
import { globalRegistry } from "../registry/registry.js";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import { assertSchema } from "../schema/validate.js";
import type { TaskDefinition } from "../task/task-definition.js";
import { referencedDefinition, type TaskDependency } from "../task/task-reference.js";
import type { Context } from "../types.js";
import { type Duration, durationMs } from "../wait/duration.js";
import type { InputCheck, WorkflowContext, WorkflowInput } from "./workflow-types.js";
import { closestMatch } from "./did-you-mean.js";
import { childrenOf, reachable, topologicalOrder } from "./graph.js";

/**
 * A validated DAG of registered tasks. Create with {@link workflow}. `Input` is what `start`
 * takes, `Ctx` the `finalContext` of a completed run; both are `Context` for an untyped workflow.
 */
export interface Workflow<Input extends Context = Context, Ctx extends Context = Context> {
  readonly kind: "cloacina.workflow";
  readonly name: string;
  /** SHA-256 (hex) over the canonical shape: name, task ids and their dependencies. */
  readonly version: string;
  readonly tasks: ReadonlyMap<string, TaskDefinition>;
  /** Task ids in topological order, ties broken by id. This is the context merge order. */
  readonly order: readonly string[];
  readonly dependencies: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  /** Checks every run's input before anything is stored (`INVALID_INPUT`). */
  readonly input: StandardSchemaV1 | undefined;
  /** Milliseconds a run may take before it ends Failed with RUN_TIMEOUT (undefined: no bound). */
  readonly timeoutMs: number | undefined;
  /** Types only: never set at run time. */
  readonly "~types"?: { input: Input; context: Ctx };
}

export interface WorkflowOptions<
  Tasks extends readonly TaskDependency[] = readonly TaskDependency[],
  InSchema = StandardSchemaV1 | undefined,
> {
  /** Stable name; runs are stored under it, so renaming a workflow orphans its unfinished runs. */
  name: string;
  /** A Standard Schema (zod 4, valibot, arktype...) for the run's input; it types `start` too. */
  input?: InSchema;
  /**
   * Task ids (registered with `@task`), references returned by `task(options, fn)`, or
   * decorated methods. References and methods carry types; ids do not.
   */
  tasks: Tasks;
  /**
   * How long a run may take (`"2h"`, ms): still unfinished then, it ends Failed with RUN_TIMEOUT,
   * its running attempts aborted and its waiting tasks cancelled. `start(…, { deadline })` sets
   * one run's deadline instead.
   */
  timeout?: Duration;
}

const nameSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/, "use letters, digits and _ . : / - (not starting with a symbol)");

/**
 * Builds and registers a workflow, validating it before anything can run: every task exists,
 * every dependency is part of the workflow, no id repeats, and there is no cycle.
 */
export function workflow<
  const Tasks extends readonly TaskDependency[],
  InSchema extends StandardSchemaV1<any, any> | undefined = undefined,
>(
  options: WorkflowOptions<Tasks, InSchema> & InputCheck<Tasks, InSchema>,
): Workflow<WorkflowInput<Tasks, InSchema>, WorkflowContext<Tasks, InSchema>>;
export function workflow(options: WorkflowOptions): Workflow {
  const name = nameSchema.safeParse(options?.name);
  if (!name.success) {
    throw new WorkflowDefinitionError("INVALID_WORKFLOW", `Invalid workflow name: ${z.prettifyError(name.error)}`);
  }
  const label = `Workflow "${name.data}"`;
  assertSchema(options.input, `the input of workflow "${name.data}"`);
  const timeoutMs = options.timeout === undefined ? undefined : durationMs(options.timeout, `${label}'s timeout`);
  if (timeoutMs === 0) {
    throw new WorkflowDefinitionError("INVALID_WORKFLOW", `${label}'s timeout is 0: every run would fail at once.`);
  }
  if (!Array.isArray(options.tasks) || options.tasks.length === 0) {
    throw new WorkflowDefinitionError(
      "EMPTY_WORKFLOW",
      `${label} has no tasks: list at least one task id in \`tasks\`.`,
    );
  }
  const tasks = new Map<string, TaskDefinition>();
  for (const entry of options.tasks) {
    const definition = resolveTask(label, entry);
    if (tasks.has(definition.id)) {
      throw new WorkflowDefinitionError("DUPLICATE_TASK", `${label} lists task "${definition.id}" more than once.`, {
        details: { workflow: name.data, taskId: definition.id },
      });
    }
    tasks.set(definition.id, definition);
  }
  const dependencies = new Map<string, readonly string[]>();
  for (const definition of tasks.values()) {
    for (const dep of definition.dependsOn) {
      if (!tasks.has(dep)) {
        const known = globalRegistry().task(dep) !== undefined;
        throw new WorkflowDefinitionError(
          "DEPENDENCY_OUTSIDE_WORKFLOW",
          `${label}: task "${definition.id}" depends on "${dep}", which is ${known ? "not part of this workflow: add it to `tasks`" : "not a registered task"}.` +
            didYouMean(dep, tasks.keys()),
          { details: { workflow: name.data, taskId: definition.id, dependency: dep } },
        );
      }
    }
    dependencies.set(definition.id, [...definition.dependsOn].sort());
  }
  const sorted = topologicalOrder(dependencies);
  if ("cycle" in sorted) {
    throw new WorkflowDefinitionError(
      "WORKFLOW_CYCLE",
      `${label} has a dependency cycle: ${sorted.cycle.join(" → ")}. Remove one of these dependencies.`,
      { details: { workflow: name.data, cycle: sorted.cycle } },
    );
  }
  const result: Workflow = Object.freeze({
    kind: "cloacina.workflow",
    name: name.data,
    version: versionHash(name.data, sorted.order, dependencies),
    tasks,
    order: sorted.order,
    dependencies,
    children: childrenOf(dependencies),
    input: options.input,
    timeoutMs,
  });
  globalRegistry().addWorkflow(result);
  return result;
}

function resolveTask(label: string, entry: unknown): TaskDefinition {
  const referenced = referencedDefinition(entry);
  if (referenced) return referenced;
  if (typeof entry === "function") {
    throw new WorkflowDefinitionError(
      "UNKNOWN_TASK",
      `${label} lists the function ${entry.name || "(anonymous)"}(), which is not a task: decorate it with @task or declare it with task().`,
    );
  }
  if (typeof entry !== "string") {
    throw new WorkflowDefinitionError(
      "INVALID_WORKFLOW",
      `${label}: \`tasks\` entries must be task ids, task references or decorated methods.`,
    );
  }
  const definition = globalRegistry().task(entry);
  if (!definition) {
    throw new WorkflowDefinitionError(
      "UNKNOWN_TASK",
      `${label} uses task "${entry}", which is not registered.` +
        didYouMean(entry, globalRegistry().taskIds()) +
        ` (A decorated class must be imported before the workflow is built.)`,
      { details: { taskId: entry } },
    );
  }
  return definition;
}

function didYouMean(input: string, known: Iterable<string>): string {
  const match = closestMatch(input, known);
  return match === undefined ? "" : ` Did you mean "${match}"?`;
}

function versionHash(
  name: string,
  order: readonly string[],
  dependencies: ReadonlyMap<string, readonly string[]>,
): string {
  const canonical = JSON.stringify({ name, tasks: [...order].sort().map((id) => [id, dependencies.get(id)]) });
  return createHash("sha256").update(canonical).digest("hex");
}

const ancestorCache = new WeakMap<Workflow, Map<string, readonly string[]>>();

/** Every ancestor of `taskId`, in the workflow's merge order. Computed once per task. */
export function ancestorsInOrder(wf: Workflow, taskId: string): readonly string[] {
  let byTask = ancestorCache.get(wf);
  if (!byTask) ancestorCache.set(wf, (byTask = new Map()));
  let ancestors = byTask.get(taskId);
  if (!ancestors) {
    const set = reachable(taskId, wf.dependencies);
    ancestors = set.size === 0 ? [] : wf.order.filter((id) => set.has(id));
    byTask.set(taskId, ancestors);
  }
  return ancestors;
}

export function isWorkflow(value: unknown): value is Workflow {
  return typeof value === "object" && value !== null && (value as { kind?: unknown }).kind === "cloacina.workflow";
}
