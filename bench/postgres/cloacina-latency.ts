import { createExecutor } from "@cloacina/backend-postgres";
import { resetRegistry, task, type TaskRunInfo, workflow } from "@cloacina/engine";
import { type Latency, latencyOf, wallClockMs } from "./percentiles.js";
import { schemaUrl, withSchema } from "./server.js";

export const LATENCY_RUNS = 500;
const WARM_UP_RUNS = 20;

export interface CloacinaLatency {
  /** From `start()` being called to the first task's function starting. */
  startToFirstTask: Latency;
  /** From a dependency's function returning to its dependent's function starting. */
  dependencyToDependent: Latency;
}

interface Stamps {
  firstStarted?: number;
  firstReturned?: number;
  secondStarted?: number;
}

/**
 * A two-task chain (a → b) executed 500 times one after another in one process. The tasks
 * stamp the wall clock themselves, so each sample covers exactly the engine's part: the
 * transactions and wake-ups between one function and the next.
 */
export async function measureCloacinaLatency(): Promise<CloacinaLatency> {
  resetRegistry();
  const stamps = new Map<string, Stamps>();
  const stamp = (run: TaskRunInfo): Stamps => {
    let s = stamps.get(run.executionId);
    if (!s) stamps.set(run.executionId, (s = {}));
    return s;
  };
  const first = task({ id: "pgbench.latency.a" }, async (_ctx, run) => {
    const s = stamp(run);
    s.firstStarted = wallClockMs();
    s.firstReturned = wallClockMs();
    return {};
  });
  const second = task({ id: "pgbench.latency.b", dependsOn: [first.id] }, async (_ctx, run) => {
    stamp(run).secondStarted = wallClockMs();
    return {};
  });
  const chain = workflow({ name: "pgbench.latency", tasks: [first, second] });
  return withSchema("cl_latency", async (schema) => {
    const executor = await createExecutor(schemaUrl(schema));
    try {
      const toStart: number[] = [];
      const toDependent: number[] = [];
      for (let i = 0; i < WARM_UP_RUNS + LATENCY_RUNS; i++) {
        const calledAt = wallClockMs();
        const handle = await executor.start(chain);
        const result = await handle.result();
        const s = stamps.get(handle.executionId);
        stamps.delete(handle.executionId);
        if (result.status !== "Completed" || !s?.firstStarted || !s.firstReturned || !s.secondStarted) {
          throw new Error(`latency run ${handle.executionId} ended ${result.status} without its stamps`);
        }
        if (i < WARM_UP_RUNS) continue;
        toStart.push(s.firstStarted - calledAt);
        toDependent.push(s.secondStarted - s.firstReturned);
      }
      return { startToFirstTask: latencyOf(toStart), dependencyToDependent: latencyOf(toDependent) };
    } finally {
      await executor.close();
    }
  });
}
