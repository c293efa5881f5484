/** The rows of bench/maps.ts's figures, in the SQLite table and in the PostgreSQL one alike. */
import { FAN_OUT_TASKS, FAN_OUT_WIDTH } from "./fan-out.js";
import type { MapHeap } from "./map-heap.js";
import { CHILD_ROUNDS, CHILD_RUNS, MAP_CONCURRENCY, MAP_RUNS, type MapResults } from "./maps.js";
import { formatCount, formatMb, type Line, verdict } from "./table.js";

/**
 * The goal for (a). The heap's goal is the "not every element's decoded context"
 * read as a number: the context's share of the map's heap at most 1.5 decoded copies (a second
 * copy would make it 2; a copy per running instance, MAP_CONCURRENCY).
 */
const GOALS = { mapVsStatic: 0.8, contextCopies: 1.5 };

const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const signedMb = (mb: number) => `${mb >= 0 ? "+" : ""}${formatMb(mb)}`;

/** Sections `first`, `first + 1` and `first + 2` of a backend's table. */
export function mapLines(results: MapResults, first: number): Line[] {
  return [...fanOutLines(results, first), ...childLines(results, first + 1), ...heapLines(results.heap, first + 2)];
}

function fanOutLines({ fanOut }: MapResults, number: number): Line[] {
  const ratio = fanOut.mapRate.perSecond / fanOut.staticRate.perSecond;
  const tasks = (perSecond: number) => `${formatCount(perSecond)} tasks/s`;
  return [
    {
      section: `${number}. A map of ${formatCount(FAN_OUT_WIDTH)} no-op instances vs a static fan-out of the same width (${formatCount(FAN_OUT_TASKS)} tasks each, root and join included; median of ${MAP_RUNS} runs, interleaved, concurrency ${MAP_CONCURRENCY})`,
    },
    {
      label: `static: root → ${formatCount(FAN_OUT_WIDTH)} declared tasks → join`,
      value: tasks(fanOut.staticRate.perSecond),
      vsRaw: "baseline",
    },
    {
      label: `map: root → mapTask over ${formatCount(FAN_OUT_WIDTH)} elements → join`,
      value: tasks(fanOut.mapRate.perSecond),
      vsRaw: `${times(ratio)} static`,
      goal: `≥ ${GOALS.mapVsStatic}×: ${verdict(ratio >= GOALS.mapVsStatic)}`,
    },
  ];
}

function childLines({ children }: MapResults, number: number): Line[] {
  const runs = (ms: number) => `${ms.toFixed(1)} ms · ${formatCount((CHILD_RUNS / ms) * 1000)} runs/s`;
  return [
    {
      section: `${number}. ${CHILD_RUNS} runs of a 1-task workflow: independent vs children of one mapped childWorkflow (median of ${CHILD_ROUNDS}, interleaved)`,
    },
    {
      label: `${CHILD_RUNS} independent runs, started at once, all awaited`,
      value: runs(children.independentMs),
      vsRaw: "baseline",
    },
    {
      label: `1 parent run: childWorkflow over ${CHILD_RUNS} elements`,
      value: runs(children.childrenMs),
      vsRaw: `${times(children.independentMs / children.childrenMs)} independent's runs/s`,
      goal: "no goal stated: reported",
    },
  ];
}

function heapLines(heap: MapHeap, number: number): Line[] {
  const settled = heap.gcExposed ? "after gc()" : "gc() unavailable: not settled";
  const growth = (mb: number) => signedMb(mb - heap.beforeMb);
  const contextShare = heap.mapOverArrayMb - heap.mapOwnMb;
  const copies = contextShare / (heap.contextAloneMb - heap.beforeMb);
  const n = formatCount(heap.elements);
  return [
    {
      section: `${number}. Heap while a map of ${n} elements runs, read by its middle instance as the others run (${settled}, concurrency ${MAP_CONCURRENCY})`,
    },
    { label: "heapUsed before the runs", value: formatMb(heap.beforeMb), vsRaw: "baseline" },
    {
      label: `plain task, its context holding a ${n}-element array (${formatMb(heap.arrayJsonMb)} as JSON)`,
      value: growth(heap.contextAloneMb),
      vsRaw: "1 decoded copy",
    },
    { label: `map of ${n} numbers, nothing in its context`, value: growth(heap.mapOwnMb), vsRaw: "the map's own cost" },
    {
      label: `map over that ${n}-element array of its context`,
      value: growth(heap.mapOverArrayMb),
      vsRaw: `${signedMb(contextShare)} beyond the map's own: ${copies.toFixed(2)} copies`,
      goal: `≤ ${GOALS.contextCopies} copies (1 per running instance: ${MAP_CONCURRENCY}): ${verdict(copies <= GOALS.contextCopies)}`,
    },
    { label: "after the runs, their results dropped", value: growth(heap.afterMb) },
  ];
}
