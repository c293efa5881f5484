/**
 * What a Waiting task waits for, in words: on its card ("sleeping until …", "waiting for a
 * signal, times out …") and, shorter, on its DAG node. Same wording as the CLI's live view.
 */
import { fmtTime } from "./format.js";
import type { TaskView } from "./wire.js";

type Waiting = NonNullable<TaskView["waiting"]>;

export function waitingText(w: Waiting): string {
  const at = w.until ? fmtTime(w.until) : "";
  if (w.for === "signal") return "waiting for a signal" + (at ? ", times out " + at : "");
  if (w.for === "map") return "waiting for its instances";
  if (w.for === "child") return "waiting for its child run";
  if (w.for === "again") return "called again at " + at;
  return "sleeping until " + at;
}

/** For a DAG node's second line: "signal", "until 14:05:09", "again 14:05:09", "child run". */
export function waitingShort(w: Waiting): string {
  const at = w.until ? new Date(w.until).toLocaleTimeString() : "";
  if (w.for === "signal") return "signal" + (at ? " · until " + at : "");
  if (w.for === "map") return "instances";
  if (w.for === "child") return "child run";
  return (w.for === "again" ? "again " : "until ") + at;
}
