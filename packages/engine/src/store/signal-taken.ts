import type { TaskStatus } from "../types.js";

/**
 * Whether a signal wait can take no more signals, from its row (the rule of `deliverSignal`,
 * written once for every backend): a signal is already kept for it, or it woke — by a signal (it
 * keeps the payload) or by its timeout (no payload) — and has not finished yet.
 */
export function signalTaken(
  row: { status: TaskStatus; wait_kind: string | null; wait_state: string | null },
  hasSignal: boolean,
): "signalled" | "timedOut" | null {
  if (hasSignal) return "signalled";
  if (row.wait_kind !== "signal" || row.status === "Waiting") return null;
  return row.wait_state === null ? "timedOut" : "signalled";
}
