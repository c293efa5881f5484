/**
 * What a SQL store does inside one `step` transaction, written once, without I/O.
 *
 * The plan is a generator that yields row-level operations ({@link StoreOp}) and receives their
 * results. A backend runs it inside its transaction with {@link runPlanSync} (better-sqlite3) or
 * {@link runPlanAsync} (a pool client), implementing each operation as one statement. So the
 * rules (fencing, readiness, skipping, settling runs, claiming) live here, and a backend is only
 * its SQL.
 */
import type { FinalRunStatus } from "../types.js";
import type { ClaimedTask, NewRun, StepRequest, StepResult, TaskOutcome } from "./store.js";

/** The row-level operations a SQL store implements, and what each returns. */
export interface StoreOps {
  /** Insert the run row and all its task rows (roots Ready, others Pending). */
  insertRun: { args: { run: NewRun; now: number }; result: void };
  /** Finish the task if `owner` still holds this attempt; true when it did (fencing). */
  finishTask: {
    args: {
      runId: string;
      taskId: string;
      attempt: number;
      owner: string;
      status: "Completed" | "Failed" | "Cancelled";
      output: string | null;
      error: string | null;
      now: number;
    };
    result: boolean;
  };
  /** Put the task back to Ready at `availableAt` if `owner` still holds this attempt. */
  retryTask: {
    args: { runId: string; taskId: string; attempt: number; owner: string; error: string; availableAt: number };
    result: boolean;
  };
  /** Record an attempt that did not complete its task. */
  insertAttempt: {
    args: {
      runId: string;
      taskId: string;
      attempt: number;
      status: "Failed" | "Cancelled";
      error: string;
      now: number;
    };
    result: void;
  };
  /** Pending children lose one dependency; at zero they become Ready, available now. */
  releaseChildren: { args: { runId: string; children: readonly string[]; now: number }; result: void };
  /** Pending tasks among `taskIds` become Skipped; returns how many. */
  skipTasks: { args: { runId: string; taskIds: readonly string[]; now: number }; result: number };
  /** Set the run's cancel flag if it is still running; true when it was. */
  requestCancel: { args: { runId: string }; result: boolean };
  /** Pending and Ready tasks of the run become Cancelled; returns how many. */
  cancelWaiting: { args: { runId: string; now: number }; result: number };
  /** Run's unfinished count -= finished, failed count += failed; returns the run's row after. */
  countDown: {
    args: { runId: string; finished: number; failed: number };
    result: { unfinished: number; failed: number; cancelRequested: boolean; status: string } | undefined;
  };
  finishRun: { args: { runId: string; status: FinalRunStatus; now: number }; result: void };
  /** Claim up to `limit` Ready, due tasks of the given versions, oldest first, with a lease. */
  claim: {
    args: { owner: string; now: number; leaseExpiresAt: number; versions: readonly string[]; limit: number };
    result: ClaimedTask[];
  };
  /** Earliest available time after `now` of a Ready task of the given versions. */
  nextAvailableAt: { args: { now: number; versions: readonly string[] }; result: number | null };
  /** Running tasks whose lease expired before `now` or whose owner is dead go back to Ready. */
  recoverLeases: { args: { now: number; deadOwners: readonly string[] }; result: { runId: string }[] };
  isCancelRequested: { args: { runId: string }; result: boolean };
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
  add(runId: string, finished: number, failed: number): void {
    const entry = this.get(runId);
    if (entry) {
      entry.finished += finished;
      entry.failed += failed;
    } else {
      this.set(runId, { finished, failed });
    }
  }
}

/** The whole of `Store.step`: create, apply, cancel, settle, claim. */
export function* stepPlan(request: StepRequest): Plan<StepResult> {
  const { now, owner } = request;
  const counts = new RunCounts();
  for (const run of request.newRuns) yield* call("insertRun", { run, now });
  let staleOutcomes = 0;
  for (const outcome of request.outcomes) {
    if (!(yield* applyOutcome(outcome, owner, now, counts))) staleOutcomes++;
  }
  for (const runId of request.cancelRuns) {
    if (!(yield* call("requestCancel", { runId }))) continue;
    counts.add(runId, yield* call("cancelWaiting", { runId, now }), 0);
  }
  const finishedRuns = yield* settle(counts, now);
  const { limit, leaseMs, workflowVersions: versions } = request.claim;
  const claimed =
    limit > 0 && versions.length > 0
      ? yield* call("claim", { owner, now, leaseExpiresAt: now + leaseMs, versions, limit })
      : [];
  const nextAvailableAt =
    limit > 0 && versions.length > 0 && claimed.length < limit
      ? yield* call("nextAvailableAt", { now, versions })
      : null;
  return { claimed, finishedRuns, staleOutcomes, nextAvailableAt };
}

/** Applies one outcome; false when its claim is no longer held (a stale outcome, ignored). */
function* applyOutcome(outcome: TaskOutcome, owner: string, now: number, counts: RunCounts): Plan<boolean> {
  const { runId, taskId, attempt } = outcome;
  const claim = { runId, taskId, attempt, owner, now };
  switch (outcome.kind) {
    case "completed": {
      const held = yield* call("finishTask", { ...claim, status: "Completed", output: outcome.output, error: null });
      if (!held) return false;
      if (outcome.children.length > 0) yield* call("releaseChildren", { runId, children: outcome.children, now });
      counts.add(runId, 1, 0);
      return true;
    }
    case "failed": {
      const error = JSON.stringify(outcome.error);
      if (!(yield* call("finishTask", { ...claim, status: "Failed", output: null, error }))) return false;
      yield* call("insertAttempt", { runId, taskId, attempt, status: "Failed", error, now });
      const skipped =
        outcome.descendants.length > 0 ? yield* call("skipTasks", { runId, taskIds: outcome.descendants, now }) : 0;
      counts.add(runId, 1 + skipped, 1);
      return true;
    }
    case "retry": {
      const error = JSON.stringify(outcome.error);
      const held = yield* call("retryTask", { runId, taskId, attempt, owner, error, availableAt: outcome.availableAt });
      if (!held) return false;
      yield* call("insertAttempt", { runId, taskId, attempt, status: "Failed", error, now });
      return true;
    }
    case "cancelled": {
      const error = JSON.stringify(outcome.error);
      if (!(yield* call("finishTask", { ...claim, status: "Cancelled", output: null, error }))) return false;
      yield* call("insertAttempt", { runId, taskId, attempt, status: "Cancelled", error, now });
      counts.add(runId, 1, 0);
      return true;
    }
  }
}

/** Counts finished tasks down on their runs; a run reaching zero gets its final status. */
function* settle(counts: RunCounts, now: number): Plan<{ runId: string; status: FinalRunStatus }[]> {
  const finished: { runId: string; status: FinalRunStatus }[] = [];
  for (const [runId, tally] of counts) {
    const row = yield* call("countDown", { runId, ...tally });
    if (!row || row.unfinished > 0 || row.status !== "Running") continue;
    const status: FinalRunStatus = row.cancelRequested ? "Cancelled" : row.failed > 0 ? "Failed" : "Completed";
    yield* call("finishRun", { runId, status, now });
    finished.push({ runId, status });
  }
  return finished;
}

/** The whole of `Store.recoverLeases`. A recovered task of a cancelled run is cancelled instead. */
export function* recoverLeasesPlan(now: number, deadOwners: readonly string[]): Plan<number> {
  const recovered = yield* call("recoverLeases", { now, deadOwners });
  const counts = new RunCounts();
  for (const runId of new Set(recovered.map((r) => r.runId))) {
    if (yield* call("isCancelRequested", { runId })) counts.add(runId, yield* call("cancelWaiting", { runId, now }), 0);
  }
  yield* settle(counts, now);
  return recovered.length;
}
