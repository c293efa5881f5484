/**
 * One DBOS Transact figure, in a process of its own (DBOS is a process-wide singleton, and its
 * background loops should not share an event loop with Cloacina's figures). Started by dbos.ts
 * with `node --import tsx`; the database to use and the shape to measure come in the
 * environment. Prints one line on stdout: `result {"ms":…}` or `error <message>`; DBOS's own
 * logging goes to stderr, errors only.
 *
 * - "sequential": COUNT three-step workflows (a → b → c, no-op steps), each awaited before the next.
 * - "concurrent": COUNT three-step workflows started with DBOS.startWorkflow all at once, then
 *   every handle's result awaited.
 * - "wide": one workflow running COUNT no-op steps concurrently (DBOS.runStep under Promise.all:
 *   DBOS assigns each step's id when it is called, before any await, so the order is deterministic).
 *
 * Each first runs WARM_UP three-step workflows (and the wide one a 100-step workflow) untimed.
 */
import { performance } from "node:perf_hooks";
import type { DLogger } from "@dbos-inc/dbos-sdk";

export type DbosShape = "sequential" | "concurrent" | "wide";

/** The environment dbos.ts passes. */
export interface DbosProcessEnv {
  DBOS_BENCH_URL: string;
  DBOS_BENCH_SHAPE: DbosShape;
  DBOS_BENCH_COUNT: string;
  DBOS_BENCH_WARM_UP: string;
}

const say = (line: string) => new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message || error.name : String(error)).replace(/\s+/g, " ").trim();

/** Errors only, to stderr: DBOS logs each launch step at info level. */
const logger: DLogger = {
  info: () => {},
  debug: () => {},
  warn: () => {},
  error: (entry) => console.error(`[dbos] ${oneLine(entry)}`),
};

async function measure(): Promise<number> {
  const { DBOS_BENCH_URL: url, DBOS_BENCH_SHAPE: shape } = process.env as Partial<DbosProcessEnv>;
  const count = Number(process.env.DBOS_BENCH_COUNT);
  const warmUp = Number(process.env.DBOS_BENCH_WARM_UP ?? 0);
  if (url === undefined || (shape !== "sequential" && shape !== "concurrent" && shape !== "wide") || !(count > 0)) {
    throw new Error("DBOS_BENCH_URL, DBOS_BENCH_SHAPE or DBOS_BENCH_COUNT is not set");
  }
  // Imported here, so a missing or broken package is reported as a reason, not a crash.
  const { DBOS } = await import("@dbos-inc/dbos-sdk").catch((error: unknown) => {
    throw new Error(`cannot load @dbos-inc/dbos-sdk (${oneLine(error)})`);
  });

  const noop = async (): Promise<void> => {};
  const threeSteps = DBOS.registerWorkflow(
    async (): Promise<void> => {
      await DBOS.runStep(noop, { name: "a" });
      await DBOS.runStep(noop, { name: "b" });
      await DBOS.runStep(noop, { name: "c" });
    },
    { name: "bench.threeSteps" },
  );
  const wide = DBOS.registerWorkflow(
    async (steps: number): Promise<void> => {
      await Promise.all(Array.from({ length: steps }, (_, i) => DBOS.runStep(noop, { name: `s${i}` })));
    },
    { name: "bench.wide" },
  );

  // Defaults otherwise (system database pool of 10); a fixed version, so none is hashed from the source.
  DBOS.setConfig({ name: "cloacina-bench", systemDatabaseUrl: url, applicationVersion: "bench", logger });
  await DBOS.launch();
  try {
    for (let i = 0; i < warmUp; i++) await threeSteps();
    if (shape === "wide") await wide(100);
    const started = performance.now();
    switch (shape) {
      case "sequential":
        for (let i = 0; i < count; i++) await threeSteps();
        break;
      case "concurrent": {
        const handles = await Promise.all(Array.from({ length: count }, () => DBOS.startWorkflow(threeSteps)()));
        await Promise.all(handles.map((handle) => handle.getResult()));
        break;
      }
      case "wide":
        await wide(count);
        break;
    }
    return performance.now() - started;
  } finally {
    await DBOS.shutdown();
  }
}

try {
  const ms = await measure();
  await say(`result ${JSON.stringify({ ms })}`);
} catch (error) {
  await say(`error ${oneLine(error)}`);
}
// Exit even if a library left a handle open, so the benchmark never waits on this process.
process.exit(0);
