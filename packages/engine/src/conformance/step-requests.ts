/**
 * Hand-built step requests for tests that drive a store's plans directly (the round-trip and
 * statement budgets of each backend): small runs, the executor's usual request, an outcome.
 */
import type { StoreDriver } from "../store/driver.js";
import type { Plan } from "../store/plan.js";
import type { NewRun, StepRequest, StepResult } from "../store/records.js";
import type { Store } from "../store/store.js";

export const VERSION = "v".repeat(64);
export const NOW = 1_700_000_000_000;

/** A run a → b → c. */
export function chain(runId: string): NewRun {
  return {
    runId,
    workflowName: "chain",
    workflowVersion: VERSION,
    input: "{}",
    tasks: ["a", "b", "c"].map((taskId, position) => ({
      taskId,
      position,
      pendingDependencies: position === 0 ? 0 : 1,
      maxAttempts: 1,
    })),
  };
}

/** A run a → {b1 … bN} → join. */
export function fanOut(runId: string, width: number): NewRun {
  const middle = Array.from({ length: width }, (_, i) => `b${i + 1}`);
  return {
    runId,
    workflowName: "fan-out",
    workflowVersion: VERSION,
    input: "{}",
    tasks: [
      { taskId: "a", position: 0, pendingDependencies: 0, maxAttempts: 1 },
      ...middle.map((taskId, i) => ({ taskId, position: i + 1, pendingDependencies: 1, maxAttempts: 1 })),
      { taskId: "join", position: width + 1, pendingDependencies: width, maxAttempts: 1 },
    ],
  };
}

/** As the executor asks: claim up to its free slots (10 here), no look-ahead. */
export function request(partial: Partial<Omit<StepRequest, "claim">> & { limit?: number }): StepRequest {
  const { limit = 10, ...rest } = partial;
  return {
    owner: "owner-1",
    now: NOW,
    newRuns: [],
    outcomes: [],
    cancelRuns: [],
    ...rest,
    claim: { limit, leaseMs: 10_000, workflowVersions: [VERSION] },
  };
}

export const completed = (runId: string, taskId: string, children: string[]) => ({
  kind: "completed" as const,
  runId,
  taskId,
  attempt: 1,
  output: "{}",
  children,
});

/** Runs chain `runId` (see `chain`) up to its last task, claimed: the steps before the one a budget measures. */
export async function chainUpToLastTask(store: Store, runId: string): Promise<void> {
  await store.step(request({ newRuns: [chain(runId)] }));
  await store.step(request({ outcomes: [completed(runId, "a", ["b"])] }));
  await store.step(request({ outcomes: [completed(runId, "b", ["c"])] }));
}

export const claimed = (result: StepResult) => result.claimed.map((c) => `${c.runId}/${c.taskId}`);

/**
 * Makes `driver` report each plan operation it is about to perform (to label what a test counts);
 * every operation still runs on the driver, unchanged.
 */
export function observePlans(driver: StoreDriver, onOperation: (op: string) => void): void {
  const transact = driver.transact.bind(driver);
  (driver as { transact: StoreDriver["transact"] }).transact = <T>(plan: Plan<T>) =>
    transact(
      (function* (): Plan<T> {
        let next = plan.next();
        while (!next.done) {
          const step = next.value;
          for (const o of "batch" in step ? step.batch : [step]) onOperation(o.op);
          next = plan.next(yield next.value);
        }
        return next.value;
      })(),
    );
}
