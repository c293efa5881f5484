import { executeSequentially, withExecutor } from "./engine-sqlite.js";
import { settledHeapUsedMb } from "./measure.js";
import { smallPipeline } from "./workflows.js";

export const HEAP_FIRST_RUNS = 1_000;
export const HEAP_TOTAL_RUNS = 10_000;

export interface HeapResult {
  afterFirstMb: number;
  afterTotalMb: number;
  /** Whether gc() was available, i.e. whether the readings are of a settled heap. */
  gcExposed: boolean;
}

/**
 * heapUsed after the first 1,000 runs (caches, JIT and the database connection are warm by
 * then) and after 10,000: anything the engine keeps per run shows up as the difference.
 */
export async function measureHeap(file: string): Promise<HeapResult> {
  return withExecutor(
    file,
    {},
    () => smallPipeline("bench.heap"),
    async (executor, wf) => {
      await executeSequentially(executor, wf, HEAP_FIRST_RUNS);
      const afterFirstMb = await settledHeapUsedMb();
      await executeSequentially(executor, wf, HEAP_TOTAL_RUNS - HEAP_FIRST_RUNS);
      const afterTotalMb = await settledHeapUsedMb();
      return { afterFirstMb, afterTotalMb, gcExposed: typeof globalThis.gc === "function" };
    },
  );
}
