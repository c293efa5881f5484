/**
 * A mapped task's instances on the run page: the counts its DAG node and card show, kept current
 * by instance events between refetches, and the card's list of instances (the first few, the
 * rest behind "Show more"). Instance events never change the mapped task's own status.
 */
import { base } from "./page.js";
import { h } from "./dom.js";
import { fmtDuration } from "./format.js";
import { pill } from "./status.js";
import type { InstancesView, InstanceView } from "./wire.js";

/** Instance rows a card shows before "Show more". */
const SHOWN_INSTANCES = 20;

/** "6/10 done · 1 failed" (and running, cancelled when any are). */
export function countsText(v: InstancesView): string {
  const n = (status: string) => v.counts[status] ?? 0;
  const parts = [n("Completed") + "/" + v.total + " done"];
  if (n("Failed")) parts.push(n("Failed") + " failed");
  if (n("Running")) parts.push(n("Running") + " running");
  const stopped = n("Cancelled") + n("Skipped");
  if (stopped) parts.push(stopped + " cancelled");
  return parts.join(" · ");
}

/**
 * Applies an instance's new status to the counts at once. Only for an instance in the list,
 * whose previous status is known; the others wait for the next refetch. Returns whether the
 * counts changed.
 */
export function applyInstanceStatus(v: InstancesView, index: number, status: string): boolean {
  const instance = v.list.find((i) => i.index === index);
  if (!instance || instance.status === status) return false;
  v.counts[instance.status] = Math.max(0, (v.counts[instance.status] ?? 0) - 1);
  v.counts[status] = (v.counts[status] ?? 0) + 1;
  instance.status = status;
  return true;
}

/** The share of instances done and failed, for the node's bar (0 to 1 each). */
export function shares(v: InstancesView): { done: number; failed: number } {
  if (v.total === 0) return { done: 1, failed: 0 };
  return { done: (v.counts["Completed"] ?? 0) / v.total, failed: (v.counts["Failed"] ?? 0) / v.total };
}

/** The card's section: counts, then a table of instances; `expanded` shows every listed one. */
export function instancesSection(
  executionId: string,
  taskId: string,
  v: InstancesView,
  expanded: boolean,
  onExpand: () => void,
): HTMLDivElement {
  const rows = expanded ? v.list : v.list.slice(0, SHOWN_INSTANCES);
  const hidden = v.list.length - rows.length;
  const all =
    base + "/api/runs/" + encodeURIComponent(executionId) + "/tasks/" + encodeURIComponent(taskId) + "/instances";
  return h(
    "div",
    { class: "instances" },
    h("div", { class: "instance-counts" }, v.total + " instances: " + countsText(v)),
    rows.length
      ? h(
          "table",
          { class: "instance-list" },
          h(
            "thead",
            null,
            h(
              "tr",
              null,
              ["#", "Status", "Attempts", "Duration", "Error"].map((t) => h("th", null, t)),
            ),
          ),
          h("tbody", null, rows.map(instanceRow)),
        )
      : null,
    hidden > 0 ? h("button", { class: "show-more", onclick: onExpand }, "Show " + hidden + " more") : null,
    v.omitted > 0
      ? h(
          "p",
          { class: "muted" },
          v.omitted + " more not listed here: ",
          h("a", { href: all, target: "_blank", rel: "noopener" }, "all instances as JSON"),
        )
      : null,
  );
}

function instanceRow(i: InstanceView): HTMLTableRowElement {
  return h(
    "tr",
    { "data-instance": i.index, "data-status": i.status },
    h("td", { class: "mono" }, String(i.index)),
    h(
      "td",
      null,
      pill(i.status),
      i.childRunId
        ? h("a", { class: "child-link", href: "#/runs/" + encodeURIComponent(i.childRunId) }, " child run ↗")
        : null,
    ),
    h("td", null, String(i.attempts)),
    h("td", null, fmtDuration(i.durationMs)),
    h("td", { class: "instance-error" }, i.error ? i.error.name + ": " + i.error.message : ""),
  );
}
