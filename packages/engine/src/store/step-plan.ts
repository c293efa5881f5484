/**
 * What a SQL store does inside one `step` transaction, written once, without I/O.
 *
 * The plan is a generator that yields row-level operations ({@link StoreOp}) and receives their
 * results. A backend runs it inside its transaction with {@link runPlanSync} (better-sqlite3) or
 * {@link runPlanAsync} (a pool client), implementing each operation as one statement. So the
 * rules (fencing, readiness, skipping, settling runs, claiming) live here, and a backend is only
 * its SQL.
 */
import type { FinalRunStatus, StoredError } from "../types.js";
import { PlanEvents } from "./plan-events.js";
import type {
  ClaimedTask,
  NewEvent,
  NewRun,
  RecoveryResult,
  StepRequest,
  StepResult,
  TaskOutcome,
  TaskReset,
} from "./store.js";

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

function* call<K extends StoreOpName>(
  op: K,
  args: StoreOps[K]["args"],
): Generator<StoreOp, StoreOps[K]["result"], unknown> {
  return (yield { op, args } as StoreOp) as StoreOps[K]["result"];
}

export function runPlanSync<T>(plan: Plan<T>, run: SyncOpRunner): T {
  let next = plan.next();
  while (!next.done) next = plan.next(run(next.value.op, next.value.args as never));
  return next.value;
}

export async function runPlanAsync<T>(plan: Plan<T>, run: AsyncOpRunner): Promise<T> {
  let next = plan.next();
  while (!next.done) next = plan.next(await run(next.value.op, next.value.args as never));
  return next.value;
}

/** Per-run tallies of tasks that reached a final status in one transaction. */
class RunCounts extends Map<string, { finished: number; failed: number }> {
  add(runId: string, finished: number, failed = 0): void {
    const entry = this.get(runId);
    if (entry) {
      entry.finished += finished;
      entry.failed += failed;
    } else {
      this.set(runId, { finished, failed });
    }
  }
}

const key = (t: { runId: string; taskId: string }) => `${t.runId}\u0000${t.taskId}`;

/** Sorted by run, then task: bulk statements then lock rows in one order, which avoids deadlocks. */
function byRunAndTask<T extends { runId: string; taskId: string }>(list: T[]): T[] {
  return list.sort((a, b) =>
    a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0,
  );
}

/** The whole of `Store.step`: create, apply, cancel, settle, claim. A few batch operations. */
export function* stepPlan(request: StepRequest): Plan<StepResult> {
  const { now, owner } = request;
  const counts = new RunCounts();
  const events = new PlanEvents(now);
  const deduplicated = request.newRuns.length > 0 ? yield* call("insertRuns", { runs: request.newRuns, now }) : [];
  if (request.newRuns.length > 0) {
    const notCreated = new Set(deduplicated.map((d) => d.runId));
    for (const run of request.newRuns) {
      if (notCreated.has(run.runId)) continue;
      events.run(run.runId, "run.started", { workflow: run.workflowName });
      for (const t of run.tasks) if (t.pendingDependencies === 0) events.task(run.runId, t.taskId, "task.ready", null);
    }
  }

  const finishing: StoreOps["finishTasks"]["args"]["tasks"][number][] = [];
  const retrying: StoreOps["retryTasks"]["args"]["tasks"][number][] = [];
  const byKey = new Map<string, TaskOutcome>();
  for (const outcome of request.outcomes) {
    const { runId, taskId, attempt } = outcome;
    byKey.set(key(outcome), outcome);
    switch (outcome.kind) {
      case "retry":
        retrying.push({
          runId,
          taskId,
          attempt,
          error: JSON.stringify(outcome.error),
          availableAt: outcome.availableAt,
        });
        break;
      case "completed":
        finishing.push({ runId, taskId, attempt, status: "Completed", output: outcome.output, error: null });
        break;
      case "skipped":
        finishing.push({ runId, taskId, attempt, status: "Skipped", output: null, error: null });
        break;
      case "failed":
      case "cancelled": {
        const status = outcome.kind === "failed" ? "Failed" : "Cancelled";
        finishing.push({ runId, taskId, attempt, status, output: null, error: JSON.stringify(outcome.error) });
        break;
      }
    }
  }
  const finished =
    finishing.length > 0 ? yield* call("finishTasks", { owner, now, tasks: byRunAndTask(finishing) }) : [];
  const retried = retrying.length > 0 ? yield* call("retryTasks", { owner, tasks: byRunAndTask(retrying) }) : [];
  const held = [...finished, ...retried].map((h) => byKey.get(key(h))!);

  const attempts: StoreOps["insertAttempts"]["args"]["attempts"][number][] = [];
  const releases = new Map<string, Release>();
  const release = (runId: string, children: readonly string[], failed: number, skipped: number) => {
    for (const taskId of children) {
      const entry = releases.get(key({ runId, taskId }));
      if (entry) {
        entry.count++;
        entry.failed += failed;
        entry.skipped += skipped;
      } else {
        releases.set(key({ runId, taskId }), { runId, taskId, count: 1, failed, skipped });
      }
    }
  };
  for (const outcome of held) {
    const { runId, taskId, attempt } = outcome;
    switch (outcome.kind) {
      case "completed":
        counts.add(runId, 1);
        release(runId, outcome.children, 0, 0);
        events.task(runId, taskId, "task.completed", attempt);
        break;
      case "skipped":
        counts.add(runId, 1);
        release(runId, outcome.children, 0, 1);
        events.task(runId, taskId, "task.skipped", attempt);
        break;
      case "failed":
        counts.add(runId, 1, 1);
        release(runId, outcome.children, 1, 0);
        attempts.push({ runId, taskId, attempt, status: "Failed", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.failed", attempt, { error: outcome.error });
        break;
      case "cancelled":
        counts.add(runId, 1);
        attempts.push({ runId, taskId, attempt, status: "Cancelled", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.cancelled", attempt, { error: outcome.error });
        break;
      case "retry":
        attempts.push({ runId, taskId, attempt, status: "Failed", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.retrying", attempt, { error: outcome.error, retryAt: outcome.availableAt });
        break;
    }
  }
  if (attempts.length > 0) yield* call("insertAttempts", { now, attempts: byRunAndTask(attempts) });
  if (releases.size > 0) {
    for (const ready of yield* call("releaseTasks", { now, tasks: byRunAndTask([...releases.values()]) })) {
      events.task(ready.runId, ready.taskId, "task.ready", null);
    }
  }
  // Cancels: the ones asked for, runs whose attempt reported being cancelled (a cancel seen by a
  // notice), and runs of retried tasks that another process is cancelling or that finished
  // meanwhile (failed as a whole) — so that a task of such a run is never left to run again.
  const cancelIds = new Set(request.cancelRuns);
  for (const outcome of held) if (outcome.kind === "cancelled") cancelIds.add(outcome.runId);
  const cancelled = cancelIds.size > 0 ? yield* call("requestCancels", { runIds: [...cancelIds].sort() }) : [];
  const retriedRuns = [...new Set(retried.map((r) => r.runId))].filter((runId) => !cancelled.includes(runId));
  if (retriedRuns.length > 0) cancelled.push(...(yield* call("cancelRequested", { runIds: retriedRuns.sort() })));
  if (cancelled.length > 0) {
    for (const [runId, n] of yield* call("cancelWaiting", { runIds: [...cancelled].sort(), now })) counts.add(runId, n);
  }
  const { limit, leaseMs, workflowVersions: versions } = request.claim;
  const canClaim = limit > 0 && versions.length > 0;
  const claimed = canClaim ? yield* call("claim", { owner, now, leaseExpiresAt: now + leaseMs, versions, limit }) : [];
  for (const c of claimed) events.task(c.runId, c.taskId, "task.started", c.attempt);
  // Settling updates each run's row: done after the claim, so that row's lock (which every
  // worker finishing tasks of the same wide run needs) is held for as short a time as possible.
  const finishedRuns = yield* settle(counts, now, events);
  if (events.list.length > 0) yield* call("appendEvents", { events: events.list });
  const lookAhead = request.claim.findNextAvailable === true || retried.length > 0;
  const nextAvailableAt =
    lookAhead && canClaim && claimed.length < limit ? yield* call("nextAvailableAt", { now, versions }) : null;
  const staleOutcomes = request.outcomes.length - held.length;
  return { claimed, deduplicated, finishedRuns, cancelled, staleOutcomes, nextAvailableAt, events: events.list.length };
}

/** Counts finished tasks down on their runs; a run reaching zero gets its final status. */
function* settle(
  counts: RunCounts,
  now: number,
  events: PlanEvents,
): Plan<{ runId: string; status: FinalRunStatus }[]> {
  if (counts.size === 0) return [];
  const runs = [...counts].map(([runId, tally]) => ({ runId, ...tally })).sort((a, b) => (a.runId < b.runId ? -1 : 1));
  const finished: { runId: string; status: FinalRunStatus }[] = [];
  for (const row of yield* call("countDown", { runs })) {
    if (row.unfinished > 0 || row.status !== "Running") continue;
    finished.push({
      runId: row.runId,
      status: row.cancelRequested ? "Cancelled" : row.failed > 0 ? "Failed" : "Completed",
    });
  }
  if (finished.length === 0) return finished;
  const done = new Set(yield* call("finishRuns", { runs: finished, now }));
  const settled = finished.filter((run) => done.has(run.runId));
  for (const run of settled) events.runFinished(run.runId, run.status);
  return settled;
}

/**
 * The whole of `Store.recoverLeases`. A recovered task of a cancelled run is cancelled instead,
 * which may finish that run.
 */
export function* recoverLeasesPlan(now: number, deadOwners: readonly string[]): Plan<RecoveryResult> {
  const recovered = yield* call("recoverLeases", { now, deadOwners });
  if (recovered.length === 0) return { recovered: 0, finishedRuns: [] };
  const events = new PlanEvents(now);
  for (const r of byRunAndTask(recovered)) events.task(r.runId, r.taskId, "task.ready", r.attempt, { recovered: true });
  const cancelled = yield* call("cancelRequested", { runIds: [...new Set(recovered.map((r) => r.runId))].sort() });
  const counts = new RunCounts();
  if (cancelled.length > 0) {
    for (const [runId, n] of yield* call("cancelWaiting", { runIds: cancelled, now })) counts.add(runId, n);
  }
  const finishedRuns = yield* settle(counts, now, events);
  yield* call("appendEvents", { events: events.list });
  return { recovered: recovered.length, finishedRuns };
}

/** The whole of `Store.failRuns`: waiting tasks Cancelled, the run Failed with its error. Returns the runs it failed. */
export function* failRunsPlan(runs: readonly { runId: string; error: StoredError }[], now: number): Plan<string[]> {
  if (runs.length === 0) return [];
  yield* call("cancelWaiting", { runIds: runs.map((r) => r.runId).sort(), now });
  const failed = runs.map((r) => ({ runId: r.runId, status: "Failed" as const, error: JSON.stringify(r.error) }));
  // Only runs still running are failed (another process may have finished one meanwhile).
  const done = new Set(yield* call("finishRuns", { runs: failed, now }));
  const events = new PlanEvents(now);
  for (const run of runs) if (done.has(run.runId)) events.runFinished(run.runId, "Failed", run.error);
  if (events.list.length > 0) yield* call("appendEvents", { events: events.list });
  return [...done];
}

/** The whole of `Store.retryRun`. */
export function* retryRunPlan(runId: string, tasks: readonly TaskReset[], now: number): Plan<boolean> {
  if (!(yield* call("reopenRun", { runId, unfinished: tasks.length }))) return false;
  yield* call("resetTasks", { runId, tasks, now });
  const events = new PlanEvents(now);
  events.run(runId, "run.retried");
  for (const t of tasks) if (t.pendingDependencies === 0) events.task(runId, t.taskId, "task.ready", null);
  yield* call("appendEvents", { events: events.list });
  return true;
}
