import { expect } from "vitest";
import type { RunResult } from "../executor/result.js";
import { defineWorkflow } from "./harness.js";
import type { CaseFn } from "./index.js";

const statusOf = (result: RunResult, short: (id: string) => string) =>
  Object.fromEntries(result.tasks.map((t) => [short(t.id), t.status]));

export function controlFlowCases(it: CaseFn): void {
  it("trigger rules: allDone cleans up after a failure, anyFailed alerts, skipping propagates", async (session) => {
    const ran: string[] = [];
    const mark = (name: string) => () => (ran.push(name), { [name]: true });
    const { wf, short } = defineWorkflow({
      load: { run: mark("load") },
      broken: {
        dependsOn: ["load"],
        run: () => {
          throw new Error("no");
        },
      },
      report: { dependsOn: ["broken"], run: mark("report") }, // allSucceeded: Skipped
      publish: { dependsOn: ["report"], run: mark("publish") }, // its dependency was skipped: Skipped
      cleanup: { dependsOn: ["broken", "report"], trigger: "allDone", run: mark("cleanup") },
      alert: { dependsOn: ["broken", "load"], trigger: "anyFailed", run: mark("alert") },
      noAlert: { dependsOn: ["load"], trigger: "anyFailed", run: mark("noAlert") },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Failed");
    expect(statusOf(result, short)).toEqual({
      load: "Completed",
      broken: "Failed",
      report: "Skipped",
      publish: "Skipped",
      cleanup: "Completed",
      alert: "Completed",
      noAlert: "Skipped",
    });
    expect(ran.sort()).toEqual(["alert", "cleanup", "load"]);
    expect(result.finalContext).toEqual({ load: true, cleanup: true, alert: true });
  });

  it("conditions on context values decide whether a task runs; a false one skips it, and the run still completes", async (session) => {
    const { wf, short } = defineWorkflow({
      order: { run: () => ({ order: { total: 120, country: "NL", tags: ["vip"] }, coupon: null }) },
      bigOrder: {
        dependsOn: ["order"],
        trigger: { path: "order.total", greaterThan: 100 },
        run: () => ({ big: true }),
      },
      smallOrder: {
        dependsOn: ["order"],
        trigger: { path: "order.total", lessThan: 100 },
        run: () => ({ small: true }),
      },
      dutch: { dependsOn: ["order"], trigger: { path: "order.country", equals: "NL" }, run: () => ({ dutch: true }) },
      vip: { dependsOn: ["order"], trigger: { path: "order.tags", equals: ["vip"] }, run: () => ({ vip: true }) },
      noCoupon: {
        dependsOn: ["order"],
        trigger: { path: "coupon.code", exists: false },
        run: () => ({ noCoupon: true }),
      },
      combined: {
        dependsOn: ["order"],
        trigger: { all: [{ path: "order.total", greaterThan: 100 }, { not: { path: "order.country", equals: "DE" } }] },
        run: () => ({ combined: true }),
      },
      either: {
        dependsOn: ["order"],
        trigger: {
          any: [
            { path: "order.total", lessThan: 10 },
            { path: "missing", exists: true },
          ],
        },
        run: () => ({ either: true }),
      },
      afterSmall: { dependsOn: ["smallOrder"], run: () => ({ afterSmall: true }) },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Completed");
    expect(statusOf(result, short)).toEqual({
      order: "Completed",
      bigOrder: "Completed",
      combined: "Completed",
      dutch: "Completed",
      either: "Skipped",
      noCoupon: "Completed",
      smallOrder: "Skipped",
      vip: "Completed",
      afterSmall: "Skipped",
    });
    expect(result.finalContext).toMatchObject({ big: true, combined: true, dutch: true, noCoupon: true, vip: true });
    expect(result.finalContext).not.toHaveProperty("small");
  });
}
