/**
 * Issue 12's "Measure": what waiting costs.
 * 1. A wait round trip vs a plain dependency: a → b, a → sleep({ for: 0 }) → b, and
 *    a → sleep({ for: 1 }) → b (sleep 0 completes in the attempt that starts it, without ever
 *    being Waiting; 1 ms is a real round trip: stored Waiting, the executor's timer, woken, run).
 * 2. 10,000 runs waiting at once (waitForSignal) on SQLite: the heap they cost while stored, and
 *    the time to open a new executor over them (open + its first run), each beside its baseline.
 * Shared by the SQLite part and the PostgreSQL part (bench/postgres/cloacina-waiting.ts).
 */
import { type Executor, resetRegistry, sleep, task, waitForSignal, type Workflow, workflow } from "@cloacina/engine";
import { createExecutor } from "@cloacina/backend-sqlite";
import { executeOrThrow, sqliteUrl } from "./engine-sqlite.js";
import { elapsedMs, median, settledHeapUsedMb } from "./measure.js";

export const ROUND_TRIP_RUNS = 200;
const WARM_UP_RUNS = 20;

export interface RoundTrip {
  runs: number;
  /** Median ms per run of each shape. */
  plainMs: number;
  sleepZeroMs: number;
  sleepOneMs: number;
}

const noop = async () => ({});

/** The three shapes, each its own workflow (registered after a reset of the registry). */
export function roundTripWorkflows(prefix: string): { plain: Workflow; sleepZero: Workflow; sleepOne: Workflow } {
  resetRegistry();
  const shape = (name: string, wait?: (a: string) => ReturnType<typeof sleep>) => {
    const a = task({ id: `${prefix}.${name}.a` }, noop);
    const middle = wait?.(a.id);
    const b = task({ id: `${prefix}.${name}.b`, dependsOn: [middle?.id ?? a.id] }, noop);
    return workflow({ name: `${prefix}.${name}`, tasks: middle ? [a, middle, b] : [a, b] });
  };
  return {
    plain: shape("plain"),
    sleepZero: shape("sleep0", (a) => sleep({ id: `${prefix}.sleep0.nap`, dependsOn: [a], for: 0 })),
    sleepOne: shape("sleep1", (a) => sleep({ id: `${prefix}.sleep1.nap`, dependsOn: [a], for: 1 })),
  };
}

/** Median per-run time of each shape, the shapes interleaved run by run (the machine drifts). */
export async function measureRoundTrip(
  executor: Executor,
  wfs: ReturnType<typeof roundTripWorkflows>,
  runs = ROUND_TRIP_RUNS,
): Promise<RoundTrip> {
  const shapes = [wfs.plain, wfs.sleepZero, wfs.sleepOne];
  for (let i = 0; i < WARM_UP_RUNS; i++) for (const wf of shapes) await executeOrThrow(executor, wf);
  const times = shapes.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    for (const [s, wf] of shapes.entries()) times[s]!.push(await elapsedMs(() => executeOrThrow(executor, wf)));
  }
  const [plainMs, sleepZeroMs, sleepOneMs] = times.map(median) as [number, number, number];
  return { runs, plainMs, sleepZeroMs, sleepOneMs };
}

export async function measureSqliteRoundTrip(file: string): Promise<RoundTrip> {
  const wfs = roundTripWorkflows("bench.wait");
  const executor = await createExecutor(sqliteUrl(file));
  try {
    return await measureRoundTrip(executor, wfs);
  } finally {
    await executor.close();
  }
}

export const WAITING_RUNS = 10_000;

export interface ManyWaiting {
  runs: number;
  /** heapUsed before the runs are started, and once all of them are stored, waiting. */
  heapBeforeMb: number;
  heapWaitingMb: number;
  /** Opening an executor and executing one 1-task run, over the waiting runs and over an empty database. */
  openOverWaitingMs: number;
  openEmptyMs: number;
  gcExposed: boolean;
}

/** Opens an executor on `file` and executes one 1-task run with it: ms from the call to the result. */
async function openAndRunOnce(file: string, quick: Workflow): Promise<number> {
  let executor: Executor | undefined;
  const ms = await elapsedMs(async () => {
    executor = await createExecutor(sqliteUrl(file));
    await executeOrThrow(executor, quick);
  });
  await executor?.close();
  return ms;
}

export async function measureManyWaiting(file: string, emptyFile: string): Promise<ManyWaiting> {
  resetRegistry();
  const waits = workflow({ name: "bench.many.waits", tasks: [waitForSignal({ id: "bench.many.approval" })] });
  const quick = workflow({ name: "bench.many.quick", tasks: [task({ id: "bench.many.quick" }, noop)] });
  // Both files hold the schema and a warm page cache before either figure is taken.
  await openAndRunOnce(emptyFile, quick);
  const executor = await createExecutor(sqliteUrl(file));
  let heapBeforeMb: number;
  let heapWaitingMb: number;
  try {
    await executeOrThrow(executor, quick);
    heapBeforeMb = await settledHeapUsedMb();
    const BATCH = 1_000;
    for (let i = 0; i < WAITING_RUNS; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, () => executor.start(waits, {})));
    }
    while ((await executor.metrics()).tasks.waiting < WAITING_RUNS) await new Promise((r) => setTimeout(r, 20));
    heapWaitingMb = await settledHeapUsedMb();
  } finally {
    await executor.close();
  }
  const openOverWaitingMs = await openAndRunOnce(file, quick);
  const openEmptyMs = await openAndRunOnce(emptyFile, quick);
  return {
    runs: WAITING_RUNS,
    heapBeforeMb,
    heapWaitingMb,
    openOverWaitingMs,
    openEmptyMs,
    gcExposed: typeof globalThis.gc === "function",
  };
}
