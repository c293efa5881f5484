import type { Rate } from "../measure.js";
import { formatCount, type Line, type Row, verdict } from "../table.js";
import { CLOACINA_CONCURRENCY, WORKER_PROCESSES } from "./cloacina-throughput.js";
import { CONCURRENT_WORKFLOWS, SEQUENTIAL_WORKFLOWS } from "./cloacina-workflows.js";
import { DBOS_COUNTS, type DbosFigure } from "./dbos.js";
import { GRAPHILE_LATENCY_JOBS } from "./graphile-latency.js";
import { LATENCY_RUNS } from "./cloacina-latency.js";
import { PEER_CAP_MS, type PostgresResults } from "./measure-postgres.js";
import type { PeerDrain } from "./peer-drain.js";
import { installedVersion } from "./peer-versions.js";
import type { Latency } from "./percentiles.js";
import type { RawVariant } from "./raw-skip-locked.js";
import { JOBS } from "./workflows.js";
import { roundTripLines } from "../report.js";
import { mapLines } from "../maps-report.js";

/** The PostgreSQL table's columns: its third compares each figure with Cloacina's. */
export const POSTGRES_HEADINGS: Row = {
  label: "Measure",
  value: "Result",
  vsRaw: "vs Cloacina",
  goal: "Earlier reference",
};

/** A ratio of figures: 2 decimals, or 2 significant digits when tiny. */
const times = (ratio: number): string => `${ratio >= 0.1 ? ratio.toFixed(2) : ratio.toPrecision(2)}×`;
const perSecond = (rate: Rate, unit: string): string => `${formatCount(rate.perSecond)} ${unit}/s`;
const ms = (value: number): string => value.toFixed(2);
const latency = (l: Latency): string => `p50 ${ms(l.p50)} · p95 ${ms(l.p95)} · p99 ${ms(l.p99)} ms`;

export function postgresLines(results: PostgresResults): Line[] {
  return [
    ...throughputLines(results),
    ...latencyLines(results),
    ...rawLines(results),
    ...peerLines(results),
    ...workflowLines(results),
    ...goalLines(results),
    ...roundTripLines(results.waiting, "7."),
    ...mapLines(results.maps, 8),
  ];
}

/** The issue's goals on PostgreSQL that the sections above measure, each with its verdict. */
const GOALS = { wideVsPreset: 1.0, singleVsPreset: 0.5, dependentP50Ms: 2 };

function goalLines({ cloacina: c, graphile, latency: l }: PostgresResults): Line[] {
  const preset = peerValue(graphile.highThroughput).perSecond;
  const wide = c.wide1.perSecond / preset;
  const single = c.single1.perSecond / preset;
  const p50 = l.dependencyToDependent.p50;
  return [
    { section: "6. The issue's goals on PostgreSQL (figures from the sections above, this run)" },
    {
      label: "(a) one run of 20,000 tasks vs graphile-worker's preset",
      value: times(wide),
      goal: `≥ ${GOALS.wideVsPreset.toFixed(1)}×: ${verdict(wide >= GOALS.wideVsPreset)}`,
    },
    {
      label: "(b) 20,000 one-task runs vs graphile-worker's preset",
      value: times(single),
      goal: `≥ ${GOALS.singleVsPreset}×: ${verdict(single >= GOALS.singleVsPreset)}`,
    },
    {
      label: "dependency returns → dependent starts, p50",
      value: `${ms(p50)} ms`,
      goal: `≤ ${GOALS.dependentP50Ms} ms: ${verdict(p50 <= GOALS.dependentP50Ms)}`,
    },
  ];
}

function throughputLines({ cloacina: c }: PostgresResults): Line[] {
  const row = (label: string, rate: Rate, onePass?: Rate): Row => ({
    label,
    value: perSecond(rate, "tasks"),
    vsRaw: onePass ? `${times(rate.perSecond / onePass.perSecond)} 1 process` : "reference",
  });
  return [
    {
      section: `1. Cloacina: ${formatCount(JOBS)} independent no-op tasks, first submission to last run finished (concurrency ${CLOACINA_CONCURRENCY} per process)`,
    },
    row("(a) one run of 20,000 tasks, 1 process", c.wide1),
    row(`(a) same, ${WORKER_PROCESSES} worker processes + client`, c.wide4, c.wide1),
    row("(b) 20,000 one-task runs, 1 process", c.single1),
    row(`(b) same, ${WORKER_PROCESSES} worker processes + client`, c.single4, c.single1),
  ];
}

function latencyLines({ latency: l, graphile }: PostgresResults): Line[] {
  return [
    { section: `2. Latency, ${LATENCY_RUNS} two-task runs (a → b) one after another, 1 process` },
    { label: "Cloacina: start() → first task starts", value: latency(l.startToFirstTask), vsRaw: "reference" },
    {
      label: "Cloacina: dependency returns → dependent starts",
      value: latency(l.dependencyToDependent),
      vsRaw: "reference",
    },
    {
      label: `graphile-worker: addJob → job starts (defaults, ${GRAPHILE_LATENCY_JOBS} jobs)`,
      value: latency(graphile.latency),
      vsRaw: `p50 ${times(graphile.latency.p50 / l.startToFirstTask.p50)} start→first`,
      goal: "≈2 ms",
    },
  ];
}

function rawLines({ raw, cloacina: c }: PostgresResults): Line[] {
  const label = (v: RawVariant) =>
    `${v.connections} connection${v.connections > 1 ? "s" : ""}, ${v.batch} per claim` +
    (v.tasks < JOBS ? ` (first ${formatCount(v.tasks)})` : "") +
    (v.statistics ? "" : ", no statistics");
  return [
    {
      section: `3. Raw limit: bare SKIP LOCKED claim + complete loop on the engine's table, ${formatCount(JOBS)} Ready rows (pg, prepared)`,
    },
    ...raw.map(({ variant, rate }): Row => {
      const cloacina = variant.connections === 1 ? c.wide1 : c.wide4;
      return {
        label: label(variant),
        value: perSecond(rate, "tasks"),
        vsRaw: `${times(rate.perSecond / cloacina.perSecond)} (a) ${variant.connections === 1 ? "1 process" : `${WORKER_PROCESSES} workers`}`,
        goal: variant.batch === 50 && variant.connections === 1 ? "≈40,000/s batched" : undefined,
      };
    }),
  ];
}

function peerValue(drain: PeerDrain): { value: string; perSecond: number; bound: string } {
  if (drain.finished) return { value: perSecond(drain.rate, "jobs"), perSecond: drain.rate.perSecond, bound: "" };
  const upTo = (drain.completed / PEER_CAP_MS) * 1000;
  return {
    value: `≥ ${PEER_CAP_MS / 1000} s, timed out: ${formatCount(drain.completed)} of ${formatCount(JOBS)} done (≤ ${upTo.toFixed(2)} jobs/s)`,
    perSecond: upTo,
    bound: "≤ ",
  };
}

function peerLines({ graphile, pgBoss, cloacina: c }: PostgresResults): Line[] {
  const row = (label: string, drain: PeerDrain, goal?: string): Row => {
    const { value, perSecond: rate, bound } = peerValue(drain);
    return {
      label,
      value,
      vsRaw: `${bound}${times(rate / c.single1.perSecond)} (b) · ${bound}${times(rate / c.wide1.perSecond)} (a)`,
      goal,
    };
  };
  const gw = `graphile-worker ${installedVersion("graphile-worker")}`;
  const boss = `pg-boss ${installedVersion("pg-boss")}`;
  return [
    {
      section: `4. Peers: ${formatCount(JOBS)} no-op jobs enqueued in bulk, 1 process, to the last stored completion (vs Cloacina 1 process)`,
    },
    row(`${gw}, defaults (concurrency 1)`, graphile.default, "≈2,100/s"),
    row(`${gw}, documented high-throughput preset`, graphile.highThroughput, "≈21,000/s"),
    row(`${boss}, defaults (1 job per fetch, 2 s poll)`, pgBoss.default),
    row(`${boss}, batchSize 500, 0.5 s poll`, pgBoss.batch),
  ];
}

/** The issue's goals for Cloacina against DBOS Transact. */
export const DBOS_GOALS = {
  /** Sequential: DBOS's ms per workflow ÷ Cloacina's, at least. */
  sequentialRatio: 1.0,
  /** At once: Cloacina's workflows/s ÷ DBOS's, at least. */
  concurrentRatio: 2.5,
};

function workflowLines({ workflows: w, cloacina: c }: PostgresResults): Line[] {
  const dbos = `DBOS ${w.dbos.version ?? "(not installed)"}`;
  const notMeasured = (figure: DbosFigure & { measured: false }): Row => ({
    label: "",
    value: `not measured: ${figure.reason}`,
  });
  const dbosRow = (label: string, figure: DbosFigure, row: (ms: number) => Omit<Row, "label">): Row =>
    figure.measured ? { label, ...row(figure.ms) } : { ...notMeasured(figure), label };
  const perWorkflow = (ms: number) => `${ms.toFixed(2)} ms/workflow`;
  return [
    {
      section: `5. Three-task workflows (a → b → c, no-op), 1 process each; ${dbos} in its own database and process, defaults`,
    },
    {
      label: `(a) ${formatCount(SEQUENTIAL_WORKFLOWS)} one after another, Cloacina execute()`,
      value: perWorkflow(w.sequentialMs),
      vsRaw: "reference",
      goal: "issue: 15.5 ms, DBOS 6.9",
    },
    dbosRow(`(a) same, ${dbos}`, w.dbos.sequential, (ms) => {
      const ratio = ms / SEQUENTIAL_WORKFLOWS / w.sequentialMs;
      return {
        value: perWorkflow(ms / SEQUENTIAL_WORKFLOWS),
        vsRaw: times(ratio),
        goal: `DBOS ÷ Cloacina ≥ ${DBOS_GOALS.sequentialRatio.toFixed(1)}×: ${verdict(ratio >= DBOS_GOALS.sequentialRatio)}`,
      };
    }),
    {
      label: `(b) ${formatCount(CONCURRENT_WORKFLOWS)} at once, Cloacina start() (concurrency ${CLOACINA_CONCURRENCY})`,
      value: perSecond(w.concurrent, "workflows"),
      vsRaw: "reference",
      goal: "issue: 896/s, DBOS 309/s",
    },
    dbosRow(`(b) same, ${dbos} startWorkflow()`, w.dbos.concurrent, (ms) => {
      const dbosRate = (CONCURRENT_WORKFLOWS / ms) * 1000;
      const ratio = w.concurrent.perSecond / dbosRate;
      return {
        value: `${formatCount(dbosRate)} workflows/s`,
        vsRaw: times(dbosRate / w.concurrent.perSecond),
        goal: `Cloacina ${times(ratio)} DBOS, ≥ ${DBOS_GOALS.concurrentRatio}×: ${verdict(ratio >= DBOS_GOALS.concurrentRatio)}`,
      };
    }),
    dbosRow(`(c) ${dbos}: 1 workflow, ${formatCount(DBOS_COUNTS.wide)} runStep() at once`, w.dbos.wide, (ms) => {
      const steps = (DBOS_COUNTS.wide / ms) * 1000;
      return { value: `${formatCount(steps)} steps/s`, vsRaw: `${times(steps / c.wide1.perSecond)} 1.(a) 1 process` };
    }),
  ];
}
