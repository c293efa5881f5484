/** Run and task statuses: the lists the page offers, what each event changes, and the coloured pill. */
import { h } from "./dom.js";

export const RUN_STATUSES = ["Running", "Completed", "Failed", "Cancelled"] as const;
export const TASK_STATUSES = [
  "Pending",
  "Ready",
  "Running",
  "Waiting",
  "Completed",
  "Failed",
  "Skipped",
  "Cancelled",
] as const;

/** The status a task event gives its task (the node is recoloured before the run is refetched). */
export const TASK_STATUS_BY_EVENT: Partial<Record<string, string>> = {
  "task.ready": "Ready",
  "task.started": "Running",
  "task.retrying": "Ready",
  "task.waiting": "Waiting",
  "task.completed": "Completed",
  "task.failed": "Failed",
  "task.skipped": "Skipped",
  "task.cancelled": "Cancelled",
};

/** The status a run event gives the run. */
export const RUN_STATUS_BY_EVENT: Partial<Record<string, string>> = {
  "run.started": "Running",
  "run.completed": "Completed",
  "run.failed": "Failed",
  "run.cancelled": "Cancelled",
};

/** A status badge, coloured by the stylesheet's `s-<status>` class; `label` defaults to the status. */
export function pill(status: string, label?: string): HTMLSpanElement {
  return h("span", { class: "pill s-" + status, "data-status": status }, label || status);
}
