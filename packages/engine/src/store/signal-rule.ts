/**
 * The rule of `deliverSignal`, written once for every backend, which only reads and writes: a
 * backend locks the task's row, asks `refusedByRow`, reads what is kept for the task (after the
 * lock is held), asks `refusedByKept`, and else stores the signal and wakes the task.
 */
import { FINAL_TASK_STATUSES, type TaskStatus } from "../types.js";
import type { StoreOps } from "./plan.js";

type Delivery = StoreOps["deliverSignal"]["result"];

/** The task's row, with its run's status, as `deliverSignal` reads it under the row's lock. */
export interface SignalTarget {
  status: TaskStatus;
  run_status: string;
  wait_kind: string | null;
  wait_state: string | null;
}

const refused = (row: SignalTarget | undefined, reason: Delivery["refused"]): Delivery => ({
  status: row?.status ?? null,
  runStatus: row?.run_status ?? null,
  stored: false,
  woken: false,
  refused: reason,
});

/** No such task, or it or its run has finished: nothing is stored. */
export function refusedByRow(row: SignalTarget | undefined): Delivery | null {
  if (!row) return refused(row, "noTask");
  if (row.run_status !== "Running") return refused(row, "runFinished");
  if (FINAL_TASK_STATUSES.includes(row.status)) return refused(row, "taskFinished");
  return null;
}

/**
 * A resend (this key is kept: a no-op), or a signal wait that can take no more signals: one is
 * kept for it, or it woke — by a signal (it keeps the payload) or by its timeout (no payload) —
 * and has not finished yet.
 */
export function refusedByKept(row: SignalTarget, kept: { thisKey: boolean; anySignal: boolean }): Delivery | null {
  if (kept.thisKey) return refused(row, null);
  if (kept.anySignal) return refused(row, "signalled");
  if (row.wait_kind !== "signal" || row.status === "Waiting") return null;
  return refused(row, row.wait_state === null ? "timedOut" : "signalled");
}

/** A signal stored (and the task woken, if it was waiting for one). */
export function delivered(row: SignalTarget, woken: boolean): Delivery {
  return { status: row.status, runStatus: row.run_status, stored: true, woken, refused: null };
}
