/**
 * What `mapTask()` and `childWorkflow()` check before they register: the options they share
 * with `task()` are split off and left to it (so ids, dependencies, retries and registration
 * follow one rule); their own options are checked here, with messages naming the builder.
 */
import { WorkflowDefinitionError } from "../errors.js";
import { task } from "../task/task.js";
import type { TaskRef } from "../task/task-definition.js";
import type { TaskOptions } from "../task/task-options.js";
import type { Context } from "../types.js";
import { overPath, pathSegments } from "./over-path.js";

/** The options `task()` checks for both builders. */
const TASK_KEYS = ["id", "dependsOn", "trigger", "retry", "timeout"] as const;

/** Most instances of one map that `maxParallel` may allow at once. */
export const MAX_PARALLEL_LIMIT = 10_000;

/** `mapTask("count")`: how messages name the task being declared. */
export function builderLabel(what: string, options: unknown): string {
  const id = (options as { id?: unknown } | null | undefined)?.id;
  return typeof id === "string" ? `${what}("${id}")` : `${what}(…)`;
}

function invalid(message: string): WorkflowDefinitionError {
  return new WorkflowDefinitionError("INVALID_TASK_OPTIONS", message);
}

/**
 * Splits `options` into what `task()` takes and the builder's own keys. A key in `refused`
 * gets its reason; any other unknown key is named, with the keys the builder takes.
 */
export function splitOptions(
  options: unknown,
  label: string,
  own: readonly string[],
  refused: Readonly<Record<string, string>> = {},
): { base: TaskOptions; own: Record<string, unknown> } {
  if (typeof options !== "object" || options === null) throw invalid(`${label}: options must be an object.`);
  const base: Record<string, unknown> = {};
  const mine: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    if ((TASK_KEYS as readonly string[]).includes(key)) base[key] = value;
    else if (own.includes(key)) mine[key] = value;
    else if (key in refused) throw invalid(`${label}: ${refused[key]}`);
    else {
      throw invalid(`${label}: unknown option ${JSON.stringify(key)} (it takes ${[...TASK_KEYS, ...own].join(", ")}).`);
    }
  }
  return { base: base as TaskOptions, own: mine };
}

/** `over` as the spec holds it: a path becomes a function reading it. */
export function parseOver(
  value: unknown,
  taskId: string,
  label: string,
): { over: (ctx: Context) => unknown; overLabel: string } {
  if (typeof value === "function") {
    return { over: value as (ctx: Context) => unknown, overLabel: "the function given to over" };
  }
  if (typeof value === "string" && pathSegments(value) !== null) {
    return { over: overPath(taskId, value), overLabel: `path ${JSON.stringify(value)}` };
  }
  throw invalid(
    `${label}: over must be a context path ("files", "order.lines": no empty segment) or a function (ctx) => array, not ${shown(value)}.`,
  );
}

/** A bad option's value, for a message: primitives as written, anything else by its kind. */
export function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}

export function parseInto(value: unknown, label: string): string | undefined {
  if (value === undefined || (typeof value === "string" && value !== "")) return value;
  throw invalid(`${label}: into is ${shown(value)}; use a non-empty string (the context key the results go under).`);
}

export function parseMaxParallel(value: unknown, label: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= MAX_PARALLEL_LIMIT) return value;
  throw invalid(`${label}: maxParallel is ${shown(value)}; use a whole number from 1 to ${MAX_PARALLEL_LIMIT}.`);
}

/**
 * Registers the task through `task()`. The engine runs such a task itself (a map's instances, a
 * child's run), so its registered function runs only when called directly, and says so.
 */
export function registerEngineTask(base: TaskOptions, runsAs: string): TaskRef {
  // The untyped form of task(): the builders type their references themselves.
  const untypedTask = task as (options: TaskOptions, fn: () => never) => TaskRef;
  return untypedTask(base, () => {
    throw invalid(`"${String(base.id)}" ${runsAs}: the engine runs it inside an executor only.`);
  });
}
