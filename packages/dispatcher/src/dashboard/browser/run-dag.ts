/** A run's DAG as SVG, from the server's dagre layout: a box per task, coloured by its status. */
import { s } from "./dom.js";
import { fmtDuration } from "./format.js";
import { waitingShort, waitingText } from "./waiting.js";
import type { DagLayout, RunView } from "./wire.js";

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
    const sub =
      status +
      (t && t.waiting ? " · " + waitingShort(t.waiting) : "") +
      (t && t.attempts > 1 ? " · attempt " + t.attempts : "") +
      (t && t.durationMs !== undefined ? " · " + fmtDuration(t.durationMs) : "");
    const g = s(
      "g",
      { class: nodeClass(status, selected === n.id), "data-task-id": n.id, "data-status": status, tabindex: 0 },
      s("title", null, n.id + " — " + status + (t && t.waiting ? ": " + waitingText(t.waiting) : "")),
      s("rect", { class: "box", x, y, width: n.width, height: n.height, rx: 8 }),
      s("rect", { class: "band", x: x + 1, y: y + 1, width: 6, height: n.height - 2, rx: 3 }),
      s("text", { x: x + 16, y: y + 19 }, label),
      s("text", { class: "sub", x: x + 16, y: y + 35 }, sub),
    );
    g.addEventListener("click", () => onSelect(n.id));
    svg.appendChild(g);
  }
  return svg;
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
