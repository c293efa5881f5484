import type { Context, TaskFunction, TaskRunInfo } from "@cloacina/engine";
import { executeOrThrow, withExecutor } from "./engine-sqlite.js";
import { elapsedMs, median } from "./measure.js";
import { sequentialChain } from "./workflows.js";

export interface ChainResult {
  length: number;
  runs: number;
  /** The same functions awaited in a loop, merging each output into the context. */
  directUsPerTask: number;
  /** `executor.execute` of the chain, median run, divided by its length. */
  engineUsPerTask: number;
}

const WARM_UP_RUNS = 3;
const RUNS = 20;

export async function measureChain(
  file: string,
  length: number,
  runs = RUNS,
  warmUpRuns = WARM_UP_RUNS,
): Promise<ChainResult> {
  return withExecutor(
    file,
    {},
    () => sequentialChain(`bench.chain${length}`, length),
    async (executor, chain) => {
      for (let i = 0; i < warmUpRuns; i++) await executeOrThrow(executor, chain.workflow);
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(await elapsedMs(() => executeOrThrow(executor, chain.workflow)));
      return {
        length,
        runs,
        directUsPerTask: await directUsPerTask(chain.functions),
        engineUsPerTask: (median(times) * 1000) / length,
      };
    },
  );
}

const DIRECT_RUNS = 1_000;

/** What the chain costs with no engine at all: the floor the engine's overhead is measured from. */
async function directUsPerTask(functions: readonly TaskFunction<Context, Context>[]): Promise<number> {
  const info: TaskRunInfo = {
    signal: new AbortController().signal,
    executionId: "direct",
    workflow: "direct",
    taskId: "direct",
    attempt: 1,
    calls: 0,
    state: undefined,
    callAgainIn: () => {
      throw new Error("the chain's tasks never wait");
    },
  };
  const runChain = async () => {
    const context: Context = {};
    for (const fn of functions) Object.assign(context, await fn(context, info));
  };
  for (let i = 0; i < DIRECT_RUNS / 10; i++) await runChain();
  const ms = await elapsedMs(async () => {
    for (let i = 0; i < DIRECT_RUNS; i++) await runChain();
  });
  return (ms * 1000) / (DIRECT_RUNS * functions.length);
}
