import type { Context, TaskRunInfo } from "../types.js";
import type { CallAgain } from "../wait/wait-request.js";
import type { TaskTypes } from "./context-types.js";
import type { ResolvedTaskOptions } from "./task-options.js";

/** A task's function: receives its context, returns a partial context (or nothing) to merge in. */
export type TaskFunction<In extends Context = any, Out extends Context | void = any> = (
  ctx: In,
  run: TaskRunInfo,
) => Out | CallAgain | Promise<Out | CallAgain>;

/** A registered task. `invoke` calls the function with the right `this`. */
export interface TaskDefinition extends ResolvedTaskOptions {
  readonly kind: "cloacina.task";
  readonly invoke: (ctx: Context, run: TaskRunInfo) => unknown;
  /** Where it was registered (a stack line), for duplicate-id errors. */
  readonly registeredAt: string;
}

/**
 * What `task(options, fn)` returns: a reference usable in `workflow({ tasks: [...] })` and in
 * another task's `dependsOn`, where it carries its types (see context-types.ts).
 */
export interface TaskRef<In extends Context = any, Out extends Context | void = any, Types extends TaskTypes = any> {
  readonly id: string;
  readonly definition: TaskDefinition;
  /** Calls the function directly (no persistence), e.g. in unit tests. */
  readonly fn: TaskFunction<In, Out>;
  /** Types only: never set at run time. */
  readonly "~types"?: Types;
}

export function isTaskRef(value: unknown): value is TaskRef {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { definition?: { kind?: unknown } }).definition?.kind === "cloacina.task"
  );
}
