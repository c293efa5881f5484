/** Links between a run and the runs its tasks started (child workflows), both ways. */
import { h } from "./dom.js";
import { pill } from "./status.js";
import type { RunView } from "./wire.js";

/** The runs list filtered to one run's children. */
export function childrenHref(executionId: string): string {
  return "#/?parent=" + encodeURIComponent(executionId);
}

/** The parent run's page with the task that started this run selected: "5b1f0c2a… · task fan [3]". */
export function parentLink(parent: NonNullable<RunView["parent"]>): HTMLAnchorElement {
  const href = "#/runs/" + encodeURIComponent(parent.executionId) + "?task=" + encodeURIComponent(parent.taskId);
  const instance = parent.instance === undefined ? "" : " [" + parent.instance + "]";
  return h(
    "a",
    { class: "parent-link", href, title: parent.executionId },
    h("span", { class: "mono" }, parent.executionId.slice(0, 8) + "…"),
    " · task " + parent.taskId + instance,
  );
}

/** The child runs a run's tasks started, newest first, and a link to all of them when not all are listed. */
export function childRunsCard(run: RunView): HTMLDivElement | null {
  if (run.childCount === 0) return null;
  const hidden = run.childCount - run.children.length;
  return h(
    "div",
    { class: "card", id: "child-runs" },
    h("h2", null, "Child runs (" + run.childCount + ")"),
    h(
      "ul",
      { class: "child-runs" },
      run.children.map((c) =>
        h(
          "li",
          { "data-execution-id": c.executionId },
          pill(c.status),
          " ",
          h("a", { href: "#/runs/" + encodeURIComponent(c.executionId) }, c.workflow),
          " ",
          h("span", { class: "mono muted" }, c.executionId),
        ),
      ),
    ),
    h(
      "p",
      null,
      h(
        "a",
        { href: childrenHref(run.executionId) },
        hidden > 0 ? "All " + run.childCount + " child runs →" : "In the runs list →",
      ),
    ),
  );
}
