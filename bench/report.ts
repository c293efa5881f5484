import type { ChainResult } from "./chain.js";
import { FAN_OUT_RUNS, FAN_OUT_TASKS } from "./fan-out.js";
import { HEAP_FIRST_RUNS, HEAP_TOTAL_RUNS, type HeapResult } from "./heap.js";
import type { Rate } from "./measure.js";
import { mapLines } from "./maps-report.js";
import type { MapResults } from "./maps.js";
import type { RawLimits } from "./raw-sqlite.js";
import { SINGLE_TASK_RUNS } from "./single-task-runs.js";
import { formatCount, formatMb, formatPercent, formatTimes, formatUs, type Line, type Row, verdict } from "./table.js";
import { type ManyWaiting, type RoundTrip } from "./waiting.js";
import type { SchemaCost } from "./schemas.js";

export interface Results {
  raw: RawLimits;
  chain: ChainResult;
  shortChain: ChainResult;
  /** 2,000 tasks: the cost per task must not grow with the chain's depth. */
  deepChain: ChainResult;
  singleTaskRuns: Rate;
  fanOutWide: { concurrency: number; rate: Rate };
  fanOutDefault: Rate;
  heap: HeapResult;
  roundTrip: RoundTrip;
  manyWaiting: ManyWaiting;
  schemaCost: SchemaCost;
  /** A map vs a static fan-out, child runs vs independent runs, a map's heap (sections 8–10). */
  maps: MapResults;
}

/** The goals stated by the issue. "A few MB" is read as at most 5 MiB. */
const GOALS = { chainOverheadUs: 100, deepChainRatio: 1.5, fanOutShareOfBatched: 0.5, heapGrowthMb: 5 };

const tasksPerSecond = (r: Rate) => `${formatCount(r.perSecond)} tasks/s · ${formatUs(r.us)}/task`;

export function reportLines(results: Results): Line[] {
  return [
    ...rawLines(results.raw),
    ...chainLines(results),
    ...singleRunLines(results),
    ...fanOutLines(results),
    ...heapLines(results.heap),
    ...roundTripLines(results.roundTrip, "5."),
    ...manyWaitingLines(results.manyWaiting),
    ...schemaLines(results.schemaCost),
    ...mapLines(results.maps, 8),
  ];
}

function schemaLines(s: SchemaCost): Line[] {
  return [
    { section: `7. Schemas: a 1-task workflow, ${formatCount(s.runs)} runs each, interleaved (median of batches)` },
    { label: "no schema", value: `${formatUs(s.plainUs)}/run`, vsRaw: "baseline" },
    {
      label: "zod input schema on the workflow + output schema on the task",
      value: `${formatUs(s.withSchemasUs)}/run`,
      vsRaw: `${formatTimes(s.withSchemasUs / s.plainUs)} no schema`,
    },
  ];
}

function rawLines(raw: RawLimits): Line[] {
  return [
    { section: "Raw limits: better-sqlite3 on the engine's cloacina_task_runs table, prepared statements" },
    {
      label: "2 transactions per task (claim; complete)",
      value: tasksPerSecond(raw.twoTransactionsPerTask),
      goal: "issue's machine: ≈16,000/s",
    },
    { label: "1 transaction per task (complete + claim next)", value: tasksPerSecond(raw.oneTransactionPerTask) },
    {
      label: "100 tasks per transaction",
      value: tasksPerSecond(raw.hundredTasksPerTransaction),
      goal: "issue's machine: ≈97,000/s",
    },
  ];
}

function chainLines({ raw, chain, shortChain, deepChain }: Results): Line[] {
  const depthRatio = deepChain.engineUsPerTask / chain.engineUsPerTask;
  const overhead = chain.engineUsPerTask - chain.directUsPerTask;
  const twoTx = raw.twoTransactionsPerTask.us;
  const oneTx = raw.oneTransactionPerTask.us;
  return [
    { section: `1. Sequential chain of ${chain.length} no-op tasks (median of ${chain.runs} runs)` },
    { label: "direct calls of the same functions", value: `${formatUs(chain.directUsPerTask)}/task` },
    {
      label: "executor.execute",
      value: `${formatUs(chain.engineUsPerTask)}/task`,
      vsRaw: `${formatTimes(chain.engineUsPerTask / twoTx)} slower than raw 2 tx/task`,
    },
    {
      label: "engine overhead (execute − direct)",
      value: `${formatUs(overhead)}/task`,
      goal: `< ${GOALS.chainOverheadUs} µs: ${verdict(overhead < GOALS.chainOverheadUs)}`,
    },
    { label: "  beyond raw 2 tx/task (execute − raw)", value: `${formatUs(chain.engineUsPerTask - twoTx)}/task` },
    { label: "  beyond raw 1 tx/task (execute − raw)", value: `${formatUs(chain.engineUsPerTask - oneTx)}/task` },
    {
      label: `executor.execute, chain of ${shortChain.length} (for scale)`,
      value: `${formatUs(shortChain.engineUsPerTask)}/task`,
      vsRaw: `${formatTimes(shortChain.engineUsPerTask / twoTx)} slower than raw 2 tx/task`,
    },
    {
      label: `executor.execute, chain of ${formatCount(deepChain.length)} (median of ${deepChain.runs})`,
      value: `${formatUs(deepChain.engineUsPerTask)}/task`,
      vsRaw: `${formatTimes(depthRatio)} the chain of ${chain.length}`,
      goal: `≤ ${GOALS.deepChainRatio}×: ${verdict(depthRatio <= GOALS.deepChainRatio)}`,
    },
  ];
}

function singleRunLines({ raw, singleTaskRuns }: Results): Line[] {
  return [
    { section: `2. 1-task workflows, executed one after another (${formatCount(SINGLE_TASK_RUNS)} runs)` },
    {
      label: "executor.execute",
      value: `${formatCount(singleTaskRuns.perSecond)} runs/s · ${formatUs(singleTaskRuns.us)}/run`,
      // A 1-task run needs at least two transactions (create + claim, complete): the 2 tx/task pattern.
      vsRaw: `${formatPercent(singleTaskRuns.perSecond / raw.twoTransactionsPerTask.perSecond)} of raw 2 tx/task`,
    },
  ];
}

function fanOutLines({ raw, fanOutWide, fanOutDefault }: Results): Line[] {
  const batched = raw.hundredTasksPerTransaction.perSecond;
  const row = (label: string, rate: Rate): Row => ({
    label,
    value: `${formatCount(rate.perSecond)} tasks/s`,
    vsRaw: `${formatPercent(rate.perSecond / batched)} of raw 100/tx`,
    goal: `≥ ${formatPercent(GOALS.fanOutShareOfBatched)}: ${verdict(rate.perSecond / batched >= GOALS.fanOutShareOfBatched)}`,
  });
  return [
    {
      section: `3. Fan-out/fan-in 1 → ${formatCount(FAN_OUT_TASKS - 2)} → 1 (${formatCount(FAN_OUT_TASKS)} tasks, median of ${FAN_OUT_RUNS} runs)`,
    },
    row(`concurrency ${fanOutWide.concurrency}`, fanOutWide.rate),
    row("concurrency 64 (default)", fanOutDefault),
  ];
}

function heapLines(heap: HeapResult): Line[] {
  const growth = heap.afterTotalMb - heap.afterFirstMb;
  const settled = heap.gcExposed ? "after gc()" : "gc() unavailable: not settled";
  return [
    {
      section: `4. Heap, 3-task workflow executed ${formatCount(HEAP_TOTAL_RUNS)} times one after another (${settled})`,
    },
    { label: `heapUsed after ${formatCount(HEAP_FIRST_RUNS)} runs`, value: formatMb(heap.afterFirstMb) },
    { label: `heapUsed after ${formatCount(HEAP_TOTAL_RUNS)} runs`, value: formatMb(heap.afterTotalMb) },
    {
      label: `difference (${formatCount(HEAP_TOTAL_RUNS)} − ${formatCount(HEAP_FIRST_RUNS)} runs)`,
      value: `${growth >= 0 ? "+" : ""}${formatMb(growth)}`,
      goal: `≤ ${GOALS.heapGrowthMb} MiB: ${verdict(growth <= GOALS.heapGrowthMb)}`,
    },
  ];
}

const perRun = (ms: number) => `${ms.toFixed(2)} ms/run`;

/** The cost of a wait round trip beside a plain dependency (shared with the PostgreSQL report). */
export function roundTripLines(rt: RoundTrip, number: string): Line[] {
  return [
    {
      section: `${number} A wait between two no-op tasks vs a plain dependency (median of ${formatCount(rt.runs)} runs each, interleaved, 1 process)`,
    },
    { label: "a → b", value: perRun(rt.plainMs), vsRaw: "baseline" },
    {
      label: "a → sleep({ for: 0 }) → b (completes as it starts)",
      value: perRun(rt.sleepZeroMs),
      vsRaw: `${formatTimes(rt.sleepZeroMs / rt.plainMs)} a → b`,
    },
    {
      label: "a → sleep({ for: 1 }) → b (Waiting, timer, woken)",
      value: perRun(rt.sleepOneMs),
      vsRaw: `${formatTimes(rt.sleepOneMs / rt.plainMs)} a → b`,
    },
  ];
}

function manyWaitingLines(w: ManyWaiting): Line[] {
  const settled = w.gcExposed ? "after gc()" : "gc() unavailable: not settled";
  const growth = w.heapWaitingMb - w.heapBeforeMb;
  return [
    { section: `6. ${formatCount(w.runs)} runs waiting at once (waitForSignal), stored (${settled})` },
    { label: "heapUsed before they start", value: formatMb(w.heapBeforeMb), vsRaw: "baseline" },
    {
      label: `heapUsed with ${formatCount(w.runs)} waiting`,
      value: formatMb(w.heapWaitingMb),
      vsRaw: `${growth >= 0 ? "+" : ""}${formatMb(growth)} (${formatTimes(w.heapWaitingMb / w.heapBeforeMb)})`,
    },
    {
      label: "open an executor + first 1-task run, empty database",
      value: `${w.openEmptyMs.toFixed(1)} ms`,
      vsRaw: "baseline",
    },
    {
      label: `same, over the ${formatCount(w.runs)} waiting runs`,
      value: `${w.openOverWaitingMs.toFixed(1)} ms`,
      vsRaw: `${formatTimes(w.openOverWaitingMs / w.openEmptyMs)} empty`,
    },
  ];
}
