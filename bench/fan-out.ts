import { executeOrThrow, withExecutor } from "./engine-sqlite.js";
import { elapsedMs, median, rate, type Rate } from "./measure.js";
import { fanOutFanIn } from "./workflows.js";

export const FAN_OUT_WIDTH = 1_000;
/** Root, leaves and join. */
export const FAN_OUT_TASKS = FAN_OUT_WIDTH + 2;
const WARM_UP_RUNS = 2;
export const FAN_OUT_RUNS = 7;

/** One 1 → 1,000 → 1 run at a time: tasks per second of the median run. */
export async function measureFanOut(file: string, concurrency: number | undefined): Promise<Rate> {
  return withExecutor(
    file,
    concurrency === undefined ? {} : { concurrency },
    () => fanOutFanIn(`bench.fan${concurrency ?? "default"}`, FAN_OUT_WIDTH),
    async (executor, wf) => {
      for (let i = 0; i < WARM_UP_RUNS; i++) await executeOrThrow(executor, wf);
      const times: number[] = [];
      for (let i = 0; i < FAN_OUT_RUNS; i++) times.push(await elapsedMs(() => executeOrThrow(executor, wf)));
      return rate(FAN_OUT_TASKS, median(times));
    },
  );
}
