import { z } from "zod";
import { ValidationError } from "../errors.js";
import { DEFAULT_MAX_CONTEXT_BYTES } from "../marshal/marshal.js";
import type { EventTransportFactory } from "../events/transport.js";

export const executorOptionsSchema = z.strictObject({
  /** Most task attempts this executor runs at once. */
  concurrency: z.int().min(1).max(10_000).default(64),
  /** How long a claim on a running task lasts without renewal (renewed every third of it). */
  leaseMs: z.int().min(100).default(30_000),
  /** Largest encoded size of an input context or a task output, in bytes. */
  maxContextBytes: z.int().min(64).default(DEFAULT_MAX_CONTEXT_BYTES),
  /** Times a task may be interrupted by a crash before it fails (crashes do not use up retries). */
  recoveryBudget: z.int().min(0).default(3),
  /**
   * Whether this executor runs tasks. `false` makes a client that only starts, watches and
   * cancels runs (an API server, say) while worker processes do the work.
   */
  runTasks: z.boolean().default(true),
  /**
   * Safety-net poll, in ms: look for claimable work and finished runs even if no notice came.
   * Work normally starts from events (in-process, or LISTEN/NOTIFY on PostgreSQL), never from it.
   */
  pollMs: z.int().min(10).default(5_000),
  /**
   * What to do, when the executor opens, with unfinished runs of a workflow registered here under
   * another version (its definition changed): "fail" them with WORKFLOW_VERSION_MISMATCH, or
   * "leave" them for a process that still has their version (during a rolling deploy).
   * Either way two versions are never mixed in one run.
   */
  versionMismatch: z.enum(["fail", "leave"]).default("fail"),
  /** Resume unfinished runs of registered workflows when the executor opens. */
  resume: z.boolean().default(true),
  /** How long `close()` waits for running attempts before releasing their leases. */
  closeGraceMs: z.int().min(0).default(10_000),
  /**
   * How live events reach `executor.events()` subscribers: "memory" (woken by writes of this
   * process only), "postgres" (also by LISTEN/NOTIFY from other processes; the default on
   * PostgreSQL), or a transport factory (`createExecutor` turns "redis://…" into one).
   */
  events: z
    .union([
      z.enum(["memory", "postgres"]),
      z.custom<EventTransportFactory>((v) => typeof v === "function", "a transport factory function"),
    ])
    .optional(),
  /** Where background errors go (a store failure in the scheduling loop). Default: console.error. */
  onError: z.custom<(error: unknown) => void>((v) => typeof v === "function").optional(),
  /** Clock, for tests. */
  now: z.custom<() => number>((v) => typeof v === "function").optional(),
});

export type ExecutorOptions = z.input<typeof executorOptionsSchema>;
export type ResolvedExecutorOptions = z.output<typeof executorOptionsSchema>;

export function parseExecutorOptions(options: unknown): ResolvedExecutorOptions {
  const parsed = executorOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new ValidationError(
      "INVALID_EXECUTOR_OPTIONS",
      `Invalid executor options:\n${z.prettifyError(parsed.error)}`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}
