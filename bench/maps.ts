/**
 * Issue 13's "Measure", on any backend (the SQLite part and bench/postgres/maps-postgres.ts):
 * (a) a map of 1,000 no-op instances (root → map → join) vs the static fan-out of the same width
 *     (root → 1,000 no-op tasks → join), tasks per second of the median run, interleaved;
 * (b) a mapped childWorkflow over 100 elements, each child a 1-task workflow, vs 100 independent
 *     runs of that workflow started at once and awaited, median ms of each, interleaved;
 * (c) the heap while a map of 10,000 elements runs (./map-heap.ts).
 * Each on fresh storage, one process, concurrency 256 (the wide fan-out's and PostgreSQL's setting).
 */
import { childWorkflow, type Executor, mapTask, task, type Workflow, workflow } from "@cloacina/engine";
import { executeOrThrow } from "./engine-sqlite.js";
import { FAN_OUT_TASKS, FAN_OUT_WIDTH } from "./fan-out.js";
import { heapShapes, type MapHeap, measureMapHeap } from "./map-heap.js";
import { elapsedMs, median, rate, type Rate } from "./measure.js";
import type { Stage } from "./postgres/measure-postgres.js";
import { fanOutFanIn, singleTask } from "./workflows.js";

export const MAP_CONCURRENCY = 256;
/** Children of the mapped childWorkflow, and independent runs beside it. */
export const CHILD_RUNS = 100;
const WARM_UP_RUNS = 2;
export const MAP_RUNS = 5;
export const CHILD_ROUNDS = 5;

export interface MapShapes {
  staticFanOut: Workflow;
  mapFanOut: Workflow;
  /** One childWorkflow task over CHILD_RUNS elements, each child a run of `single`. */
  children: Workflow;
  single: Workflow;
}

const noop = async () => ({});

/**
 * The four workflows. Define them before the executor opens, on a registry the caller reset
 * (withExecutor does): claims look at every registered version.
 */
export function mapShapes(prefix: string): MapShapes {
  const indices = Array.from({ length: FAN_OUT_WIDTH }, (_, i) => i);
  const root = task({ id: `${prefix}.map.root` }, noop);
  const each = mapTask({ id: `${prefix}.map.each`, dependsOn: [root], over: () => indices }, () => undefined);
  const join = task({ id: `${prefix}.map.join`, dependsOn: [each] }, noop);
  const single = singleTask(`${prefix}.single`);
  const childIndices = indices.slice(0, CHILD_RUNS);
  const start = childWorkflow({
    id: `${prefix}.children.each`,
    workflow: single,
    over: () => childIndices,
    // Without input a child would get its element (a number); a run's input is a context.
    input: () => ({}),
  });
  return {
    staticFanOut: fanOutFanIn(`${prefix}.static`, FAN_OUT_WIDTH),
    mapFanOut: workflow({ name: `${prefix}.map`, tasks: [root, each, join] }),
    children: workflow({ name: `${prefix}.children`, tasks: [start] }),
    single,
  };
}

export interface MapVsStatic {
  staticRate: Rate;
  mapRate: Rate;
}

/** (a) Tasks per second of the median run of each shape, counting root, the 1,000 (tasks or instances) and join. */
export async function measureMapVsStatic(executor: Executor, shapes: MapShapes): Promise<MapVsStatic> {
  const { staticFanOut, mapFanOut } = shapes;
  for (let i = 0; i < WARM_UP_RUNS; i++) for (const wf of [staticFanOut, mapFanOut]) await executeOrThrow(executor, wf);
  const staticMs: number[] = [];
  const mapMs: number[] = [];
  for (let i = 0; i < MAP_RUNS; i++) {
    staticMs.push(await elapsedMs(() => executeOrThrow(executor, staticFanOut)));
    mapMs.push(await elapsedMs(() => executeOrThrow(executor, mapFanOut)));
  }
  return { staticRate: rate(FAN_OUT_TASKS, median(staticMs)), mapRate: rate(FAN_OUT_TASKS, median(mapMs)) };
}

export interface ChildrenVsIndependent {
  /** Median ms for one parent run whose mapped childWorkflow starts and awaits CHILD_RUNS children. */
  childrenMs: number;
  /** Median ms for CHILD_RUNS runs of the child's workflow started at once and all awaited. */
  independentMs: number;
}

async function startAllAndAwait(executor: Executor, wf: Workflow): Promise<void> {
  const handles = await Promise.all(Array.from({ length: CHILD_RUNS }, () => executor.start(wf, {})));
  const results = await Promise.all(handles.map((handle) => handle.result()));
  const failed = results.find((result) => result.status !== "Completed");
  if (failed) throw new Error(`benchmark run of "${wf.name}" ended ${failed.status}: ${String(failed.error)}`);
}

/** (b) The same 100 one-task runs, as children of one parent task or as independent runs. */
export async function measureChildrenVsIndependent(
  executor: Executor,
  shapes: MapShapes,
): Promise<ChildrenVsIndependent> {
  const children = () => executeOrThrow(executor, shapes.children);
  const independent = () => startAllAndAwait(executor, shapes.single);
  for (let i = 0; i < WARM_UP_RUNS; i++) {
    await children();
    await independent();
  }
  const childrenMs: number[] = [];
  const independentMs: number[] = [];
  for (let i = 0; i < CHILD_ROUNDS; i++) {
    childrenMs.push(await elapsedMs(children));
    independentMs.push(await elapsedMs(independent));
  }
  return { childrenMs: median(childrenMs), independentMs: median(independentMs) };
}

export interface MapResults {
  fanOut: MapVsStatic;
  children: ChildrenVsIndependent;
  heap: MapHeap;
}

/**
 * How a backend gives a figure its own storage: registers what `define` declares on an empty
 * registry, opens an executor (concurrency MAP_CONCURRENCY) on fresh storage named after `name`,
 * runs `use` and closes it.
 */
export type WithFreshExecutor = <Defined, T>(
  name: string,
  define: () => Defined,
  use: (executor: Executor, defined: Defined) => Promise<T>,
) => Promise<T>;

/** (a), (b) and (c) on one backend. */
export async function measureMaps(backend: string, withFresh: WithFreshExecutor, stage: Stage): Promise<MapResults> {
  const { fanOut, children } = await stage(`${backend}: map vs static fan-out, child runs vs independent`, () =>
    withFresh(
      "maps",
      () => mapShapes("bench.maps"),
      async (executor, shapes) => ({
        fanOut: await measureMapVsStatic(executor, shapes),
        children: await measureChildrenVsIndependent(executor, shapes),
      }),
    ),
  );
  const heap = await stage(`${backend}: heap while a map of 10,000 runs`, () =>
    withFresh("map_heap", () => heapShapes("bench.mapheap"), measureMapHeap),
  );
  return { fanOut, children, heap };
}
