/**
 * The plans of the engine's state changes (see `plan.ts`): a step (create runs, apply outcomes,
 * cancel, settle, claim), lease recovery, failing runs as a whole, and retrying a run.
 */
import type { FinalRunStatus, StoredError } from "../types.js";
import { call, type FinishingTask, op, type Plan, type RunCounters, single, type StoreOps, together } from "./plan.js";
import { PlanEvents } from "./plan-events.js";
import { type ChildWaitState, parseInstanceId } from "../map/specs.js";
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
  const expanding: StoreOps["expandTasks"]["args"]["tasks"][number][] = [];
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
          forgetWait: outcome.forgetWait === true,
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
          // An instance's failure is its mapped task's to count (that task fails when it collects).
          parseInstanceId(taskId) === null,
        );
        break;
      case "cancelled":
        finish("Cancelled", { output: null, error: JSON.stringify(outcome.error), release: null });
        break;
      case "wait":
        waiting.push({ runId, taskId, attempt, ...outcome.wait });
        break;
      case "startChild":
        // The child run is created below, once this wait is known to be held (fencing): a stale
        // attempt never starts one. Its id is the wait's state, so the woken task finds it.
        waiting.push({
          runId,
          taskId,
          attempt,
          kind: "child",
          wakeAt: null,
          state: JSON.stringify({ run: outcome.child.runId, attempt } satisfies ChildWaitState),
        });
        break;
      case "expand":
        expanding.push({
          runId,
          taskId,
          attempt,
          elements: outcome.elements,
          lanes: outcome.lanes,
          maxAttempts: outcome.maxAttempts,
        });
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
    expanding.length > 0 ||
    lookForDue ||
    finishing.some((f) => f.status === "Cancelled");
  // Runs of tasks this step puts back (retried, waiting, expanded): whether another process is
  // cancelling them, or they finished meanwhile, is read in the first batch, after the statements
  // that put them back (a read of its own: it sees them).
  const putBackRuns = [...new Set([...retrying, ...waiting, ...expanding].map((t) => t.runId))].sort();
  const first = yield* together({
    deduplicated: request.newRuns.length > 0 ? op("insertRuns", { runs: request.newRuns, now }) : undefined,
    finished: finishing.length > 0 ? op("finishTasks", { owner, now, tasks: byRunAndTask(finishing) }) : undefined,
    retried: retrying.length > 0 ? op("retryTasks", { owner, tasks: byRunAndTask(retrying) }) : undefined,
    waited: waiting.length > 0 ? op("waitTasks", { owner, now, tasks: byRunAndTask(waiting) }) : undefined,
    expanded: expanding.length > 0 ? op("expandTasks", { owner, now, tasks: byRunAndTask(expanding) }) : undefined,
    // After waitTasks in this batch: a wait already due when stored (a short callAgainIn) wakes now.
    woke:
      (lookForDue || waiting.some((w) => w.wakeAt !== null && w.wakeAt <= now)) && canClaim
        ? op("wakeDue", { now, versions })
        : undefined,
    expired: lookForDue ? op("expiredRuns", { now }) : undefined,
    putBackCancelled: putBackRuns.length > 0 ? op("cancelRequested", { runIds: putBackRuns }) : undefined,
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
  const expanded = first.expanded ?? [];
  const held = [...finished.held, ...retried, ...waited.held, ...expanded].map((h) => byKey.get(key(h))!);
  const children = held.flatMap((o) => (o.kind === "startChild" ? [o.child] : []));
  if (children.length > 0) {
    // Keyed by parent run, task row and attempt: exactly one child per waiting attempt.
    yield* call("insertRuns", { runs: children, now });
    for (const child of children) events.run(child.runId, "run.started", { workflow: child.workflowName });
    for (const child of children)
      for (const t of child.tasks)
        if (t.pendingDependencies === 0) events.task(child.runId, t.taskId, "task.ready", null);
  }

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
      case "startChild":
        events.task(runId, taskId, "task.waiting", attempt, { waitingFor: "child", childRunId: outcome.child.runId });
        break;
      case "expand":
        events.task(runId, taskId, "task.waiting", attempt, {
          waitingFor: "map",
          instances: outcome.elements.length,
        });
        break;
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
  const timeouts = first.expired?.length ? yield* failRunsPlan(first.expired.map(runTimedOut), now, events) : null;
  const timedOut = timeouts?.failed ?? [];
  if (mayCancel) {
    const cancelIds = new Set(request.cancelRuns);
    for (const outcome of held) if (outcome.kind === "cancelled") cancelIds.add(outcome.runId);
    if (cancelIds.size > 0) cancelled = yield* call("requestCancels", { runIds: [...cancelIds].sort() });
    // Only runs of tasks it did put back count (a stale outcome put nothing back).
    const putBack = new Set([...retried, ...waited.held, ...expanded].map((r) => r.runId));
    for (const runId of first.putBackCancelled ?? []) {
      if (putBack.has(runId) && !cancelled.includes(runId) && !timedOut.includes(runId)) cancelled.push(runId);
    }
    if (cancelled.length > 0) {
      for (const [runId, n] of yield* call("cancelWaiting", { runIds: [...cancelled].sort(), now })) {
        counts.add(runId, n);
      }
    }
  }
  cancelled.push(...timedOut, ...(timeouts?.cancelled ?? []));
  const claimed = first.claimed ?? (mayCancel && claim ? yield* call(claim.op, claim.args) : []);
  for (const c of claimed) events.task(c.runId, c.taskId, "task.started", c.attempt);
  const counted = counts.size > 0 ? yield* countDown(counts) : [];
  // finishTasks counted its runs down before this step's cancels set their flags.
  const rows = [...finished.runs, ...counted].map((row) =>
    cancelled.includes(row.runId) ? { ...row, cancelRequested: true } : row,
  );
  const settled = yield* settle(rows, now, events);
  const finishedRuns = [...(timeouts?.finished ?? []), ...settled.finished];
  // A child run's end made its parent task Ready after this step claimed: others may claim it.
  const lateReady = (timeouts?.woke ?? 0) + settled.woke;
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
    lateReady,
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

/** What finishing runs did: the runs finished, and the parent tasks their ends woke. */
interface Settled {
  finished: { runId: string; status: FinalRunStatus }[];
  woke: number;
}

/**
 * Gives each run that reached zero unfinished tasks its final status. `rows` are counters after
 * count-downs, oldest first: a run counted down twice in one plan keeps its last.
 */
function* settle(rows: readonly RunCounters[], now: number, events: PlanEvents): Plan<Settled> {
  const latest = new Map(rows.map((row) => [row.runId, row]));
  const finishing: { runId: string; status: FinalRunStatus }[] = [];
  for (const row of latest.values()) {
    if (row.unfinished > 0 || row.status !== "Running") continue;
    finishing.push({
      runId: row.runId,
      status: row.cancelRequested ? "Cancelled" : row.failed > 0 ? "Failed" : "Completed",
    });
  }
  return yield* finishRuns(finishing, now, events);
}

/**
 * Finishes running runs (with an error, for runs failed as a whole), with their events; a child
 * run's end wakes the task that started it (its next attempt reads the child's result).
 */
function* finishRuns(
  runs: { runId: string; status: FinalRunStatus; error?: StoredError }[],
  now: number,
  events: PlanEvents,
): Plan<Settled> {
  if (runs.length === 0) return { finished: [], woke: 0 };
  runs.sort((a, b) => (a.runId < b.runId ? -1 : 1));
  const args = runs.map(({ runId, status, error }) => ({
    runId,
    status,
    ...(error === undefined ? {} : { error: JSON.stringify(error) }),
  }));
  const done = yield* call("finishRuns", { runs: args, now });
  const doneIds = new Set(done.map((d) => d.runId));
  // Only runs still running are finished (another process may have finished one meanwhile).
  const finished = runs.filter((run) => doneIds.has(run.runId));
  for (const run of finished) events.runFinished(run.runId, run.status, run.error);
  const parents = done.flatMap((d) => (d.parent ? [d.parent] : []));
  if (parents.length === 0) return { finished: finished.map(({ runId, status }) => ({ runId, status })), woke: 0 };
  const woken = yield* call("wakeTasks", { tasks: byRunAndTask(parents), kind: "child", now });
  for (const w of woken) events.task(w.runId, w.taskId, "task.ready", null);
  return { finished: finished.map(({ runId, status }) => ({ runId, status })), woke: woken.length };
}

/**
 * Cancels the child runs (at any depth) of runs that just ended as a whole: their waiting tasks
 * Cancelled, running ones told to stop; a child with nothing running finishes Cancelled now.
 */
function* cancelChildren(
  runIds: readonly string[],
  now: number,
  events: PlanEvents,
): Plan<Settled & { cancelled: string[] }> {
  const cancelled = runIds.length > 0 ? yield* call("requestCancels", { runIds: [...runIds].sort() }) : [];
  if (cancelled.length === 0) return { cancelled, finished: [], woke: 0 };
  const counts = new RunCounts();
  for (const [runId, n] of yield* call("cancelWaiting", { runIds: [...cancelled].sort(), now })) counts.add(runId, n);
  const rows = counts.size > 0 ? yield* countDown(counts) : [];
  return {
    cancelled,
    ...(yield* settle(
      rows.map((r) => ({ ...r, cancelRequested: true })),
      now,
      events,
    )),
  };
}

/**
 * The whole of `Store.recoverLeases`. A recovered task of a cancelled run is cancelled instead,
 * which may finish that run.
 */
export function* recoverLeasesPlan(now: number, deadOwners: readonly string[]): Plan<RecoveryResult> {
  const recovered = yield* call("recoverLeases", { now, deadOwners });
  if (recovered.length === 0) return { recovered: 0, finishedRuns: [], woke: 0 };
  const events = new PlanEvents(now);
  for (const r of byRunAndTask(recovered)) events.task(r.runId, r.taskId, "task.ready", r.attempt, { recovered: true });
  const cancelled = yield* call("cancelRequested", { runIds: [...new Set(recovered.map((r) => r.runId))].sort() });
  const counts = new RunCounts();
  if (cancelled.length > 0) {
    for (const [runId, n] of yield* call("cancelWaiting", { runIds: cancelled, now })) counts.add(runId, n);
  }
  const settled = counts.size > 0 ? yield* settle(yield* countDown(counts), now, events) : { finished: [], woke: 0 };
  yield* call("appendEvents", { events: events.list });
  return { recovered: recovered.length, finishedRuns: settled.finished, woke: settled.woke };
}

/** What failing runs as a whole did (see {@link failRunsPlan}). */
export interface FailedRuns extends Settled {
  /** The runs it failed. */
  failed: string[];
  /** Their child runs it cancelled. */
  cancelled: string[];
}

/**
 * The whole of `Store.failRuns`: waiting tasks Cancelled, the run Failed with its error, its
 * child runs cancelled. Inside another plan, pass its `events` (they are appended with its own).
 */
export function* failRunsPlan(
  runs: readonly { runId: string; error: StoredError }[],
  now: number,
  into?: PlanEvents,
): Plan<FailedRuns> {
  if (runs.length === 0) return { failed: [], cancelled: [], finished: [], woke: 0 };
  const events = into ?? new PlanEvents(now);
  yield* call("cancelWaiting", { runIds: runs.map((r) => r.runId).sort(), now });
  const ended = yield* finishRuns(
    runs.map((r) => ({ runId: r.runId, status: "Failed" as const, error: r.error })),
    now,
    events,
  );
  const failed = ended.finished.map((r) => r.runId);
  const children = yield* cancelChildren(failed, now, events);
  if (!into && events.list.length > 0) yield* call("appendEvents", { events: events.list });
  return {
    failed,
    cancelled: children.cancelled,
    finished: [...ended.finished, ...children.finished],
    woke: ended.woke + children.woke,
  };
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
