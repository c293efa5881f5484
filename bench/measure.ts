import { performance } from "node:perf_hooks";

/** Milliseconds a synchronous piece of work takes. */
export function elapsedMsSync(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

/** Milliseconds an asynchronous piece of work takes, from the call to its settlement. */
export async function elapsedMs(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** The median: steadier than the mean when one round is hit by a checkpoint or a GC pause. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length % 2 === 1) return sorted[mid] ?? NaN;
  return ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** A rate measured as `count` items in `ms` milliseconds. */
export interface Rate {
  perSecond: number;
  /** Microseconds per item. */
  us: number;
}

export function rate(count: number, ms: number): Rate {
  return { perSecond: (count / ms) * 1000, us: (ms * 1000) / count };
}

/**
 * heapUsed in MiB once garbage is gone. Several collections, with a turn of the event loop
 * between them, so objects freed only by finalizers or weak callbacks are gone too.
 */
export async function settledHeapUsedMb(): Promise<number> {
  for (let i = 0; i < 6; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed / 2 ** 20;
}
