/**
 * A plan: what one store transaction does, written once in the engine, without I/O.
 *
 * A plan is a generator that yields row-level operations ({@link StoreOp}) and receives their
 * results. A backend's `transact` runs it inside one transaction with {@link runPlanSync}
 * (better-sqlite3) or {@link runPlanAsync} (a pool client), implementing each operation as a
 * statement (or a few). So the rules (fencing, readiness, skipping, settling runs, claiming)
 * live in the engine, and a backend is only its SQL. A new capability is a new operation here
 * and a new conformance case, never a new method on the backend contract.
 *
 * A plan may also yield a batch ({@link together}): operations whose arguments do not depend on
 * each other's results. They run in order, but a backend with a network between it and its
 * database may send them all before reading any answer (PostgreSQL: pipelining), so a batch
 * costs one round trip whatever its size.
 */
import { ExecutorError } from "../errors.js";
import type {
  ClaimedTask,
  NewEvent,
  NewRun,
  ScheduleRecord,
  StoreEvent,
  TaskReset,
  TaskWait,
  WorkflowVersionRecord,
} from "./records.js";
import type { FinalRunStatus, TaskStatus } from "../types.js";

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
   * Finish the tasks whose attempt `owner` still holds (the others are stale: their lease was
   * lost). A Skipped task's attempt count goes back by one: it was claimed to decide its trigger
   * rule, but did not run. For each task it finished, and only for those:
   * - each of its `release.children` that is Pending, or Waiting for its instances (a mapped
   *   task released by an instance), loses one dependency (and gains one failed or skipped, as
   *   `release` says); one reaching zero pending becomes Ready, available now;
   * - its run counts one task fewer unfinished (and one more failed if `failsRun`).
   *
   * One operation, not three, because what it releases and counts down depends on what it
   * finished: a store can do all of it in one statement (PostgreSQL: data-modifying CTEs).
   */
  finishTasks: {
    args: { owner: string; now: number; tasks: readonly FinishingTask[] };
    result: {
      /** The attempts it finished. */
      held: HeldAttempt[];
      /** The children that became Ready. */
      ready: { runId: string; taskId: string }[];
      /** The counters, after, of each run it counted down. */
      runs: RunCounters[];
    };
  };
  /**
   * Put held tasks back to Ready at their `availableAt` (forgetting what they waited for when
   * `forgetWait`); returns the ones it did.
   */
  retryTasks: {
    args: {
      owner: string;
      tasks: readonly (HeldAttempt & { error: string; availableAt: number; forgetWait: boolean })[];
    };
    result: HeldAttempt[];
  };
  /**
   * Held tasks start waiting (their attempt is not counted, their lease is released): Waiting
   * until `wakeAt`, or, for a signal wait whose signal is already stored, Ready at once with the
   * oldest such signal's payload kept. Returns the ones it did, and those it made Ready.
   */
  waitTasks: {
    args: { owner: string; now: number; tasks: readonly (HeldAttempt & TaskWait)[] };
    result: { held: HeldAttempt[]; signalled: { runId: string; taskId: string }[] };
  };
  /**
   * Held mapped tasks expand: each inserts one instance row per element (`taskId[i]`, with its
   * element, Ready — or Pending on one dependency for those past the first `lanes`), and waits
   * for them (Waiting, its attempt not counted, as many pending dependencies as elements); its
   * run counts the instances as unfinished tasks. Returns the ones it did.
   */
  expandTasks: {
    args: {
      owner: string;
      now: number;
      tasks: readonly (HeldAttempt & { elements: readonly string[]; lanes: number | null; maxAttempts: number })[];
    };
    result: HeldAttempt[];
  };
  /** These tasks, if Waiting for `kind`, become Ready now (a child run ended); returns those. */
  wakeTasks: {
    args: { tasks: readonly { runId: string; taskId: string }[]; kind: "child"; now: number };
    result: { runId: string; taskId: string }[];
  };
  /** Waiting tasks of the given versions whose wake time has come become Ready; returns them. */
  wakeDue: { args: { now: number; versions: readonly string[] }; result: { runId: string; taskId: string }[] };
  /**
   * Store a signal for a task and, if the task is waiting for a signal, make it Ready with this
   * payload kept — so a stored signal is one its task will take (see signal-rule.ts). Nothing is
   * stored for a resend (a signal with the same key is kept: `stored: false`, `refused: null`), nor
   * when `refused` says why the task can take none.
   */
  deliverSignal: {
    args: { runId: string; taskId: string; key: string; payload: string; now: number };
    result: {
      status: TaskStatus | null;
      runStatus: string | null;
      stored: boolean;
      woken: boolean;
      refused: "noTask" | "runFinished" | "taskFinished" | "signalled" | "timedOut" | null;
    };
  };
  /** Running runs whose deadline has passed. */
  expiredRuns: { args: { now: number }; result: string[] };
  /** Record attempts that did not complete their task. */
  insertAttempts: {
    args: { now: number; attempts: readonly (HeldAttempt & { status: "Failed" | "Cancelled"; error: string })[] };
    result: void;
  };
  /**
   * Set the cancel flag of these runs, and of the runs their tasks started (child runs, at any
   * depth), that are still running; returns those.
   */
  requestCancels: { args: { runIds: readonly string[] }; result: string[] };
  /** Pending, Ready and Waiting tasks of these runs become Cancelled; returns how many per run. */
  cancelWaiting: { args: { runIds: readonly string[]; now: number }; result: Map<string, number> };
  /** Per run: unfinished -= finished, failed += failed; returns each run's counters after. */
  countDown: {
    args: { runs: readonly { runId: string; finished: number; failed: number }[] };
    result: RunCounters[];
  };
  /** Give running runs their final status (and a run-level error, JSON, when one is given). */
  finishRuns: {
    args: { runs: readonly { runId: string; status: FinalRunStatus; error?: string }[]; now: number };
    /** The runs it finished (those still running), with the task that started each child run. */
    result: { runId: string; parent: { runId: string; taskId: string } | null }[];
  };
  /** Claim up to `limit` Ready, due tasks of the given versions, oldest first, with a lease. */
  claim: {
    args: { owner: string; now: number; leaseExpiresAt: number; versions: readonly string[]; limit: number };
    result: ClaimedTask[];
  };
  /**
   * Earliest time after `now` when something becomes due: a Ready task of the given versions
   * (a retry delay), a Waiting one's wake time, or a running run's deadline.
   */
  nextAvailableAt: { args: { now: number; versions: readonly string[] }; result: number | null };
  /** Running tasks whose lease expired before `now` or whose owner is dead go back to Ready. */
  recoverLeases: {
    args: { now: number; deadOwners: readonly string[] };
    result: { runId: string; taskId: string; attempt: number }[];
  };
  /** A finished (Failed or Cancelled) run becomes Running again with `unfinished` tasks to go. */
  /** … and its deadline is `deadline` (a retry's own: the workflow's timeout from now, or none). */
  reopenRun: { args: { runId: string; unfinished: number; deadline: number | null }; result: boolean };
  /**
   * Put these tasks back: Ready when they have no pending dependency, else Pending, as new (no
   * attempt started, nothing waited for, the signals kept for them forgotten).
   */
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

/** A task attempt to finish, and what finishing it does to its children and its run. */
export interface FinishingTask extends HeldAttempt {
  status: "Completed" | "Failed" | "Skipped" | "Cancelled";
  output: string | null;
  error: string | null;
  /** The children it releases, and as what (failed, skipped, or neither); null: none. */
  release: { children: readonly string[]; failed: 0 | 1; skipped: 0 | 1 } | null;
  /** Whether it counts as a failed task of its run. */
  failsRun: boolean;
}

/** A run's task counters, after an operation changed them. */
export interface RunCounters {
  runId: string;
  unfinished: number;
  failed: number;
  cancelRequested: boolean;
  status: string;
}

export type StoreOpName = keyof StoreOps;
export type StoreOp = { [K in StoreOpName]: { op: K; args: StoreOps[K]["args"] } }[StoreOpName];
/** Operations whose arguments do not depend on each other's results: see {@link together}. */
export interface StoreBatch {
  batch: readonly StoreOp[];
}
export type PlanStep = StoreOp | StoreBatch;
export type Plan<T> = Generator<PlanStep, T, unknown>;

/** Performs one operation and returns its result (a backend's whole job). */
export type SyncOpRunner = <K extends StoreOpName>(op: K, args: StoreOps[K]["args"]) => StoreOps[K]["result"];
/**
 * As {@link SyncOpRunner}, asynchronously. The operations of a batch are all started before any
 * is awaited: a runner must perform them in the order it is called (a pg client does: it sends
 * queries in call order), so each must send its statement before returning its promise.
 */
export type AsyncOpRunner = <K extends StoreOpName>(op: K, args: StoreOps[K]["args"]) => Promise<StoreOps[K]["result"]>;

/** Yields one operation and returns its result, typed: `const rows = yield* call("claim", args)`. */
export function* call<K extends StoreOpName>(
  op: K,
  args: StoreOps[K]["args"],
): Generator<StoreOp, StoreOps[K]["result"], unknown> {
  return (yield { op, args } as StoreOp) as StoreOps[K]["result"];
}

/** An operation to yield in a batch: `together({ claimed: op("claim", args) })`. */
export function op<K extends StoreOpName>(name: K, args: StoreOps[K]["args"]): Extract<StoreOp, { op: K }> {
  return { op: name, args } as Extract<StoreOp, { op: K }>;
}

type ResultOf<T> = T extends { op: infer K extends StoreOpName } ? StoreOps[K]["result"] : undefined;

/**
 * Yields the given operations as one batch and returns their results by name; an undefined
 * entry is left out (its result is undefined). They run in the order of the object's keys.
 */
export function* together<const C extends Readonly<Record<string, StoreOp | undefined>>>(
  calls: C,
): Generator<PlanStep, { [N in keyof C]: ResultOf<C[N]> }, unknown> {
  const names = Object.keys(calls).filter((name) => calls[name] !== undefined);
  const results = names.length === 0 ? [] : ((yield { batch: names.map((name) => calls[name]!) }) as unknown[]);
  const named: Record<string, unknown> = {};
  for (const name of Object.keys(calls)) named[name] = undefined;
  names.forEach((name, i) => (named[name] = results[i]));
  return named as { [N in keyof C]: ResultOf<C[N]> };
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
  while (!next.done) {
    const step = next.value;
    next = advance(
      plan,
      "batch" in step ? step.batch.map((o) => run(o.op, o.args as never)) : run(step.op, step.args as never),
    );
  }
  return next.value;
}

/** As {@link runPlanSync}, with an asynchronous runner; a batch's operations are all started at once. */
export async function runPlanAsync<T>(plan: Plan<T>, run: AsyncOpRunner): Promise<T> {
  let next = advance(plan, undefined);
  while (!next.done) {
    const step = next.value;
    next = advance(
      plan,
      "batch" in step
        ? await all(step.batch.map((o) => run(o.op, o.args as never)))
        : await run(step.op, step.args as never),
    );
  }
  return next.value;
}

/** Promise.all, but every promise settles (none rejects unhandled) before the first failure is thrown. */
async function all(promises: Promise<unknown>[]): Promise<unknown[]> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value);
}

function advance<T>(plan: Plan<T>, value: unknown): IteratorResult<PlanStep, T> {
  try {
    return plan.next(value);
  } catch (error) {
    throw new ExecutorError("INTERNAL_ERROR", `A store plan failed: ${String(error)}. This is a bug in Cloacina.`, {
      cause: error,
    });
  }
}
