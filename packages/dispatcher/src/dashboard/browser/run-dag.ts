/**
 * A run's DAG as SVG, from the server's dagre layout: a box per task, coloured by its status. A
 * mapped task is one box with its instances' counts and a bar; a child workflow task's box links
 * to its child run.
 */
import { s } from "./dom.js";
import { fmtDuration } from "./format.js";
import { countsText, shares } from "./instances.js";
import { waitingShort, waitingText } from "./waiting.js";
import type { DagLayout, InstancesView, RunView, TaskView } from "./wire.js";

const MAX_LABEL = 34;

/** `selected` is outlined; clicking a node calls `onSelect` with its task id. */
export function drawDag(
  run: RunView,
  layout: DagLayout,
  selected: string | null,
  onSelect: (taskId: string) => void,
): SVGSVGElement {
  const byId = new Map(run.tasks.map((t) => [t.id, t]));
  const svg = s("svg", {
    class: "dag",
    id: "dag",
    width: layout.width,
    height: layout.height,
    viewBox: "0 0 " + layout.width + " " + layout.height,
    role: "img",
    "aria-label": "Task graph",
  });
  svg.appendChild(
    s(
      "defs",
      null,
      s(
        "marker",
        {
          id: "arrow",
          viewBox: "0 0 10 10",
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: "auto-start-reverse",
        },
        s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#9aa3b2" }),
      ),
    ),
  );
  for (const e of layout.edges) {
    if (e.points.length === 0) continue;
    const d = e.points.map((p, i) => (i === 0 ? "M" : "L") + p.x + "," + p.y).join(" ");
    svg.appendChild(s("path", { class: "edge", d, "marker-end": "url(#arrow)", "data-from": e.from, "data-to": e.to }));
  }
  for (const n of layout.nodes) {
    const t = byId.get(n.id);
    const status = t ? t.status : "Pending";
    const x = n.x - n.width / 2;
    const y = n.y - n.height / 2;
    const label = n.id.length > MAX_LABEL ? n.id.slice(0, MAX_LABEL - 1) + "…" : n.id;
    const g = s(
      "g",
      { class: nodeClass(status, selected === n.id), "data-task-id": n.id, "data-status": status, tabindex: 0 },
      s("title", null, n.id + " — " + status + (t && t.waiting ? ": " + waitingText(t.waiting) : "")),
      s("rect", { class: "box", x, y, width: n.width, height: n.height, rx: 8 }),
      s("rect", { class: "band", x: x + 1, y: y + 1, width: 6, height: n.height - 2, rx: 3 }),
      s("text", { x: x + 16, y: y + 19 }, label),
    );
    const sub = s("text", { class: "sub", x: x + 16, y: y + 35 }, subLine(status, t));
    if (t?.childRunId) {
      g.appendChild(s("a", { class: "child-link", href: "#/runs/" + encodeURIComponent(t.childRunId) }, sub));
    } else g.appendChild(sub);
    if (t?.instances) {
      const bar = { x: x + 16, y: y + n.height - 8, width: n.width - 28 };
      g.append(
        s("rect", { class: "bar", x: bar.x, y: bar.y, width: bar.width, height: 3, rx: 1.5 }),
        s("rect", { class: "bar-done", x: bar.x, y: bar.y, width: 0, height: 3, rx: 1.5 }),
        s("rect", { class: "bar-failed", x: bar.x, y: bar.y, width: 0, height: 3, rx: 1.5 }),
      );
      showCounts(g, t.instances);
    }
    g.addEventListener("click", () => onSelect(n.id));
    svg.appendChild(g);
  }
  return svg;
}

/** The node's second line: status, then what it waits for, attempts, duration; a map's counts; a child's link. */
function subLine(status: string, t: TaskView | undefined): string {
  if (t?.instances) return countsText(t.instances);
  if (t?.childRunId) return status + " · child run ↗";
  return (
    status +
    (t && t.waiting ? " · " + waitingShort(t.waiting) : "") +
    (t && t.attempts > 1 ? " · attempt " + t.attempts : "") +
    (t && t.durationMs !== undefined ? " · " + fmtDuration(t.durationMs) : "")
  );
}

/** Writes a mapped task's counts on its drawn node: its text, its bar and data attributes. */
export function showCounts(node: Element, v: InstancesView): void {
  node.setAttribute("data-total", String(v.total));
  node.setAttribute("data-done", String(v.counts["Completed"] ?? 0));
  node.setAttribute("data-failed", String(v.counts["Failed"] ?? 0));
  const sub = node.querySelector("text.sub");
  if (sub) sub.textContent = countsText(v);
  const track = node.querySelector("rect.bar");
  const width = Number(track?.getAttribute("width") ?? 0);
  const { done, failed } = shares(v);
  const doneBar = node.querySelector("rect.bar-done");
  const failedBar = node.querySelector("rect.bar-failed");
  doneBar?.setAttribute("width", String(width * done));
  failedBar?.setAttribute("x", String(Number(track?.getAttribute("x") ?? 0) + width * done));
  failedBar?.setAttribute("width", String(width * failed));
}

/** A mapped task's node after an instance event: its counts change, never its status. */
export function updateMapNode(taskId: string, v: InstancesView): void {
  const node = document.querySelector('#dag g.node[data-task-id="' + CSS.escape(taskId) + '"]');
  if (node) showCounts(node, v);
}

/** Recolours a drawn node at once, before the run is refetched. */
export function recolourNode(taskId: string, status: string, selected: boolean): void {
  const node = document.querySelector('#dag g.node[data-task-id="' + CSS.escape(taskId) + '"]');
  if (!node) return;
  node.setAttribute("class", nodeClass(status, selected));
  node.setAttribute("data-status", status);
}

function nodeClass(status: string, selected: boolean): string {
  return "node s-" + status + (selected ? " selected" : "");
}
