/**
 * Issue 13's "without holding every element's decoded context in memory at once": the settled
 * heap while a map of 10,000 elements runs, read inside the instance of its middle element while
 * the others run, beside two baselines read the same way in the same process:
 * - the same 10,000-element array held in one plain task's context (what one decoded copy costs);
 * - a map of 10,000 numbers with nothing in its context (what the map's own bookkeeping costs:
 *   its running instances, their attempts and leases).
 * The map over the array minus the map's own cost is what its context costs: about one copy
 * when its instances share it; each running instance holding its own copy would multiply it by
 * the executor's concurrency.
 */
import { type Executor, mapTask, task, type Workflow, workflow } from "@cloacina/engine";
import { settledHeapUsedMb } from "./measure.js";

export const HEAP_ELEMENTS = 10_000;
/** Small runs first, so prepared statements, JIT and caches are warm before the first reading. */
const WARM_UP_ELEMENTS = 200;

export interface MapHeap {
  elements: number;
  /** The array's size as JSON (as it is stored), MiB. */
  arrayJsonMb: number;
  /** Settled heapUsed before the measured runs, MiB. */
  beforeMb: number;
  /** Mid-task, a plain task whose context holds the 10,000-element array. */
  contextAloneMb: number;
  /** Mid-run, a map of 10,000 numbers computed by `over` (nothing in the context). */
  mapOwnMb: number;
  /** Mid-run, the map over the 10,000-element array of its context. */
  mapOverArrayMb: number;
  /** Once the runs have finished and their results are dropped. */
  afterMb: number;
  gcExposed: boolean;
}

type Probe = "contextAlone" | "mapOwn" | "mapOverArray";

export interface HeapShapes {
  workflows: Record<Probe, Workflow>;
  /** The readings the probes took. */
  readings: Map<Probe, number>;
}

/** An element of a realistic size (about 200 bytes decoded), so the array alone is a few MiB. */
const element = (i: number) => ({ index: i, name: `item-${i}`, text: `${"lorem ipsum ".repeat(10)}${i}` });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The three workflows; define them before the executor opens (on a registry reset by the caller). */
export function heapShapes(prefix: string): HeapShapes {
  const readings: HeapShapes["readings"] = new Map();
  // Only the measured runs read: the warm-up runs are smaller.
  const probe = async (name: Probe, n: number, index = HEAP_ELEMENTS / 2) => {
    if (n === HEAP_ELEMENTS && index === HEAP_ELEMENTS / 2) readings.set(name, await settledHeapUsedMb());
  };
  const items = (id: string) => task({ id }, (ctx: { n: number }) => ({ items: range(ctx.n).map(element) }));

  const aloneItems = items(`${prefix}.alone.items`);
  const hold = task({ id: `${prefix}.alone.hold`, dependsOn: [aloneItems] }, async (ctx) => {
    await probe("contextAlone", ctx.items.length);
    return { held: ctx.items.length };
  });
  // A root map's ctx is typed Context: `over: (ctx: { n: number }) => …` does not compile today.
  const own = mapTask({ id: `${prefix}.own.each`, over: (ctx) => range(Number(ctx.n)) }, async (i) => {
    await probe("mapOwn", HEAP_ELEMENTS, i);
    return i;
  });
  const mapItems = items(`${prefix}.array.items`);
  const overArray = mapTask({ id: `${prefix}.array.each`, dependsOn: [mapItems], over: "items" }, async (item, ctx) => {
    await probe("mapOverArray", ctx.items.length, item.index);
    return item.index;
  });
  return {
    workflows: {
      contextAlone: workflow({ name: `${prefix}.alone`, tasks: [aloneItems, hold] }),
      mapOwn: workflow({ name: `${prefix}.own`, tasks: [own] }),
      mapOverArray: workflow({ name: `${prefix}.array`, tasks: [mapItems, overArray] }),
    },
    readings,
  };
}

async function executeWith(executor: Executor, wf: Workflow, n: number): Promise<void> {
  const result = await executor.execute(wf, { n });
  if (result.status !== "Completed") throw new Error(`heap run of "${wf.name}" ended ${result.status}`);
}

/** The readings, on an executor opened by the caller (its backend, its concurrency). */
export async function measureMapHeap(executor: Executor, shapes: HeapShapes): Promise<MapHeap> {
  const all = Object.values(shapes.workflows);
  for (const wf of all) await executeWith(executor, wf, WARM_UP_ELEMENTS);
  const beforeMb = await settledHeapUsedMb();
  for (const wf of all) await executeWith(executor, wf, HEAP_ELEMENTS);
  const afterMb = await settledHeapUsedMb();
  const reading = (name: Probe) => {
    const mb = shapes.readings.get(name);
    if (mb === undefined) throw new Error(`the ${name} heap probe did not run`);
    return mb;
  };
  return {
    elements: HEAP_ELEMENTS,
    arrayJsonMb: JSON.stringify(range(HEAP_ELEMENTS).map(element)).length / 2 ** 20,
    beforeMb,
    contextAloneMb: reading("contextAlone"),
    mapOwnMb: reading("mapOwn"),
    mapOverArrayMb: reading("mapOverArray"),
    afterMb,
    gcExposed: typeof globalThis.gc === "function",
  };
}
