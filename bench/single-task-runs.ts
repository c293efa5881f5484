import { executeSequentially, withExecutor } from "./engine-sqlite.js";
import { elapsedMs, rate, type Rate } from "./measure.js";
import { singleTask } from "./workflows.js";

const WARM_UP_RUNS = 200;
export const SINGLE_TASK_RUNS = 2_000;

/** `await executor.execute(wf, {})` of a 1-task workflow in a loop: runs per second. */
export async function measureSingleTaskRuns(file: string): Promise<Rate> {
  return withExecutor(
    file,
    {},
    () => singleTask("bench.single"),
    async (executor, wf) => {
      await executeSequentially(executor, wf, WARM_UP_RUNS);
      const ms = await elapsedMs(() => executeSequentially(executor, wf, SINGLE_TASK_RUNS));
      return rate(SINGLE_TASK_RUNS, ms);
    },
  );
}
