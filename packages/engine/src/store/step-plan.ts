/**
 * The plans of the engine's state changes (see `plan.ts`): a step (create runs, apply outcomes,
 * cancel, settle, claim), lease recovery, failing runs as a whole, and retrying a run.
 */
import type { FinalRunStatus, StoredError } from "../types.js";
import { call, type FinishingTask, op, type Plan, type RunCounters, single, type StoreOps, together } from "./plan.js";
import { PlanEvents } from "./plan-events.js";
import type { RecoveryResult, StepRequest, StepResult, TaskOutcome, TaskReset } from "./records.js";

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

/**
 * The whole of `Store.step`: create, apply, cancel, settle, claim. A few batch operations, most
 * of them in one batch: on PostgreSQL a step that cancels nothing costs two round trips (that
 * batch, then the events and COMMIT), three when it finishes a run.
 */
export function* stepPlan(request: StepRequest): Plan<StepResult> {
  const { now, owner } = request;
  const events = new PlanEvents(now);

  const finishing: FinishingTask[] = [];
  const retrying: StoreOps["retryTasks"]["args"]["tasks"][number][] = [];
  const waiting: StoreOps["waitTasks"]["args"]["tasks"][number][] = [];
  const byKey = new Map<string, TaskOutcome>();
  for (const outcome of request.outcomes) {
    const { runId, taskId, attempt } = outcome;
    byKey.set(key(outcome), outcome);
    const finish = (
      status: FinishingTask["status"],
      fields: Pick<FinishingTask, "output" | "error" | "release">,
      failsRun = false,
    ) => finishing.push({ runId, taskId, attempt, status, ...fields, failsRun });
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
        finish("Completed", { output: outcome.output, error: null, release: released(outcome.children, 0, 0) });
        break;
      case "skipped":
        finish("Skipped", { output: null, error: null, release: released(outcome.children, 0, 1) });
        break;
      case "failed":
        finish(
          "Failed",
          { output: null, error: JSON.stringify(outcome.error), release: released(outcome.children, 1, 0) },
          true,
        );
        break;
      case "cancelled":
        finish("Cancelled", { output: null, error: JSON.stringify(outcome.error), release: null });
        break;
      case "wait":
        waiting.push({ runId, taskId, attempt, ...outcome.wait });
        break;
    }
  }

  const { limit, leaseMs, workflowVersions: versions } = request.claim;
  const canClaim = limit > 0 && versions.length > 0;
  const claim = canClaim ? op("claim", { owner, now, leaseExpiresAt: now + leaseMs, versions, limit }) : undefined;
  // A step that may cancel a run claims after the cancels, so as never to claim a task of a run
  // being cancelled. One that cannot (the common case) claims in its first batch.
  // Due wake-ups and passed deadlines are looked for when the executor's timer fires (and on
  // start-up and polls): a step that only completes tasks pays nothing for them.
  const lookForDue = request.claim.findNextAvailable === true;
  const mayCancel =
    request.cancelRuns.length > 0 ||
    retrying.length > 0 ||
    waiting.length > 0 ||
    lookForDue ||
    finishing.some((f) => f.status === "Cancelled");
  const first = yield* together({
    deduplicated: request.newRuns.length > 0 ? op("insertRuns", { runs: request.newRuns, now }) : undefined,
    finished: finishing.length > 0 ? op("finishTasks", { owner, now, tasks: byRunAndTask(finishing) }) : undefined,
    retried: retrying.length > 0 ? op("retryTasks", { owner, tasks: byRunAndTask(retrying) }) : undefined,
    waited: waiting.length > 0 ? op("waitTasks", { owner, now, tasks: byRunAndTask(waiting) }) : undefined,
    // After waitTasks in this batch: a wait already due when stored (a short callAgainIn) wakes now.
    woke:
      (lookForDue || waiting.some((w) => w.wakeAt !== null && w.wakeAt <= now)) && canClaim
        ? op("wakeDue", { now, versions })
        : undefined,
    expired: lookForDue ? op("expiredRuns", { now }) : undefined,
    claimed: mayCancel ? undefined : claim,
  });
  const deduplicated = first.deduplicated ?? [];
  if (request.newRuns.length > 0) {
    const notCreated = new Set(deduplicated.map((d) => d.runId));
    for (const run of request.newRuns) {
      if (notCreated.has(run.runId)) continue;
      events.run(run.runId, "run.started", { workflow: run.workflowName });
      for (const t of run.tasks) if (t.pendingDependencies === 0) events.task(run.runId, t.taskId, "task.ready", null);
    }
  }
  const finished = first.finished ?? { held: [], ready: [], runs: [] };
  const retried = first.retried ?? [];
  const waited = first.waited ?? { held: [], signalled: [] };
  const held = [...finished.held, ...retried, ...waited.held].map((h) => byKey.get(key(h))!);

  const attempts: StoreOps["insertAttempts"]["args"]["attempts"][number][] = [];
  for (const outcome of held) {
    const { runId, taskId, attempt } = outcome;
    switch (outcome.kind) {
      case "completed":
        events.task(runId, taskId, "task.completed", attempt);
        break;
      case "skipped":
        events.task(runId, taskId, "task.skipped", attempt);
        break;
      case "failed":
        attempts.push({ runId, taskId, attempt, status: "Failed", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.failed", attempt, { error: outcome.error });
        break;
      case "cancelled":
        attempts.push({ runId, taskId, attempt, status: "Cancelled", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.cancelled", attempt, { error: outcome.error });
        break;
      case "retry":
        attempts.push({ runId, taskId, attempt, status: "Failed", error: JSON.stringify(outcome.error) });
        events.task(runId, taskId, "task.retrying", attempt, { error: outcome.error, retryAt: outcome.availableAt });
        break;
      case "wait": {
        const { kind, wakeAt } = outcome.wait;
        events.task(runId, taskId, "task.waiting", attempt, {
          waitingFor: kind,
          ...(wakeAt === null ? {} : { until: wakeAt }),
        });
        break;
      }
    }
  }
  for (const ready of [...finished.ready, ...waited.signalled, ...(first.woke ?? [])]) {
    events.task(ready.runId, ready.taskId, "task.ready", null);
  }
  if (attempts.length > 0) yield* call("insertAttempts", { now, attempts: byRunAndTask(attempts) });

  // Cancels: the ones asked for, runs whose attempt reported being cancelled (a cancel seen by a
  // notice), and runs of tasks put back (retried, or waiting) that another process is cancelling
  // or that finished meanwhile (failed as a whole) — so that such a task is never claimed again.
  const counts = new RunCounts();
  let cancelled: string[] = [];
  // Runs past their deadline end Failed (RUN_TIMEOUT) here: their waiting tasks are cancelled and
  // their running attempts told to stop (the "cancelled" notice), in this transaction.
  const timedOut = first.expired?.length ? yield* failRunsPlan(first.expired.map(runTimedOut), now, events) : [];
  if (mayCancel) {
    const cancelIds = new Set(request.cancelRuns);
    for (const outcome of held) if (outcome.kind === "cancelled") cancelIds.add(outcome.runId);
    if (cancelIds.size > 0) cancelled = yield* call("requestCancels", { runIds: [...cancelIds].sort() });
    const putBack = [...new Set([...retried, ...waited.held].map((r) => r.runId))].filter(
      (runId) => !cancelled.includes(runId) && !timedOut.includes(runId),
    );
    if (putBack.length > 0) cancelled.push(...(yield* call("cancelRequested", { runIds: putBack.sort() })));
    if (cancelled.length > 0) {
      for (const [runId, n] of yield* call("cancelWaiting", { runIds: [...cancelled].sort(), now })) {
        counts.add(runId, n);
      }
    }
  }
  cancelled.push(...timedOut);
  const claimed = first.claimed ?? (mayCancel && claim ? yield* call(claim.op, claim.args) : []);
  for (const c of claimed) events.task(c.runId, c.taskId, "task.started", c.attempt);
  const counted = counts.size > 0 ? yield* countDown(counts) : [];
  // finishTasks counted its runs down before this step's cancels set their flags.
  const rows = [...finished.runs, ...counted].map((row) =>
    cancelled.includes(row.runId) ? { ...row, cancelRequested: true } : row,
  );
  const finishedRuns = [
    ...timedOut.map((runId) => ({ runId, status: "Failed" as const })),
    ...(yield* settle(rows, now, events)),
  ];
  if (events.list.length > 0) yield* call("appendEvents", { events: events.list });
  const lookAhead =
    lookForDue || retried.length > 0 || waited.held.length > 0 || request.newRuns.some((r) => r.deadline !== undefined);
  const nextAvailableAt =
    lookAhead && canClaim && claimed.length < limit ? yield* call("nextAvailableAt", { now, versions }) : null;
  const staleOutcomes = request.outcomes.length - held.length;
  const woke = (first.woke?.length ?? 0) + waited.signalled.length;
  return {
    claimed,
    deduplicated,
    finishedRuns,
    cancelled,
    staleOutcomes,
    nextAvailableAt,
    woke,
    events: events.list.length,
  };
}

const runTimedOut = (runId: string): { runId: string; error: StoredError } => ({
  runId,
  error: { name: "ExecutorError", code: "RUN_TIMEOUT", message: `Run ${runId} did not finish by its deadline.` },
});

/**
 * The whole of `Store.signal`: keep the signal for its task (a resend with the same key is a
 * no-op) and wake the task if it is waiting for one. Refused, with nothing stored, for a task
 * that does not exist or has finished, or a run that has.
 */
export function* signalPlan(
  runId: string,
  taskId: string,
  key: string,
  payload: string,
  now: number,
): Plan<StoreOps["deliverSignal"]["result"]> {
  const result = yield* call("deliverSignal", { runId, taskId, key, payload, now });
  if (result.woken) {
    const events = new PlanEvents(now);
    events.task(runId, taskId, "task.ready", null);
    yield* call("appendEvents", { events: events.list });
  }
  return result;
}

/** What a finished task does to its children: release them, counted as failed, skipped, or neither. */
function released(children: readonly string[], failed: 0 | 1, skipped: 0 | 1): FinishingTask["release"] {
  return children.length === 0 ? null : { children, failed, skipped };
}

/** Counts finished tasks down on their runs. */
function countDown(counts: RunCounts): Plan<RunCounters[]> {
  const runs = [...counts].map(([runId, tally]) => ({ runId, ...tally })).sort((a, b) => (a.runId < b.runId ? -1 : 1));
  return single("countDown", { runs });
}

/**
 * Gives each run that reached zero unfinished tasks its final status. `rows` are counters after
 * count-downs, oldest first: a run counted down twice in one plan keeps its last.
 */
function* settle(
  rows: readonly RunCounters[],
  now: number,
  events: PlanEvents,
): Plan<{ runId: string; status: FinalRunStatus }[]> {
  const latest = new Map(rows.map((row) => [row.runId, row]));
  const finished: { runId: string; status: FinalRunStatus }[] = [];
  for (const row of latest.values()) {
    if (row.unfinished > 0 || row.status !== "Running") continue;
    finished.push({
      runId: row.runId,
      status: row.cancelRequested ? "Cancelled" : row.failed > 0 ? "Failed" : "Completed",
    });
  }
  if (finished.length === 0) return finished;
  finished.sort((a, b) => (a.runId < b.runId ? -1 : 1));
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
  const finishedRuns = counts.size > 0 ? yield* settle(yield* countDown(counts), now, events) : [];
  yield* call("appendEvents", { events: events.list });
  return { recovered: recovered.length, finishedRuns };
}

/**
 * The whole of `Store.failRuns`: waiting tasks Cancelled, the run Failed with its error. Returns
 * the runs it failed. Inside another plan, pass its `events` (they are appended with its own).
 */
export function* failRunsPlan(
  runs: readonly { runId: string; error: StoredError }[],
  now: number,
  into?: PlanEvents,
): Plan<string[]> {
  if (runs.length === 0) return [];
  yield* call("cancelWaiting", { runIds: runs.map((r) => r.runId).sort(), now });
  const failed = runs.map((r) => ({ runId: r.runId, status: "Failed" as const, error: JSON.stringify(r.error) }));
  // Only runs still running are failed (another process may have finished one meanwhile).
  const done = new Set(yield* call("finishRuns", { runs: failed, now }));
  const events = into ?? new PlanEvents(now);
  for (const run of runs) if (done.has(run.runId)) events.runFinished(run.runId, "Failed", run.error);
  if (!into && events.list.length > 0) yield* call("appendEvents", { events: events.list });
  return [...done];
}

/** The whole of `Store.retryRun`. */
export function* retryRunPlan(
  runId: string,
  tasks: readonly TaskReset[],
  now: number,
  deadline: number | null = null,
): Plan<boolean> {
  if (!(yield* call("reopenRun", { runId, unfinished: tasks.length, deadline }))) return false;
  yield* call("resetTasks", { runId, tasks, now });
  const events = new PlanEvents(now);
  events.run(runId, "run.retried");
  for (const t of tasks) if (t.pendingDependencies === 0) events.task(runId, t.taskId, "task.ready", null);
  yield* call("appendEvents", { events: events.list });
  return true;
}
