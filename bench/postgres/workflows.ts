/**
 * The workflows of the PostgreSQL throughput figures. The benchmark process and every worker
 * process define them with this module, so they register the same workflows (same task ids, so
 * the same version hashes), which is what lets a worker claim tasks of runs the client started.
 */
import { type Context, resetRegistry, task, type TaskFunction, type Workflow, workflow } from "@cloacina/engine";

/** Tasks drained in each throughput figure. */
export const JOBS = 20_000;

/** "wide": one run of JOBS independent tasks. "single": one task, started JOBS times. */
export type Shape = "wide" | "single";

export function isShape(value: unknown): value is Shape {
  return value === "wide" || value === "single";
}

/** A task that does nothing, so the time measured is the engine's and the database's. */
const noop: TaskFunction<Context, Context> = async () => ({});

/**
 * Registers only the workflow of `shape`, on an empty registry: claims filter by every
 * registered version, and declaring the 20,000-task workflow costs over a second (see the
 * report's notes), which worker processes need not pay for the one-task figure.
 */
export function defineWorkflow(shape: Shape): Workflow {
  resetRegistry();
  if (shape === "single") {
    return workflow({ name: "pgbench.single", tasks: [task({ id: "pgbench.single.only" }, noop)] });
  }
  return workflow({
    name: "pgbench.wide",
    // No dependsOn: the 20,000 tasks are independent, all Ready as soon as the run is stored.
    tasks: Array.from({ length: JOBS }, (_, i) => task({ id: `pgbench.wide.t${i}` }, noop)),
  });
}
