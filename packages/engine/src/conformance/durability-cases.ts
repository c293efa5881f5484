import { expect } from "vitest";
import { defineWorkflow, gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

/** A clock far enough ahead that every lease taken with the real clock has expired. */
const later = (ms: number) => () => Date.now() + ms;

export function durabilityCases(it: CaseFn): void {
  it("resumes a run whose executor vanished, without re-running completed tasks", async (session) => {
    const calls = { first: 0, second: 0, third: 0 };
    const stuck = gate();
    let crashed = true;
    const { wf } = defineWorkflow({
      first: { run: () => (calls.first++, { when: new Date(5), n: 1n }) },
      second: {
        dependsOn: ["first"],
        run: async (ctx) => {
          calls.second++;
          if (crashed) await stuck.promise; // the "crashed" executor never gets past here
          return { doubled: (ctx.n as bigint) * 2n };
        },
      },
      third: { dependsOn: ["second"], run: (ctx) => (calls.third++, { sawDate: ctx.when instanceof Date }) },
    });
    const a = await session.executor({ leaseMs: 1000 });
    const started = await a.start(wf, { input: "x" });
    await until(() => calls.second === 1, "the second task is running on the first executor");

    // A second executor on another connection, with its clock past the first one's leases.
    crashed = false;
    const b = await session.executor({ now: later(60_000) });
    const result = await (await b.get(started.executionId)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ input: "x", when: new Date(5), n: 1n, doubled: 2n, sawDate: true });
    expect(calls).toEqual({ first: 1, second: 2, third: 1 });
    const second = result.tasks[1]!;
    expect(second.attempts).toBe(2);

    // The first executor's late answer is fenced off: it changes nothing.
    stuck.open();
    const store = await session.store();
    await until(async () => (await store.runs.getTasks(started.executionId))[1]!.status === "Completed", "settled");
    await a.close();
    expect((await (await b.get(started.executionId)).result()).finalContext).toEqual(result.finalContext);
  });

  it("keeps retry delays in the database: a new executor honours them after a restart", async (session) => {
    let calls = 0;
    const { wf } = defineWorkflow({
      flaky: {
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 30_000 },
        run: () => {
          calls++;
          if (calls === 1) throw new Error("first attempt fails");
          return { ok: true };
        },
      },
    });
    const a = await session.executor();
    const handle = await a.start(wf, {});
    const store = await session.store();
    await until(
      async () => (await store.runs.getTasks(handle.executionId))[0]!.attempt === 1 && calls === 1,
      "first attempt done",
    );
    await until(async () => (await store.runs.getTasks(handle.executionId))[0]!.status === "Ready", "retry scheduled");
    await a.close();
    expect((await store.runs.getRun(handle.executionId))?.status).toBe("Running");

    const b = await session.executor({ now: later(31_000) });
    const result = await (await b.get(handle.executionId)).result();
    expect(result.status).toBe("Completed");
    expect(result.tasks[0]!.attempts).toBe(2);
    expect(calls).toBe(2);
  });

  it("fails a task that was interrupted more times than the recovery budget allows", async (session) => {
    const stuck = gate();
    let calls = 0;
    const { wf } = defineWorkflow({
      killer: { run: async () => (calls++, await stuck.promise, {}) },
    });
    const a = await session.executor({ leaseMs: 1000 });
    const handle = await a.start(wf, {});
    await until(() => calls === 1, "task running");
    const b = await session.executor({ now: later(60_000), recoveryBudget: 0 });
    const result = await (await b.get(handle.executionId)).result();
    expect(result.status).toBe("Failed");
    expect(result.tasks[0]!.error).toMatchObject({ code: "TASK_RECOVERY_EXHAUSTED" });
    expect(calls).toBe(1);
    stuck.open();
  });

  it("close() waits for running attempts and records their outcome", async (session) => {
    const release = gate();
    let started = false;
    const { wf } = defineWorkflow({
      slow: { run: async () => ((started = true), await release.promise, { done: true }) },
    });
    const executor = await session.executor();
    const handle = await executor.start(wf, {});
    await until(() => started, "started");
    const closing = executor.close();
    release.open();
    await closing;
    const store = await session.store();
    expect((await store.runs.getRun(handle.executionId))?.status).toBe("Completed");
    await expect(executor.start(wf, {})).rejects.toMatchObject({ code: "EXECUTOR_CLOSED" });
  });

  it("leaves runs of workflows this process does not know alone", async (session) => {
    const store = await session.store();
    await store.step({
      owner: "elsewhere",
      now: Date.now(),
      newRuns: [
        {
          runId: "foreign-run",
          workflowName: "not-registered-here",
          workflowVersion: "0".repeat(64),
          input: "v1:[{}]",
          tasks: [{ taskId: "x", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
        },
      ],
      outcomes: [],
      cancelRuns: [],
      claim: { limit: 0, leaseMs: 1000, workflowVersions: [] },
    });
    const executor = await session.executor();
    const { wf } = defineWorkflow({ mine: { run: () => ({ ok: 1 }) } });
    expect((await executor.execute(wf, {})).status).toBe("Completed");
    expect((await store.runs.getTasks("foreign-run"))[0]!.status).toBe("Ready");
    expect(await store.runs.unfinishedRuns()).toMatchObject([
      { runId: "foreign-run", workflowName: "not-registered-here" },
    ]);
  });

  it("fails, clearly, an unfinished run whose workflow changed shape since it started (or leaves it, if asked)", async (session) => {
    const { wf } = defineWorkflow({ now: { run: () => ({ ok: 1 }) } });
    const store = await session.store();
    const oldRun = (runId: string) => ({
      runId,
      workflowName: wf.name, // registered here, but under another version
      workflowVersion: "f".repeat(64),
      input: "v1:[{}]",
      tasks: [{ taskId: "gone", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
    });
    const claim = { limit: 0, leaseMs: 1000, workflowVersions: [] };
    await store.step({ owner: "old", now: Date.now(), newRuns: [oldRun("left")], outcomes: [], cancelRuns: [], claim });
    await session.executor({ versionMismatch: "leave" });
    expect((await store.runs.getRun("left"))?.status).toBe("Running");

    await store.step({
      owner: "old",
      now: Date.now(),
      newRuns: [oldRun("failed")],
      outcomes: [],
      cancelRuns: [],
      claim,
    });
    const executor = await session.executor(); // versionMismatch: "fail" by default
    const result = await (await executor.get("failed")).result();
    expect(result.status).toBe("Failed");
    expect(result.error).toMatchObject({
      code: "WORKFLOW_VERSION_MISMATCH",
      message: expect.stringContaining(wf.name),
    });
    expect(result.tasks).toMatchObject([{ id: "gone", status: "Cancelled" }]);
    expect((await executor.execute(wf, {})).status).toBe("Completed"); // the current version runs
  });
}
