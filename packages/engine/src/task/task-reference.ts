import { WorkflowDefinitionError } from "../errors.js";
import { globalRegistry } from "../registry/registry.js";
import type { TaskRunInfo } from "../types.js";
import { isTaskRef, type TaskDefinition, type TaskRef } from "./task-definition.js";

/** A method decorated with `@task`, as `Etl.extract` (static) or `Etl.prototype.load` (instance). */
export type TaskMethod = (ctx: any, run: TaskRunInfo) => unknown;

/**
 * How one task names another, in `dependsOn` and in a workflow's `tasks`: its id, the reference
 * `task()` returned, or the decorated method itself. References carry types; ids do not.
 */
export type TaskDependency = string | TaskRef | TaskMethod;

/**
 * The definition a reference or decorated method stands for; `undefined` for an id (looked up
 * by the caller) or anything else. A function that was never decorated is not a task.
 */
export function referencedDefinition(entry: unknown): TaskDefinition | undefined {
  if (isTaskRef(entry)) return entry.definition;
  if (typeof entry === "function") return globalRegistry().taskOfMethod(entry);
  return undefined;
}

/** The id `entry` names, or a coded error saying what `entry` is instead (`where` says where it was). */
export function dependencyId(entry: unknown, where: string): string {
  if (typeof entry === "string") return entry;
  const definition = referencedDefinition(entry);
  if (definition) return definition.id;
  const name = typeof entry === "function" && entry.name !== "" ? ` ${entry.name}()` : "";
  throw new WorkflowDefinitionError(
    "INVALID_TASK_OPTIONS",
    typeof entry === "function"
      ? `${where}: the function${name} is not a task. Decorate it with @task (before this line runs), or declare it with task().`
      : `${where}: each entry is a task id, a task reference (what task() returns) or a decorated method, not ${typeof entry}.`,
  );
}
