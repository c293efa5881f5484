import { expect } from "vitest";
import { defineWorkflow, gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

export function operationsCases(it: CaseFn): void {
  it("retry() runs a failed run again from its failed tasks; completed tasks are kept", async (session) => {
    const calls = { a: 0, b: 0, c: 0 };
    let broken = true;
    const { wf, short } = defineWorkflow({
      a: { run: () => (calls.a++, { a: 1 }) },
      b: {
        dependsOn: ["a"],
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 },
        run: (ctx) => {
          calls.b++;
          if (broken) throw new Error("downstream is down");
          return { b: (ctx.a as number) + 1 };
        },
      },
      c: { dependsOn: ["b"], run: (ctx) => (calls.c++, { c: (ctx.b as number) * 10 }) },
    });
    const executor = await session.executor();
    const failed = await executor.execute(wf, { input: true });
    expect(failed.status).toBe("Failed");
    expect(calls).toEqual({ a: 1, b: 2, c: 0 });
    await expect(executor.retry("no-such-run")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });

    // Cancelling a run that already finished changes nothing, and does not poison its retry.
    await (await executor.get(failed.executionId)).cancel();
    broken = false;
    const handle = await executor.retry(failed.executionId);
    expect(handle.executionId).toBe(failed.executionId);
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ input: true, a: 1, b: 2, c: 20 });
    expect(calls).toEqual({ a: 1, b: 3, c: 1 });
    expect(result.tasks.map((t) => [short(t.id), t.status, t.attempts])).toEqual([
      ["a", "Completed", 1],
      ["b", "Completed", 3],
      ["c", "Completed", 1],
    ]);
    await expect(executor.retry(failed.executionId)).rejects.toMatchObject({ code: "RUN_NOT_RETRYABLE" });
  });

  it("listRuns() filters by status, workflow and time, newest first, with keyset pagination", async (session) => {
    const { wf: good } = defineWorkflow({ ok: {} });
    const { wf: bad } = defineWorkflow({
      no: {
        run: () => {
          throw new Error("no");
        },
      },
    });
    const executor = await session.executor();
    const before = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await executor.execute(good, { i })).executionId);
    for (let i = 0; i < 2; i++) ids.push((await executor.execute(bad, { i })).executionId);

    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await executor.listRuns({ limit: 3, ...(cursor ? { cursor } : {}) });
      pages.push(page.runs.map((r) => r.runId));
      cursor = page.next;
    } while (cursor !== undefined);
    const listed = pages.flat();
    expect(new Set(listed)).toEqual(new Set(ids));
    expect(listed).toHaveLength(ids.length);
    expect(pages.length).toBe(3);

    const all = (await executor.listRuns({ limit: 100 })).runs;
    const times = all.map((r) => r.createdAt);
    expect(times).toEqual([...times].sort((x, y) => y - x));
    expect((await executor.listRuns({ status: "Failed" })).runs.map((r) => r.workflowName)).toEqual([
      bad.name,
      bad.name,
    ]);
    expect((await executor.listRuns({ workflow: good.name, status: "Completed" })).runs).toHaveLength(5);
    expect((await executor.listRuns({ from: new Date(before - 60_000), to: before - 1 })).runs).toEqual([]);
    expect((await executor.listRuns({ from: before })).runs).toHaveLength(7);
    await expect(executor.listRuns({ status: "Done" as never })).rejects.toMatchObject({
      code: "INVALID_LIST_OPTIONS",
    });
    await expect(executor.listRuns({ cursor: "garbage" })).rejects.toMatchObject({ code: "INVALID_LIST_OPTIONS" });
  });

  it("metrics() reports runs by status, queue depth, attempt outcomes and durations", async (session) => {
    let flaky = 0;
    const { wf, id } = defineWorkflow({
      slow: { run: async () => (await new Promise((r) => setTimeout(r, 30)), { slow: true }) },
      flaky: {
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 },
        run: () => (flaky++ === 0 ? Promise.reject(new Error("once")) : {}),
      },
      skipped: { dependsOn: ["slow"], trigger: { path: "never", exists: true } },
    });
    const { wf: failing } = defineWorkflow({ no: { run: () => Promise.reject(new Error("no")) } });
    const executor = await session.executor();
    await executor.execute(wf, {});
    await executor.execute(failing, {});
    const metrics = await executor.metrics();
    expect(metrics.runs).toMatchObject({ Completed: 1, Failed: 1, Running: 0 });
    expect(metrics.tasks).toEqual({ ready: 0, running: 0, waiting: 0 });
    expect(metrics.attempts).toEqual({
      completed: 2,
      failed: 1,
      retry: 1,
      skipped: 1,
      cancelled: 0,
      wait: 0,
      expand: 0,
      startChild: 0,
      active: 0,
    });
    const slow = metrics.durations.byTask[id("slow")]!;
    expect(slow.count).toBe(1);
    expect(slow.p50).toBeGreaterThanOrEqual(25); // it slept 30 ms
    expect(metrics.durations.all.count).toBe(4); // slow, flaky twice, no (skips do not run)
    expect(metrics.durations.all.max).toBeGreaterThanOrEqual(metrics.durations.all.p95);

    // Only the narrow executor may claim the queued tasks: the first one would take them too.
    await executor.close();
    const hold = gate();
    let started = 0;
    const wait = async () => (started++, await hold.promise, {});
    const { wf: queue } = defineWorkflow({ q1: { run: wait }, q2: { run: wait }, q3: { run: wait } });
    const narrow = await session.executor({ concurrency: 1 });
    const handle = await narrow.start(queue, {});
    await until(() => started === 1, "one task started");
    expect((await narrow.metrics()).tasks).toEqual({ ready: 2, running: 1, waiting: 0 });
    hold.open();
    await handle.result();
  });

  it("a task still running when its run is failed as a whole does not retry inside the failed run", async (session) => {
    const release = gate();
    let calls = 0;
    const { wf, id } = defineWorkflow({
      flaky: {
        retry: { maxAttempts: 3, backoff: "fixed", delayMs: 1 },
        run: async () => {
          calls++;
          await release.promise;
          throw new Error("would be retried");
        },
      },
    });
    const executor = await session.executor();
    const handle = await executor.start(wf, {});
    await until(() => calls === 1, "the task is running");
    // Another process fails the run as a whole (as an executor does on a version mismatch).
    const other = await session.store();
    await other.failRuns(
      [{ runId: handle.executionId, error: { name: "Error", message: "failed as a whole" } }],
      Date.now(),
    );
    release.open();
    await until(async () => {
      const tasks = await other.runs.getTasks(handle.executionId);
      return tasks[0]?.status === "Cancelled";
    }, "the task's retry was cancelled instead");
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toBe(1);
    const run = await other.runs.getRun(handle.executionId);
    expect(run?.status).toBe("Failed");
    expect((await other.runs.getTasks(handle.executionId)).map((t) => [t.taskId, t.status])).toEqual([
      [id("flaky"), "Cancelled"],
    ]);
  });
}
