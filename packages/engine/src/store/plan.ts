/**
 * A plan: what one store transaction does, written once in the engine, without I/O.
 *
 * A plan is a generator that yields row-level operations ({@link StoreOp}) and receives their
 * results. A backend's `transact` runs it inside one transaction with {@link runPlanSync}
 * (better-sqlite3) or {@link runPlanAsync} (a pool client), implementing each operation as a
 * statement (or a few). So the rules (fencing, readiness, skipping, settling runs, claiming)
 * live in the engine, and a backend is only its SQL. A new capability is a new operation here
 * and a new conformance case, never a new method on the backend contract.
 */
import { ExecutorError } from "../errors.js";
import type {
  ClaimedTask,
  NewEvent,
  NewRun,
  ScheduleRecord,
  StoreEvent,
  TaskReset,
  WorkflowVersionRecord,
} from "./records.js";
import type { FinalRunStatus } from "../types.js";

/** A task attempt held by `owner` (fencing: an operation on it applies only while it is held). */
export interface HeldAttempt {
  runId: string;
  taskId: string;
  attempt: number;
}

/**
 * The operations a SQL store implements, and what each returns. Each takes a batch, so a store
 * can do it in one statement (PostgreSQL: `unnest`) or loop a prepared statement (SQLite).
 */
export interface StoreOps {
  /**
   * Insert the run rows and all their task rows (roots Ready, others Pending). A run whose
   * idempotency key is taken is not inserted (nor its tasks): it is returned with the run that
   * holds the key.
   */
  insertRuns: {
    args: { runs: readonly NewRun[]; now: number };
    result: { runId: string; existingRunId: string; existingWorkflow: string }[];
  };
  /**
   * Finish the tasks whose attempt `owner` still holds; returns the ones it did (the others are
   * stale: their lease was lost). A Skipped task's attempt count goes back by one: it was claimed
   * to decide its trigger rule, but did not run.
   */
  finishTasks: {
    args: {
      owner: string;
      now: number;
      tasks: readonly (HeldAttempt & {
        status: "Completed" | "Failed" | "Skipped" | "Cancelled";
        output: string | null;
        error: string | null;
      })[];
    };
    result: HeldAttempt[];
  };
  /** Put held tasks back to Ready at their `availableAt`; returns the ones it did. */
  retryTasks: {
    args: { owner: string; tasks: readonly (HeldAttempt & { error: string; availableAt: number })[] };
    result: HeldAttempt[];
  };
  /** Record attempts that did not complete their task. */
  insertAttempts: {
    args: { now: number; attempts: readonly (HeldAttempt & { status: "Failed" | "Cancelled"; error: string })[] };
    result: void;
  };
  /**
   * Each Pending task loses `count` dependencies, `failed` and `skipped` of which ended so (added
   * to its counters); at zero pending it becomes Ready, available now. Returns those that did.
   */
  releaseTasks: { args: { now: number; tasks: readonly Release[] }; result: { runId: string; taskId: string }[] };
  /** Set the cancel flag of these runs that are still running; returns those. */
  requestCancels: { args: { runIds: readonly string[] }; result: string[] };
  /** Pending and Ready tasks of these runs become Cancelled; returns how many per run. */
  cancelWaiting: { args: { runIds: readonly string[]; now: number }; result: Map<string, number> };
  /** Per run: unfinished -= finished, failed += failed; returns each run's counters after. */
  countDown: {
    args: { runs: readonly { runId: string; finished: number; failed: number }[] };
    result: { runId: string; unfinished: number; failed: number; cancelRequested: boolean; status: string }[];
  };
  /** Give running runs their final status (and a run-level error, JSON, when one is given). */
  finishRuns: {
    args: { runs: readonly { runId: string; status: FinalRunStatus; error?: string }[]; now: number };
    /** The runs it finished (those still running). */
    result: string[];
  };
  /** Claim up to `limit` Ready, due tasks of the given versions, oldest first, with a lease. */
  claim: {
    args: { owner: string; now: number; leaseExpiresAt: number; versions: readonly string[]; limit: number };
    result: ClaimedTask[];
  };
  /** Earliest available time after `now` of a Ready task of the given versions. */
  nextAvailableAt: { args: { now: number; versions: readonly string[] }; result: number | null };
  /** Running tasks whose lease expired before `now` or whose owner is dead go back to Ready. */
  recoverLeases: {
    args: { now: number; deadOwners: readonly string[] };
    result: { runId: string; taskId: string; attempt: number }[];
  };
  /** A finished (Failed or Cancelled) run becomes Running again with `unfinished` tasks to go. */
  reopenRun: { args: { runId: string; unfinished: number }; result: boolean };
  /** Put these tasks back: Ready when they have no pending dependency, else Pending. */
  resetTasks: { args: { runId: string; tasks: readonly TaskReset[]; now: number }; result: void };
  /**
   * Those of these runs that must run no more tasks: their cancel flag is set, or they finished
   * (a run failed as a whole while one of its tasks was running elsewhere).
   */
  cancelRequested: { args: { runIds: readonly string[] }; result: string[] };
  /** Append events to the log (their positions are the store's). */
  appendEvents: { args: { events: readonly NewEvent[] }; result: void };
  /**
   * Tell other processes sharing the database, on commit (PostgreSQL: NOTIFY in the same
   * transaction). A store without a channel between processes does nothing: the engine tells
   * this process's executors itself once the transaction commits.
   */
  notify: { args: { notices: readonly StoreEvent[] }; result: void };
  /** Push back the lease expiry of every task `owner` is running. */
  renewLeases: { args: { owner: string; expiresAt: number }; result: void };
  /** Create a schedule, or update the one with the same id (keeping its creation and last fire). */
  saveSchedule: { args: { schedule: ScheduleRecord }; result: void };
  /** Delete a schedule; returns whether there was one. */
  removeSchedule: { args: { id: string }; result: boolean };
  /**
   * Compare-and-set: move a schedule on from `expectedNextFireAt` (so of two executors handling
   * the same fire, one does). Returns whether it did.
   */
  advanceSchedule: {
    args: { id: string; expectedNextFireAt: number; nextFireAt: number; lastFiredAt: number | null };
    result: boolean;
  };
  /** Pause, or resume with a new next fire time; returns whether the schedule exists. */
  setSchedulePaused: { args: { id: string; paused: boolean; nextFireAt: number }; result: boolean };
  /** Record a workflow version's shape, unless already stored. */
  saveWorkflowVersion: { args: { record: WorkflowVersionRecord }; result: void };
  /** Delete events before `before` (epoch ms), except the newest; returns how many. */
  pruneEvents: { args: { before: number }; result: number };
}

/** Finished dependencies reported to one dependent in one step. */
export interface Release {
  runId: string;
  taskId: string;
  count: number;
  failed: number;
  skipped: number;
}

export type StoreOpName = keyof StoreOps;
export type StoreOp = { [K in StoreOpName]: { op: K; args: StoreOps[K]["args"] } }[StoreOpName];
export type Plan<T> = Generator<StoreOp, T, unknown>;

/** Performs one operation and returns its result (a backend's whole job). */
export type SyncOpRunner = <K extends StoreOpName>(op: K, args: StoreOps[K]["args"]) => StoreOps[K]["result"];
export type AsyncOpRunner = <K extends StoreOpName>(op: K, args: StoreOps[K]["args"]) => Promise<StoreOps[K]["result"]>;

/** Yields one operation and returns its result, typed: `const rows = yield* call("claim", args)`. */
export function* call<K extends StoreOpName>(
  op: K,
  args: StoreOps[K]["args"],
): Generator<StoreOp, StoreOps[K]["result"], unknown> {
  return (yield { op, args } as StoreOp) as StoreOps[K]["result"];
}

/** A plan of one operation. */
export function* single<K extends StoreOpName>(op: K, args: StoreOps[K]["args"]): Plan<StoreOps[K]["result"]> {
  return yield* call(op, args);
}

/**
 * Runs a plan with a synchronous runner (inside the caller's transaction). An error thrown by
 * the plan's own code is a bug of the engine (`INTERNAL_ERROR`); one thrown by the runner is the
 * store's, passed on as it is.
 */
export function runPlanSync<T>(plan: Plan<T>, run: SyncOpRunner): T {
  let next = advance(plan, undefined);
  while (!next.done) next = advance(plan, run(next.value.op, next.value.args as never));
  return next.value;
}

/** As {@link runPlanSync}, with an asynchronous runner. */
export async function runPlanAsync<T>(plan: Plan<T>, run: AsyncOpRunner): Promise<T> {
  let next = advance(plan, undefined);
  while (!next.done) next = advance(plan, await run(next.value.op, next.value.args as never));
  return next.value;
}

function advance<T>(plan: Plan<T>, value: unknown): IteratorResult<StoreOp, T> {
  try {
    return plan.next(value);
  } catch (error) {
    throw new ExecutorError("INTERNAL_ERROR", `A store plan failed: ${String(error)}. This is a bug in Cloacina.`, {
      cause: error,
    });
  }
}
