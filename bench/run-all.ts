import os from "node:os";
import { performance } from "node:perf_hooks";
import { measureChain } from "./chain.js";
import { withExecutor } from "./engine-sqlite.js";
import { measureFanOut } from "./fan-out.js";
import { measureHeap } from "./heap.js";
import { measureHistory } from "./history-run.js";
import { MAP_CONCURRENCY, measureMaps } from "./maps.js";
import { runPostgres } from "./postgres/run-postgres.js";
import { measureRawLimits } from "./raw-sqlite.js";
import { reportLines, type Results } from "./report.js";
import { measureSingleTaskRuns } from "./single-task-runs.js";
import { measureSchemaCost } from "./schemas.js";
import { printTable } from "./table.js";
import { type BenchDir, createBenchDir } from "./temp-dir.js";
import { measureManyWaiting, measureSqliteRoundTrip } from "./waiting.js";

const WIDE_CONCURRENCY = 256;

/** Runs one benchmark, telling on stderr what is running, so stdout holds only the report. */
async function stage<T>(name: string, measure: () => Promise<T>): Promise<T> {
  process.stderr.write(`  running ${name}…`);
  const start = performance.now();
  const result = await measure();
  process.stderr.write(` ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  return result;
}

/** Every benchmark, in order. Raw limits first, on a fresh process: the yardstick for the rest. */
async function measureAll(dir: BenchDir): Promise<Results> {
  const raw = await stage("raw better-sqlite3 limits", () => measureRawLimits(dir.dbFile));
  const chain = await stage("sequential chain of 200", () => measureChain(dir.dbFile("chain-200"), 200));
  const shortChain = await stage("sequential chain of 20", () => measureChain(dir.dbFile("chain-20"), 20));
  // A deep chain costs a second or so a run: fewer runs.
  const deepChain = await stage("sequential chain of 2,000", () => measureChain(dir.dbFile("chain-2000"), 2000, 3, 1));
  const singleTaskRuns = await stage("1-task workflows", () => measureSingleTaskRuns(dir.dbFile("single")));
  const wide = await stage(`fan-out, concurrency ${WIDE_CONCURRENCY}`, () =>
    measureFanOut(dir.dbFile("fan-out-wide"), WIDE_CONCURRENCY),
  );
  const fanOutDefault = await stage("fan-out, default concurrency", () =>
    measureFanOut(dir.dbFile("fan-out-default"), undefined),
  );
  const heap = await stage("heap over 10,000 runs", () => measureHeap(dir.dbFile("heap")));
  const roundTrip = await stage("a → sleep → b vs a → b", () => measureSqliteRoundTrip(dir.dbFile("round-trip")));
  const manyWaiting = await stage("10,000 runs waiting", () =>
    measureManyWaiting(dir.dbFile("many-waiting"), dir.dbFile("many-waiting-empty")),
  );
  const schemaCost = await stage("schemas vs none", () => measureSchemaCost(dir.dbFile("schemas")));
  const maps = await measureMaps(
    "SQLite",
    (name, define, use) => withExecutor(dir.dbFile(name), { concurrency: MAP_CONCURRENCY }, define, use),
    stage,
  );
  const fanOutWide = { concurrency: WIDE_CONCURRENCY, rate: wide };
  return {
    raw,
    chain,
    shortChain,
    deepChain,
    singleTaskRuns,
    fanOutWide,
    fanOutDefault,
    heap,
    roundTrip,
    manyWaiting,
    schemaCost,
    maps,
  };
}

/** Which parts to run: `npm run bench -- sqlite` or `-- postgres` runs only that one. */
export interface Parts {
  sqlite: boolean;
  postgres: boolean;
}

export async function runAll(parts: Parts): Promise<void> {
  const started = performance.now();
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  console.log(
    `Machine: ${cpu} · ${os.cpus().length} cores · Node ${process.version} · ${os.platform()} ${os.arch()}\n`,
  );
  if (parts.sqlite) await runSqlite();
  if (parts.sqlite && parts.postgres) console.log();
  if (parts.postgres) await runPostgres(stage);
  await measureHistory(parts, stage);
  console.log(`\nTotal time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

async function runSqlite(): Promise<void> {
  console.log("Cloacina benchmark: embedded SQLite, temporary files (WAL, synchronous=NORMAL)");
  const dir = createBenchDir();
  // Ctrl-C skips `finally`: remove the database files here too.
  const onInterrupt = () => {
    dir.remove();
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  let results: Results;
  try {
    results = await measureAll(dir);
  } finally {
    process.off("SIGINT", onInterrupt);
    dir.remove();
  }
  console.log();
  printTable(reportLines(results));
}
