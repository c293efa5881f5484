import type { TaskList } from "graphile-worker";
import { withGraphile } from "./graphile.js";
import { type Latency, latencyOf, wallClockMs } from "./percentiles.js";

export const GRAPHILE_LATENCY_JOBS = 500;
const WARM_UP_JOBS = 20;

/**
 * graphile-worker's counterpart of "start() to first task": addJob, with default settings,
 * to the handler starting (woken by the NOTIFY of its insert trigger). One job at a time, each
 * added once the previous one is completed, as each Cloacina run starts after the last finished.
 */
export async function measureGraphileLatency(): Promise<Latency> {
  let onStarted: (at: number) => void = () => {};
  const taskList: TaskList = {
    stamp: async () => onStarted(wallClockMs()),
  };
  return withGraphile("default", taskList, async ({ utils, events }) => {
    const samples: number[] = [];
    for (let i = 0; i < WARM_UP_JOBS + GRAPHILE_LATENCY_JOBS; i++) {
      const started = new Promise<number>((resolve) => (onStarted = resolve));
      const completed = new Promise((resolve) => events.once("job:complete", resolve));
      const addedAt = wallClockMs();
      await utils.addJob("stamp", {});
      const startedAt = await started;
      await completed;
      if (i >= WARM_UP_JOBS) samples.push(startedAt - addedAt);
    }
    return latencyOf(samples);
  });
}
