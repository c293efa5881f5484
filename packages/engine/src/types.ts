/**
 * Core vocabulary.
 *
 * - **task**: a function registered under a stable string id, with the ids it depends on, a retry
 *   policy and an optional timeout. Declared with `@task(...)` or `task(options, fn)`.
 * - **workflow**: a named, validated DAG of registered tasks, with a version hash over its shape.
 * - **run** (execution): one execution of a workflow with an input context; has an `executionId`.
 * - **task run**: one task inside one run. It moves Pending → Ready → Running → a final status.
 * - **attempt**: one call of a task's function. A failed attempt may be retried; a run that was
 *   interrupted by a crash runs its attempt again (a *recovery*, not counted against retries).
 * - **context**: a plain object. A task receives the run's input merged with its ancestors'
 *   outputs, and returns a partial object that is merged in for its descendants.
 * - **lease**: a claim on a running task by one executor (its *owner*), renewed while it runs.
 *   An expired lease (its owner died) puts the task back to Ready.
 * - **store**: the persistence contract (`Store`) that a backend implements.
 * - **backend**: a package that turns a database URL into a `Store`.
 */
import type { Duration } from "./wait/duration.js";
import type { CallAgain, CallAgainOptions } from "./wait/wait-request.js";

/** Status of a run. */
export type RunStatus =
  /** Created and not finished: some task is pending, ready or running. */
  | "Running"
  /** Every task completed. */
  | "Completed"
  /** At least one task failed for good; its dependents were skipped. */
  | "Failed"
  /** `cancel()` was called before the run finished. */
  | "Cancelled";

/** The statuses a finished run can have. */
export type FinalRunStatus = Exclude<RunStatus, "Running">;

/** Status of one task within a run. */
export type TaskStatus =
  /** Waiting for dependencies. */
  | "Pending"
  /** Dependencies done; waiting for a worker (or for a retry delay to pass). */
  | "Ready"
  /** Claimed by a worker; an attempt is in progress. */
  | "Running"
  /**
   * Waiting for a time, a signal, or a later call, holding no worker: no slot, no lease. A due
   * wake-up (or a signal) makes it Ready again.
   */
  | "Waiting"
  /** Finished successfully; its output is stored. */
  | "Completed"
  /** Failed and out of attempts. */
  | "Failed"
  /** Not run because a dependency failed. */
  | "Skipped"
  /** Not run (or stopped) because the run was cancelled. */
  | "Cancelled";

export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ["Completed", "Failed", "Skipped", "Cancelled"];

/** A context: a plain object whose values the marshaller can store (see the README). */
export type Context = Record<string, unknown>;

/** What a task function receives besides its context. */
export interface TaskRunInfo {
  /** Aborted when the run is cancelled or the attempt times out; `reason` says which. */
  readonly signal: AbortSignal;
  readonly executionId: string;
  readonly workflow: string;
  readonly taskId: string;
  /** 1 for the first attempt (of this call: see `calls`). */
  readonly attempt: number;
  /** How many times this task asked to be called again before this call (0 on its first). */
  readonly calls: number;
  /** The state passed to the `callAgainIn` that asked for this call (undefined on the first). */
  readonly state: unknown;
  /**
   * Returned by the task function (`return run.callAgainIn("5m", { state })`): this call ends
   * without completing the task, its worker is released, and the task is called again after
   * `delay` with `state`, counting no failed attempt (a polling sensor). `maxCalls` and `timeout`
   * (from the first call) bound it: past them the task fails with CALL_AGAIN_LIMIT.
   */
  callAgainIn(delay: Duration, options?: CallAgainOptions): CallAgain;
}

/** An error as stored: enough to show a user what happened, and to rebuild an `Error`. */
export interface StoredError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  cause?: StoredError;
}
