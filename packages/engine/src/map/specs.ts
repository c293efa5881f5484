/**
 * What makes a task a map or a child workflow, kept beside its definition (by identity), as the
 * wait specs are (wait/wait-tasks.ts). `mapTask()` and `childWorkflow()` set them; the runtime
 * reads them to expand a task into instances and to start child runs.
 */
import type { Context, TaskRunInfo } from "../types.js";
import type { TaskDefinition } from "../task/task-definition.js";
import type { Workflow } from "../workflow/workflow.js";

/** What an instance's function receives besides its element and the context. */
export interface MapRunInfo extends TaskRunInfo {
  /** The element's position in the array mapped over (0-based). */
  readonly index: number;
}

export interface MapSpec {
  /**
   * The array to map over, from the task's context. May throw a coded error (a missing path:
   * MAP_PATH_MISSING); the engine checks that the value is an array.
   */
  over: (ctx: Context) => unknown;
  /** How `over` was given, for messages: `path "files"` or `the function given to over`. */
  overLabel: string;
  /** The context key the outputs are collected under, in element order (default: the task id). */
  into: string;
  /** Most instances running at once (absent: as many as executors have slots). */
  maxParallel?: number;
  /** One element's work (mapTask). Absent when each element starts a child run instead. */
  each?: (element: unknown, ctx: Context, run: MapRunInfo) => unknown;
}

export interface ChildSpec {
  /** The child workflow, resolved when a child is started (a function allows a forward reference). */
  workflow: () => Workflow;
  /** The child's input: from the element when the task is mapped, else from the context. */
  input: (ctx: Context, instance?: { element: unknown; index: number }) => unknown;
  /** The context key the child's final context is put under (default: the task id). */
  into: string;
}

const MAPS = Symbol.for("cloacina.mapSpecs.v1");
const CHILDREN = Symbol.for("cloacina.childSpecs.v1");
type Specs<T> = WeakMap<TaskDefinition, T>;
/** On `globalThis`, like the registry: another copy of the engine (the CLI's) registers in the same place. */
const maps: Specs<MapSpec> = ((globalThis as { [MAPS]?: Specs<MapSpec> })[MAPS] ??= new WeakMap());
const children: Specs<ChildSpec> = ((globalThis as { [CHILDREN]?: Specs<ChildSpec> })[CHILDREN] ??= new WeakMap());

export function mapSpecOf(definition: TaskDefinition): MapSpec | undefined {
  return maps.get(definition);
}

export function childSpecOf(definition: TaskDefinition): ChildSpec | undefined {
  return children.get(definition);
}

export function setMapSpec(definition: TaskDefinition, spec: MapSpec): void {
  maps.set(definition, spec);
}

export function setChildSpec(definition: TaskDefinition, spec: ChildSpec): void {
  children.set(definition, spec);
}

/**
 * What a task waiting for its child run keeps as its wait state: the child, and the attempt that
 * started it (a retry of the task is a later attempt, which starts a new child).
 */
export interface ChildWaitState {
  run: string;
  attempt: number;
}

export function childWaitState(state: string | null): ChildWaitState | null {
  if (state === null) return null;
  try {
    const parsed = JSON.parse(state) as Partial<ChildWaitState>;
    return typeof parsed.run === "string" && typeof parsed.attempt === "number"
      ? { run: parsed.run, attempt: parsed.attempt }
      : null;
  } catch {
    return null;
  }
}

/** Most elements one map may have: larger arrays fail the task with MAP_TOO_LARGE. */
export const MAX_MAP_LENGTH = 100_000;

/** The task row id of a map's instance: `count[3]`. Task ids cannot contain `[`, so it is unambiguous. */
export function instanceTaskId(taskId: string, index: number): string {
  return `${taskId}[${index}]`;
}

/** The task id and index of an instance row id, or null for a task's own row. */
export function parseInstanceId(rowId: string): { taskId: string; index: number } | null {
  if (!rowId.endsWith("]")) return null;
  const open = rowId.lastIndexOf("[");
  if (open <= 0) return null;
  const index = Number(rowId.slice(open + 1, -1));
  return Number.isInteger(index) && index >= 0 ? { taskId: rowId.slice(0, open), index } : null;
}
