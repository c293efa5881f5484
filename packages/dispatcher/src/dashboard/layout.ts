/**
 * The DAG's drawing, computed on the server with dagre so the page needs no graph library: node boxes
 * (centre x/y, size) and edge polylines, in SVG user units, left to right.
 */
import dagre, { type EdgeLabel } from "@dagrejs/dagre";

export interface LayoutNode {
  id: string;
  /** Centre of the box. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  points: { x: number; y: number }[];
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: LayoutNode[];
  edges: LayoutEdge[];
}

const NODE_HEIGHT = 46;
const CHAR_WIDTH = 7.4; // 12.5px monospace, the page's node label font
const MIN_WIDTH = 120;
const MAX_WIDTH = 280;
/** Boxes whose second line is longer (a map's counts, a child run's link). */
const WIDE_MIN_WIDTH = 220;

/**
 * Lays out tasks given as `{ id, dependsOn, wide? }`; edges run from a dependency to its
 * dependent. `wide` boxes leave room for a longer second line.
 */
export function layoutDag(tasks: readonly { id: string; dependsOn: readonly string[]; wide?: boolean }[]): DagLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 22, ranksep: 56, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) {
    const min = t.wide ? WIDE_MIN_WIDTH : MIN_WIDTH;
    const width = Math.min(MAX_WIDTH, Math.max(min, Math.ceil(t.id.length * CHAR_WIDTH) + 40));
    g.setNode(t.id, { width, height: NODE_HEIGHT });
  }
  for (const t of tasks) for (const dep of t.dependsOn) if (ids.has(dep)) g.setEdge(dep, t.id);
  dagre.layout(g);
  const graph = g.graph();
  return {
    width: Math.ceil(graph.width ?? 0),
    height: Math.ceil(graph.height ?? 0),
    nodes: tasks.map((t) => {
      const n = g.node(t.id);
      return { id: t.id, x: round(n.x ?? 0), y: round(n.y ?? 0), width: n.width, height: n.height };
    }),
    edges: g.edges().map((e: { v: string; w: string }) => ({
      from: e.v,
      to: e.w,
      points: ((g.edge(e) as EdgeLabel).points ?? []).map((p: { x: number; y: number }) => ({
        x: round(p.x),
        y: round(p.y),
      })),
    })),
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
