/**
 * What a state change tells other executors, decided once for every backend. The `notify`
 * operation carries `shared` notices to other processes (PostgreSQL NOTIFY); for a driver
 * without a channel, the engine delivers `local` ones to this process's other executors after
 * the commit (they share the database file).
 */
import type { FinalRunStatus } from "../types.js";
import type { FailedRuns } from "./step-plan.js";
import type { RecoveryResult, StepRequest, StepResult, StoreEvent } from "./records.js";

export interface Notices {
  shared: StoreEvent[];
  local: StoreEvent[];
}

const finished = (runs: readonly { runId: string; status: FinalRunStatus }[]) =>
  runs.map(({ runId, status }): StoreEvent => ({ type: "finished", runId, status }));

export function stepNotices(request: StepRequest, result: StepResult): Notices {
  const others: StoreEvent[] = [
    ...finished(result.finishedRuns),
    ...result.cancelled.map((runId): StoreEvent => ({ type: "cancelled", runId })),
  ];
  // Other processes need waking only for work this worker left: it claimed as many as it could.
  const mayHaveReleased =
    request.newRuns.length > 0 || result.woke > 0 || request.outcomes.some((o) => o.kind !== "cancelled");
  // A child run's end made its parent task Ready after the claim: another process may run it.
  const leftWork = (mayHaveReleased && result.claimed.length >= request.claim.limit) || result.lateReady > 0;
  const ready: StoreEvent = { type: "ready", from: request.owner };
  // In one process, executors may register different workflow versions: wake them on any change.
  const changed = request.newRuns.length > 0 || request.outcomes.length > 0;
  return { shared: leftWork ? [ready, ...others] : others, local: changed ? [ready, ...others] : others };
}

/** A signal that woke its task: other executors may claim it. */
export function signalNotices(woken: boolean): Notices {
  const list: StoreEvent[] = woken ? [{ type: "ready", from: "" }] : [];
  return { shared: list, local: list };
}

export function recoveryNotices(result: RecoveryResult): Notices {
  const list = [
    ...(result.recovered > 0 || result.woke > 0 ? [{ type: "ready", from: "" } as const] : []),
    ...finished(result.finishedRuns),
  ];
  return { shared: list, local: list };
}

export function failedRunsNotices(result: FailedRuns): Notices {
  const list: StoreEvent[] = [
    ...(result.woke > 0 ? [{ type: "ready", from: "" } as const] : []),
    ...finished(result.finished),
    ...result.cancelled.map((runId): StoreEvent => ({ type: "cancelled", runId })),
  ];
  return { shared: list, local: list };
}

export function retriedRunNotices(reopened: boolean): Notices {
  const list: StoreEvent[] = reopened ? [{ type: "ready", from: "" }] : [];
  return { shared: list, local: list };
}
