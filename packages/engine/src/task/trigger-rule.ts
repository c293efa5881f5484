import { z } from "zod";
import type { Context } from "../types.js";

/**
 * When a task runs, once all its dependencies have finished (whatever their outcome):
 * - "allSucceeded" (default): every dependency completed.
 * - "allDone": always, whatever the dependencies' outcomes (cleanup).
 * - "anyFailed": at least one dependency failed (alerting).
 * - a condition on the task's context (which implies "allSucceeded" first).
 * A task whose rule is false is Skipped, and that is an outcome its own dependents see.
 */
export type TriggerRule = "allSucceeded" | "allDone" | "anyFailed" | Condition;

/** A test on the task's context. `path` is a dotted key path, e.g. "order.total". */
export type Condition =
  | { path: string; equals: unknown }
  | { path: string; exists: boolean }
  | { path: string; greaterThan: number }
  | { path: string; lessThan: number }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

const path = z
  .string()
  .min(1)
  .regex(/^[^.]+(\.[^.]+)*$/, "a dotted key path such as order.total");

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({ path, equals: z.unknown() }).refine((c) => "equals" in c, "equals needs a value"),
    z.strictObject({ path, exists: z.boolean() }),
    z.strictObject({ path, greaterThan: z.number() }),
    z.strictObject({ path, lessThan: z.number() }),
    z.strictObject({ all: z.array(conditionSchema).min(1) }),
    z.strictObject({ any: z.array(conditionSchema).min(1) }),
    z.strictObject({ not: conditionSchema }),
  ]),
);

export const triggerRuleSchema = z.union([z.enum(["allSucceeded", "allDone", "anyFailed"]), conditionSchema]);

/** How the dependencies of a task ended. */
export interface DependencyOutcomes {
  failed: number;
  skipped: number;
}

/** Whether a task with this rule runs, given how its dependencies ended and its context. */
export function shouldRun(rule: TriggerRule, deps: DependencyOutcomes, context: () => Context): boolean {
  switch (rule) {
    case "allDone":
      return true;
    case "anyFailed":
      return deps.failed > 0;
    case "allSucceeded":
      return deps.failed === 0 && deps.skipped === 0;
    default:
      return deps.failed === 0 && deps.skipped === 0 && holds(rule, context());
  }
}

export function holds(condition: Condition, context: Context): boolean {
  if ("all" in condition) return condition.all.every((c) => holds(c, context));
  if ("any" in condition) return condition.any.some((c) => holds(c, context));
  if ("not" in condition) return !holds(condition.not, context);
  const found = lookup(context, condition.path);
  if ("exists" in condition) return found.exists === condition.exists;
  if (!found.exists) return false;
  if ("equals" in condition) return deepEqual(found.value, condition.equals);
  const value = found.value;
  if (typeof value !== "number" && typeof value !== "bigint") return false;
  return "greaterThan" in condition ? value > condition.greaterThan : value < condition.lessThan;
}

function lookup(context: Context, dotted: string): { exists: boolean; value?: unknown } {
  let current: unknown = context;
  for (const key of dotted.split(".")) {
    if (typeof current !== "object" || current === null || !Object.hasOwn(current, key)) return { exists: false };
    current = (current as Record<string, unknown>)[key];
  }
  return { exists: current !== undefined, value: current };
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
