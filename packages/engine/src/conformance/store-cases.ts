import { expect } from "vitest";
import { childWaitState } from "../map/specs.js";
import { encode } from "../marshal/marshal.js";
import type { NewRun, StepRequest } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { CaseFn } from "./index.js";
import { claimed, completed, NOW, VERSION } from "./step-requests.js";

/** A run a → {b, c} → d, straight into the store. */
function diamond(runId: string): NewRun {
  return {
    runId,
    workflowName: "diamond",
    workflowVersion: VERSION,
    input: encode({ start: 1 }, "input"),
    tasks: [
      { taskId: "a", position: 0, pendingDependencies: 0, maxAttempts: 1 },
      { taskId: "b", position: 1, pendingDependencies: 1, maxAttempts: 1 },
      { taskId: "c", position: 2, pendingDependencies: 1, maxAttempts: 1 },
      { taskId: "d", position: 3, pendingDependencies: 2, maxAttempts: 1 },
    ],
  };
}

function request(
  partial: Omit<Partial<StepRequest>, "claim"> & { claim?: Partial<StepRequest["claim"]> },
): StepRequest {
  return {
    owner: "owner-1",
    now: NOW,
    newRuns: [],
    outcomes: [],
    cancelRuns: [],
    ...partial,
    claim: { limit: 0, leaseMs: 10_000, workflowVersions: [VERSION], ...partial.claim },
  };
}

const out = (value: Record<string, unknown>) => encode(value, "output");

async function statuses(store: Store, runId: string): Promise<Record<string, string>> {
  return Object.fromEntries((await store.runs.getTasks(runId)).map((t) => [t.taskId, t.status]));
}

export function storeCases(it: CaseFn): void {
  it("a task that starts waiting in a run cancelled or timed out meanwhile is cancelled, and its run settles", async (session) => {
    const store = await session.store();
    const one = (runId: string, deadline?: number): NewRun => ({
      runId,
      workflowName: "one",
      workflowVersion: VERSION,
      input: encode({}, "input"),
      tasks: [{ taskId: "a", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
      ...(deadline === undefined ? {} : { deadline }),
    });
    const started = await store.step(
      request({ newRuns: [one("cancelled"), one("late", NOW + 1000)], claim: { limit: 10 } }),
    );
    expect(started.claimed.map((c) => c.runId).sort()).toEqual(["cancelled", "late"]);
    // Another process cancels one run, and the other's deadline passes, while both tasks run.
    await store.step(request({ cancelRuns: ["cancelled"] }));
    await store.step(request({ now: NOW + 2000, claim: { limit: 0, findNextAvailable: true } }));
    expect((await store.runs.getRun("late"))?.status).toBe("Failed");
    // Then both attempts ask to wait (a sleep, a call again).
    const wait = (runId: string) => ({
      kind: "wait" as const,
      runId,
      taskId: "a",
      attempt: 1,
      wait: { kind: "sleep" as const, wakeAt: NOW + 3000, state: null },
    });
    await store.step(request({ now: NOW + 2000, outcomes: [wait("cancelled"), wait("late")] }));
    expect(await statuses(store, "cancelled")).toEqual({ a: "Cancelled" });
    expect(await statuses(store, "late")).toEqual({ a: "Cancelled" });
    expect((await store.runs.getRun("cancelled"))?.status).toBe("Cancelled");
    // Nothing wakes later to be claimed.
    const later = await store.step(request({ now: NOW + 10_000, claim: { limit: 10, findNextAvailable: true } }));
    expect(later.claimed).toEqual([]);
  });

  it("migrates idempotently", async (session) => {
    const store = await session.store();
    await store.migrate();
    await store.migrate();
    expect(await store.runs.unfinishedRuns()).toEqual([]);
  });

  it("creates a run with all its tasks in one step and claims only ready roots, up to the limit", async (session) => {
    const store = await session.store();
    const first = await store.step(request({ newRuns: [diamond("r1"), diamond("r2")], claim: { limit: 1 } }));
    expect(first.claimed).toEqual([
      {
        runId: "r1",
        taskId: "a",
        workflowVersion: VERSION,
        attempt: 1,
        maxAttempts: 1,
        recoveries: 0,
        failedDependencies: 0,
        skippedDependencies: 0,
        woken: null,
        firstStartedAt: NOW,
        instance: null,
      },
    ]);
    expect(await statuses(store, "r1")).toEqual({ a: "Running", b: "Pending", c: "Pending", d: "Pending" });
    expect((await store.runs.getRun("r1"))?.status).toBe("Running");
    const second = await store.step(request({ claim: { limit: 10 } }));
    expect(second.claimed.map((c) => `${c.runId}/${c.taskId}`)).toEqual(["r2/a"]);
    const none = await store.step(request({ claim: { limit: 10, workflowVersions: ["other"] } }));
    expect(none.claimed).toEqual([]);
  });

  it("makes a child ready exactly once when its parents complete, in one step or in two", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1"), diamond("r2")], claim: { limit: 2 } }));
    await store.step(
      request({
        outcomes: ["r1", "r2"].map((runId) => ({
          kind: "completed",
          runId,
          taskId: "a",
          attempt: 1,
          output: out({ a: 1 }),
          children: ["b", "c"],
        })),
        claim: { limit: 4 },
      }),
    );
    // Both parents of d complete in the same step for r1, in separate steps from two connections for r2.
    const other = await session.store();
    const both = await store.step(
      request({
        outcomes: ["b", "c"].map((taskId) => ({
          kind: "completed",
          runId: "r1",
          taskId,
          attempt: 1,
          output: out({ [taskId]: 1 }),
          children: ["d"],
        })),
        claim: { limit: 10 },
      }),
    );
    expect(both.claimed.map((c) => `${c.runId}/${c.taskId}`)).toEqual(["r1/d"]);
    const one = await store.step(
      request({
        outcomes: [{ kind: "completed", runId: "r2", taskId: "b", attempt: 1, output: out({}), children: ["d"] }],
      }),
    );
    expect(one.claimed).toEqual([]);
    expect((await store.runs.getTasks("r2")).find((t) => t.taskId === "d")?.status).toBe("Pending");
    const two = await other.step(
      request({
        outcomes: [{ kind: "completed", runId: "r2", taskId: "c", attempt: 1, output: out({}), children: ["d"] }],
        claim: { limit: 10 },
      }),
    );
    expect(two.claimed.map((c) => `${c.runId}/${c.taskId}`)).toEqual(["r2/d"]);
    const done = await store.step(
      request({
        outcomes: [{ kind: "completed", runId: "r1", taskId: "d", attempt: 1, output: out({ d: 1 }), children: [] }],
      }),
    );
    expect(done.finishedRuns).toEqual([{ runId: "r1", status: "Completed" }]);
    const run = await store.runs.getRun("r1");
    expect(run).toMatchObject({ status: "Completed", workflowName: "diamond" });
    expect(run?.finishedAt).toBe(NOW);
    const states = await store.runs.loadRunStates(["r1"]);
    expect([...states.get("r1")!.outputs.keys()].sort()).toEqual(["a", "b", "c", "d"]);
  });

  it("ignores an outcome whose claim is no longer held (fencing)", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1")], claim: { limit: 1 } }));
    const wrongOwner = await store.step(
      request({
        owner: "intruder",
        outcomes: [{ kind: "completed", runId: "r1", taskId: "a", attempt: 1, output: out({}), children: ["b", "c"] }],
      }),
    );
    const wrongAttempt = await store.step(
      request({
        outcomes: [{ kind: "completed", runId: "r1", taskId: "a", attempt: 2, output: out({}), children: ["b", "c"] }],
      }),
    );
    expect(wrongOwner.staleOutcomes).toBe(1);
    expect(wrongAttempt.staleOutcomes).toBe(1);
    expect(await statuses(store, "r1")).toEqual({ a: "Running", b: "Pending", c: "Pending", d: "Pending" });
  });

  it("releases dependents of failed and skipped tasks with counts for their trigger rules; the run fails", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1")], claim: { limit: 1 } }));
    const boom = { name: "Error", message: "boom" };
    const afterFailure = await store.step(
      request({
        outcomes: [{ kind: "failed", runId: "r1", taskId: "a", attempt: 1, error: boom, children: ["b", "c"] }],
        claim: { limit: 5 },
      }),
    );
    expect(afterFailure.claimed.map((c) => [c.taskId, c.failedDependencies, c.skippedDependencies])).toEqual([
      ["b", 1, 0],
      ["c", 1, 0],
    ]);
    const afterSkips = await store.step(
      request({
        outcomes: ["b", "c"].map((taskId) => ({ kind: "skipped", runId: "r1", taskId, attempt: 1, children: ["d"] })),
        claim: { limit: 5 },
      }),
    );
    expect(afterSkips.claimed.map((c) => [c.taskId, c.failedDependencies, c.skippedDependencies])).toEqual([
      ["d", 0, 2],
    ]);
    const done = await store.step(
      request({ outcomes: [{ kind: "skipped", runId: "r1", taskId: "d", attempt: 1, children: [] }] }),
    );
    expect(done.finishedRuns).toEqual([{ runId: "r1", status: "Failed" }]);
    expect(await statuses(store, "r1")).toEqual({ a: "Failed", b: "Skipped", c: "Skipped", d: "Skipped" });
    expect((await store.runs.getTasks("r1"))[0]!.error).toEqual(boom);
    expect(await store.runs.getAttempts("r1")).toMatchObject([{ taskId: "a", attempt: 1, status: "Failed" }]);
  });

  it("schedules a retry: the task is Ready again from its available time, and says when", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1")], claim: { limit: 1 } }));
    const retry = await store.step(
      request({
        outcomes: [
          {
            kind: "retry",
            runId: "r1",
            taskId: "a",
            attempt: 1,
            error: { name: "Error", message: "again" },
            availableAt: NOW + 5000,
          },
        ],
        claim: { limit: 5 },
      }),
    );
    expect(retry.claimed).toEqual([]);
    expect(retry.nextAvailableAt).toBe(NOW + 5000);
    const due = await store.step(request({ now: NOW + 5000, claim: { limit: 5 } }));
    expect(due.claimed).toMatchObject([{ taskId: "a", attempt: 2 }]);
  });

  it("cancels waiting tasks at once and finishes the run when its running tasks report", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1")], claim: { limit: 1 } }));
    const cancel = await store.step(request({ cancelRuns: ["r1"], claim: { limit: 5 } }));
    expect(cancel.finishedRuns).toEqual([]);
    expect(cancel.claimed).toEqual([]);
    expect(await statuses(store, "r1")).toEqual({ a: "Running", b: "Cancelled", c: "Cancelled", d: "Cancelled" });
    expect((await store.runs.getRun("r1"))?.cancelRequested).toBe(true);
    const report = await store.step(
      request({
        outcomes: [
          {
            kind: "cancelled",
            runId: "r1",
            taskId: "a",
            attempt: 1,
            error: { name: "TaskCancelledError", message: "x" },
          },
        ],
      }),
    );
    expect(report.finishedRuns).toEqual([{ runId: "r1", status: "Cancelled" }]);
  });

  it("renews leases, and recovers tasks whose lease expired or whose owner died", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1"), diamond("r2")], claim: { limit: 1, leaseMs: 1000 } }));
    await store.step(request({ owner: "owner-2", claim: { limit: 1, leaseMs: 1000 } }));
    expect((await store.runs.leaseOwners()).sort()).toEqual(["owner-1", "owner-2"]);
    await store.renewLeases("owner-1", NOW + 60_000);
    expect(await store.recoverLeases(NOW + 2000, [])).toEqual({ recovered: 1, finishedRuns: [], woke: 0 }); // owner-2's lease ran out
    expect(await statuses(store, "r2")).toMatchObject({ a: "Ready" });
    expect(await store.recoverLeases(NOW + 2000, ["owner-1"])).toEqual({ recovered: 1, finishedRuns: [], woke: 0 });
    const reclaimed = await store.step(request({ now: NOW + 2000, claim: { limit: 5 } }));
    expect(reclaimed.claimed.map((c) => [c.runId, c.attempt, c.recoveries]).sort()).toEqual([
      ["r1", 2, 1],
      ["r2", 2, 1],
    ]);
  });

  it("rolls back a whole step when any part of it fails", async (session) => {
    const store = await session.store();
    await store.step(request({ newRuns: [diamond("r1")] }));
    // r1 already exists: the duplicate insert fails, and r2 in the same step must not be stored.
    await expect(store.step(request({ newRuns: [diamond("r2"), diamond("r1")] }))).rejects.toThrow();
    expect(await store.runs.getRun("r2")).toBeUndefined();
  });

  it("a mapped task expands only while held, its instances past maxParallel wait in lanes, and the last one makes it Ready", async (session) => {
    const store = await session.store();
    const one: NewRun = {
      runId: "m1",
      workflowName: "map",
      workflowVersion: VERSION,
      input: "{}",
      tasks: [{ taskId: "map", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
    };
    const started = await store.step(request({ newRuns: [one], claim: { limit: 1 } }));
    expect(claimed(started)).toEqual(["m1/map"]);
    const expand = (attempt: number) => ({
      kind: "expand" as const,
      runId: "m1",
      taskId: "map",
      attempt,
      elements: ["e0", "e1", "e2"],
      lanes: 2,
      maxAttempts: 3,
    });
    // A stale attempt (not the one held) expands nothing.
    const stale = await store.step(request({ outcomes: [expand(2)], claim: { limit: 0 } }));
    expect(stale.staleOutcomes).toBe(1);
    expect(await statuses(store, "m1")).toEqual({ map: "Running" });
    const expanded = await store.step(request({ outcomes: [expand(1)], claim: { limit: 10 } }));
    expect(await statuses(store, "m1")).toMatchObject({ map: "Waiting", "map[2]": "Pending" });
    expect(claimed(expanded).sort()).toEqual(["m1/map[0]", "m1/map[1]"]);
    expect(expanded.claimed.map((c) => [c.instance, c.maxAttempts])).toEqual([
      [{ of: "map", index: 0, element: "e0" }, 3],
      [{ of: "map", index: 1, element: "e1" }, 3],
    ]);
    const instance = (index: number, status: "completed" | "failed") =>
      status === "completed"
        ? { ...completed("m1", `map[${index}]`, ["map", `map[${index + 2}]`]) }
        : {
            kind: "failed" as const,
            runId: "m1",
            taskId: `map[${index}]`,
            attempt: 1,
            error: { name: "Error", message: "no" },
            children: ["map", `map[${index + 2}]`],
          };
    // Instance 0 ends: its lane's next instance (2) becomes Ready.
    const laneMoved = await store.step(request({ outcomes: [instance(0, "completed")], claim: { limit: 10 } }));
    expect(claimed(laneMoved)).toEqual(["m1/map[2]"]);
    const waitingStill = await store.step(request({ outcomes: [instance(1, "failed")], claim: { limit: 10 } }));
    expect(waitingStill.claimed).toEqual([]);
    expect((await store.runs.getRun("m1"))?.status).toBe("Running"); // an instance's failure is not the run's
    // The last instance makes the mapped task Ready to collect (woken from its map).
    const collecting = await store.step(request({ outcomes: [instance(2, "completed")], claim: { limit: 10 } }));
    expect(collecting.claimed.map((c) => [c.taskId, c.woken?.kind, c.failedDependencies])).toEqual([["map", "map", 1]]);
    expect((await store.runs.getInstances("m1", "map")).map((i) => [i.index, i.status])).toEqual([
      [0, "Completed"],
      [1, "Failed"],
      [2, "Completed"],
    ]);
    const done = await store.step(
      request({ outcomes: [{ ...completed("m1", "map", []), attempt: collecting.claimed[0]!.attempt }] }),
    );
    expect(done.finishedRuns).toEqual([{ runId: "m1", status: "Completed" }]);
  });

  it("a child run is created only for a held wait, and its end makes the waiting task Ready", async (session) => {
    const store = await session.store();
    const single = (runId: string, parent?: { runId: string; taskId: string }): NewRun => ({
      runId,
      workflowName: "one",
      workflowVersion: VERSION,
      input: "{}",
      tasks: [{ taskId: "a", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
      ...(parent ? { parent, idempotencyKey: `child:${parent.runId}:${parent.taskId}` } : {}),
    });
    await store.step(request({ newRuns: [single("p1")], claim: { limit: 1 } }));
    const startChild = (attempt: number, childId: string) => ({
      kind: "startChild" as const,
      runId: "p1",
      taskId: "a",
      attempt,
      child: single(childId, { runId: "p1", taskId: "a" }),
    });
    await store.step(request({ outcomes: [startChild(2, "stale-child")], claim: { limit: 0 } }));
    expect(await store.runs.getRun("stale-child")).toBeUndefined();
    const started = await store.step(request({ outcomes: [startChild(1, "c1")], claim: { limit: 1 } }));
    expect(claimed(started)).toEqual(["c1/a"]);
    expect((await store.runs.getRun("c1"))?.parent).toEqual({ runId: "p1", taskId: "a" });
    expect((await store.runs.getTasks("p1"))[0]).toMatchObject({ status: "Waiting", childRunId: "c1" });
    const ended = await store.step(request({ outcomes: [completed("c1", "a", [])], claim: { limit: 1 } }));
    expect(ended.finishedRuns).toEqual([{ runId: "c1", status: "Completed" }]);
    expect(ended.lateReady).toBe(1);
    const woken = await store.step(request({ claim: { limit: 1 } }));
    expect(
      woken.claimed.map((c) => [c.runId, c.taskId, c.woken?.kind, childWaitState(c.woken?.state ?? null)]),
    ).toEqual([["p1", "a", "child", { run: "c1", attempt: 1 }]]);
  });
}
