import { expect } from "vitest";
import { isCloacinaError } from "../errors.js";
import { defineWorkflow, gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

class UpstreamError extends Error {
  override name = "UpstreamError";
}

export function failureCases(it: CaseFn): void {
  it("fails the run when a task fails for good: dependents Skipped, independent branches finish", async (session) => {
    let independentRan = false;
    const { wf, short } = defineWorkflow({
      root: { run: () => ({ r: 1 }) },
      broken: {
        dependsOn: ["root"],
        run: () => {
          throw new Error("disk full", { cause: new UpstreamError("quota exceeded") });
        },
      },
      child: { dependsOn: ["broken"] },
      grandchild: { dependsOn: ["child"] },
      independent: {
        dependsOn: ["root"],
        run: () => {
          independentRan = true;
          return { i: 1 };
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Failed");
    expect(independentRan).toBe(true);
    const status = Object.fromEntries(result.tasks.map((t) => [short(t.id), t.status]));
    expect(status).toEqual({
      root: "Completed",
      broken: "Failed",
      child: "Skipped",
      grandchild: "Skipped",
      independent: "Completed",
    });
    const broken = result.tasks.find((t) => short(t.id) === "broken")!;
    expect(broken.error).toMatchObject({ name: "Error", message: "disk full" });
    expect(broken.error!.stack).toContain("disk full");
    expect(broken.error!.cause).toMatchObject({ name: "UpstreamError", message: "quota exceeded" });
    expect(isCloacinaError(result.error)).toBe(true);
    expect(result.error).toMatchObject({ code: "TASK_FAILED", message: expect.stringContaining("disk full") });
    expect(result.finalContext).toEqual({ r: 1, i: 1 });
  });

  it("retries a failing task up to maxAttempts and records every failed attempt", async (session) => {
    let calls = 0;
    const { wf, id } = defineWorkflow({
      flaky: {
        retry: { maxAttempts: 3, backoff: "fixed", delayMs: 1 },
        run: (_ctx, run) => {
          calls++;
          if (run.attempt < 3) throw new Error(`attempt ${run.attempt} failed`);
          return { ok: run.attempt };
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Completed");
    expect(calls).toBe(3);
    expect(result.tasks[0]).toMatchObject({ status: "Completed", attempts: 3 });
    expect(result.tasks[0]!.error).toBeUndefined();
    expect(result.finalContext).toEqual({ ok: 3 });
    const store = await session.store();
    const attempts = await store.runs.getAttempts(result.executionId);
    expect(attempts.map((a) => [a.taskId, a.attempt, a.status, a.error.message])).toEqual([
      [id("flaky"), 1, "Failed", "attempt 1 failed"],
      [id("flaky"), 2, "Failed", "attempt 2 failed"],
    ]);
  });

  it("retries only errors that match retry.when; others fail at once", async (session) => {
    let flakyCalls = 0;
    let buggyCalls = 0;
    const when = { errors: [UpstreamError], codes: ["ECONNRESET"] };
    const { wf, short } = defineWorkflow({
      flaky: {
        retry: { maxAttempts: 3, backoff: "fixed", delayMs: 1, when },
        run: () => {
          flakyCalls++;
          if (flakyCalls === 1) throw new UpstreamError("502");
          if (flakyCalls === 2) throw Object.assign(new Error("reset"), { code: "ECONNRESET" });
          return { ok: true };
        },
      },
      buggy: {
        retry: { maxAttempts: 3, backoff: "fixed", delayMs: 1, when },
        run: () => {
          buggyCalls++;
          throw new TypeError("undefined is not a function");
        },
      },
      careful: {
        retry: { maxAttempts: 3, backoff: "fixed", delayMs: 1, when: "never" },
        run: () => {
          throw new UpstreamError("no second chance");
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    const byName = Object.fromEntries(result.tasks.map((t) => [short(t.id), [t.status, t.attempts]]));
    expect(byName).toEqual({ buggy: ["Failed", 1], careful: ["Failed", 1], flaky: ["Completed", 3] });
    expect([flakyCalls, buggyCalls]).toEqual([3, 1]);
  });

  it("fails after the last attempt with the last error", async (session) => {
    const { wf } = defineWorkflow({
      hopeless: {
        retry: { maxAttempts: 2, backoff: "exponential", delayMs: 1 },
        run: (_ctx, run) => {
          throw new Error(`no luck ${run.attempt}`);
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Failed");
    expect(result.tasks[0]).toMatchObject({ status: "Failed", attempts: 2, error: { message: "no luck 2" } });
  });

  it("fails a task whose output cannot be stored, naming the key path", async (session) => {
    const { wf } = defineWorkflow({ bad: { run: () => ({ handler: () => 1 }) } });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Failed");
    expect(result.tasks[0]!.error).toMatchObject({
      code: "UNSERIALIZABLE_CONTEXT",
      message: expect.stringContaining("ctx.handler"),
    });
  });

  it("fails a task that returns something other than a plain object", async (session) => {
    const { wf } = defineWorkflow({ bad: { run: () => [1, 2] as never } });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.tasks[0]!.error).toMatchObject({ code: "INVALID_TASK_OUTPUT" });
  });

  it("times out an attempt: aborts its signal with a TaskTimeoutError, then retries apply", async (session) => {
    const reasons: unknown[] = [];
    const { wf } = defineWorkflow({
      sleepy: {
        timeout: 30,
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 },
        run: async (_ctx, run) => {
          if (run.attempt === 1) {
            // Ignores its signal: the engine must not wait for it.
            await new Promise<void>((resolve) => {
              run.signal.addEventListener("abort", () => {
                reasons.push(run.signal.reason);
                setTimeout(resolve, 200);
              });
            });
            return { late: true };
          }
          return { onTime: true };
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ onTime: true });
    expect(result.tasks[0]!.attempts).toBe(2);
    expect(reasons).toHaveLength(1);
    expect(reasons[0]).toMatchObject({ name: "TaskTimeoutError", code: "TASK_TIMEOUT" });
    const attempts = await (await session.store()).runs.getAttempts(result.executionId);
    expect(attempts[0]!.error).toMatchObject({ code: "TASK_TIMEOUT" });
  });

  it("cancels a run: running tasks see their signal abort, nothing else starts, the run ends Cancelled", async (session) => {
    let started = false;
    let reason: unknown;
    let afterStarted = false;
    const { wf, short } = defineWorkflow({
      waiting: {
        run: (_ctx, run) =>
          new Promise((_resolve, reject) => {
            started = true;
            run.signal.addEventListener("abort", () => {
              reason = run.signal.reason;
              reject(run.signal.reason as Error);
            });
          }),
      },
      after: {
        dependsOn: ["waiting"],
        run: () => {
          afterStarted = true;
          return {};
        },
      },
    });
    const executor = await session.executor();
    const handle = await executor.start(wf, {});
    await until(() => started, "the first task started");
    await handle.cancel();
    const result = await handle.result();
    expect(result.status).toBe("Cancelled");
    expect(reason).toMatchObject({ name: "TaskCancelledError", code: "TASK_CANCELLED" });
    expect(afterStarted).toBe(false);
    expect(Object.fromEntries(result.tasks.map((t) => [short(t.id), t.status]))).toEqual({
      waiting: "Cancelled",
      after: "Cancelled",
    });
  });

  it("cancelling a run does not touch another run", async (session) => {
    const hold = gate();
    const { wf } = defineWorkflow({ only: { run: async () => (await hold.promise, { v: 1 }) } });
    const executor = await session.executor();
    const cancelled = await executor.start(wf, {});
    const kept = await executor.start(wf, {});
    await cancelled.cancel();
    hold.open();
    expect((await cancelled.result()).status).toBe("Cancelled");
    expect((await kept.result()).status).toBe("Completed");
  });
}
