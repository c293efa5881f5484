import { z } from "zod";
import type { StandardSchemaV1 } from "../schema/standard-schema.js";
import { isStandardSchema } from "../schema/validate.js";
import type { TaskDependency } from "./task-reference.js";
import { type TriggerRule, triggerRuleSchema } from "./trigger-rule.js";

type ErrorClass = abstract new (...args: any[]) => Error;
const errorClass = z.custom<ErrorClass>(
  (v) => typeof v === "function" && (v === Error || v.prototype instanceof Error),
  "an Error class (a constructor that extends Error)",
);

/**
 * Which errors are retried (while attempts remain). "always" (default) and "never", or a filter:
 * an error is retried when it matches ANY of the listed kinds — `instanceof` one of `errors`,
 * `error.name` in `names`, `error.code` in `codes`, or `predicate(error)` true.
 */
export const retryWhenSchema = z.union([
  z.enum(["always", "never"]),
  z
    .strictObject({
      errors: z.array(errorClass).optional(),
      names: z.array(z.string().min(1)).optional(),
      codes: z.array(z.string().min(1)).optional(),
      predicate: z.custom<(error: unknown) => boolean>((v) => typeof v === "function", "a function").optional(),
    })
    .refine(
      (w) => Object.values(w).some((v) => v !== undefined),
      "list at least one of errors, names, codes, predicate",
    ),
]);
export type RetryWhen = z.input<typeof retryWhenSchema>;

/** How long to wait before attempt n+1. */
export const retryOptionsSchema = z
  .strictObject({
    /** Total number of attempts, the first one included. */
    maxAttempts: z.int().min(1).max(1000).default(1),
    backoff: z.enum(["fixed", "exponential"]).default("exponential"),
    /** Delay before the second attempt (and every attempt with `fixed`). */
    delayMs: z.int().min(0).default(1000),
    /** Upper bound for exponential delays. */
    maxDelayMs: z.int().min(0).default(60_000),
    /** Randomise each delay by up to ±this fraction, so retries of many runs spread out. */
    jitter: z.number().min(0).max(1).default(0),
    /** Which errors are retried. */
    when: retryWhenSchema.default("always"),
  })
  .refine((r) => r.maxDelayMs >= r.delayMs, { message: "maxDelayMs must be at least delayMs", path: ["maxDelayMs"] });

export type RetryOptions = z.input<typeof retryOptionsSchema>;
export type RetryPolicy = z.output<typeof retryOptionsSchema>;

const taskIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/, "use letters, digits and _ . : / - (not starting with a symbol)");

export const taskOptionsSchema = z.strictObject({
  id: taskIdSchema,
  dependsOn: z.array(taskIdSchema).default([]),
  retry: retryOptionsSchema.default({
    maxAttempts: 1,
    backoff: "exponential",
    delayMs: 1000,
    maxDelayMs: 60_000,
    jitter: 0,
    when: "always",
  }),
  /** Milliseconds an attempt may run before its signal is aborted and the attempt fails. */
  timeout: z.int().min(1).optional(),
  /** When the task runs once its dependencies have finished (see trigger-rule.ts). */
  trigger: triggerRuleSchema.default("allSucceeded"),
  /** Checks the task's context before each attempt; the task receives the schema's output. */
  input: z.custom<StandardSchemaV1>(isStandardSchema).optional(),
  /** Checks what the task returns; the schema's output is what is stored and merged. */
  output: z.custom<StandardSchemaV1>(isStandardSchema).optional(),
});

/**
 * Options of `@task(...)` and `task(options, fn)`. `dependsOn` takes ids, references returned
 * by `task()`, or decorated methods; they are resolved to ids when the task is declared.
 */
export type TaskOptions = Omit<z.input<typeof taskOptionsSchema>, "dependsOn" | "trigger" | "input" | "output"> & {
  dependsOn?: readonly TaskDependency[];
  /** When the task runs once its dependencies have finished (see trigger-rule.ts). */
  trigger?: TriggerRule;
  input?: StandardSchemaV1;
  output?: StandardSchemaV1;
};
export type ResolvedTaskOptions = z.output<typeof taskOptionsSchema>;
