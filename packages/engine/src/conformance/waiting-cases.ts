/**
 * Tasks that wait without holding a worker: durable sleep, signals, being called again, and run
 * deadlines. Time is driven through the executors' `now` option, never real minutes.
 */
import { expect } from "vitest";
import { z } from "zod";
import { task } from "../task/task.js";
import { sleep, waitForSignal } from "../wait/wait-tasks.js";
import { workflow } from "../workflow/workflow.js";
import { randomUUID } from "node:crypto";
import type { CaseFn } from "./index.js";
import { until } from "./harness.js";

const MINUTE = 60_000;

/** A clock the test moves by hand. */
function clock(start = Date.UTC(2026, 0, 1)) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const unique = () => `w${randomUUID().slice(0, 8)}`;

export function waitingCases(it: CaseFn): void {
  it("a sleep holds no worker, survives a restart, and completes once its time has come", async (session) => {
    const p = unique();
    const time = clock();
    let after = 0;
    const before = task({ id: `${p}.before` }, () => ({ started: true }));
    const nap = sleep({ id: `${p}.nap`, dependsOn: [`${p}.before`], for: "15m" });
    const next = task({ id: `${p}.after`, dependsOn: [`${p}.nap`] }, () => (after++, { done: true }));
    const wf = workflow({ name: `${p}.wf`, tasks: [before, nap, next] });
    const first = await session.executor({ now: time.now });
    const handle = await first.start(wf, {});
    await until(
      async () => (await first.inspect(handle.executionId)).tasks.some((t) => t.status === "Waiting"),
      "the sleep waits",
    );
    const detail = await first.inspect(handle.executionId);
    expect(detail.tasks.find((t) => t.id === `${p}.nap`)).toMatchObject({
      status: "Waiting",
      waiting: { for: "sleep", until: new Date(time.now() + 15 * MINUTE) },
    });
    expect((await first.metrics()).tasks).toMatchObject({ waiting: 1, running: 0 });
    await first.close(); // the process goes away during the sleep

    time.advance(16 * MINUTE);
    const second = await session.executor({ now: time.now }); // opens after the wake time
    const result = await (await second.get(handle.executionId)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ started: true, done: true });
    expect(after).toBe(1);
  });

  it("an executor with concurrency 1 and 100 runs waiting still runs other work at once", async (session) => {
    const p = unique();
    const approval = waitForSignal({ id: `${p}.approval` });
    const waits = workflow({ name: `${p}.waits`, tasks: [approval] });
    const quick = workflow({ name: `${p}.quick`, tasks: [task({ id: `${p}.quick` }, () => ({ quick: 1 }))] });
    const executor = await session.executor({ concurrency: 1 });
    const handles = await Promise.all(Array.from({ length: 100 }, () => executor.start(waits, {})));
    await until(async () => (await executor.metrics()).tasks.waiting === 100, "100 tasks waiting");
    const listed = await executor.listRuns({ waiting: true, limit: 1000 });
    expect(new Set(listed.runs.map((r) => r.runId))).toEqual(new Set(handles.map((h) => h.executionId)));
    expect((await executor.execute(quick, {})).status).toBe("Completed");
    // And a signal completes one of them, with its payload under the task's id.
    await executor.signal(handles[0]!.executionId, `${p}.approval`, { ok: true });
    const result = await handles[0]!.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ [`${p}.approval`]: { ok: true } });
  });

  it("signals: kept when sent early, a resend with the same key is a no-op, payloads are checked", async (session) => {
    const p = unique();
    const hold = { open: () => {} };
    const gateOpen = new Promise<void>((resolve) => (hold.open = resolve));
    const first = task({ id: `${p}.first` }, async () => (await gateOpen, { first: true }));
    const approval = waitForSignal({
      id: `${p}.approval`,
      dependsOn: [`${p}.first`],
      schema: z.object({ by: z.string() }),
    });
    const wf = workflow({ name: `${p}.wf`, tasks: [first, approval] });
    const executor = await session.executor();
    const handle = await executor.start(wf, {});
    const id = handle.executionId;
    // A task that does not wait for a signal takes none.
    await expect(executor.signal(id, `${p}.first`, {})).rejects.toMatchObject({ code: "SIGNAL_NOT_ACCEPTED" });
    // A bad payload is the sender's error, and nothing is stored.
    await expect(executor.signal(id, `${p}.approval`, { by: 42 })).rejects.toMatchObject({ code: "INVALID_SIGNAL" });
    // Sent before the task waits (its dependency still runs): kept for it.
    expect(await executor.signal(id, `${p}.approval`, { by: "ada" }, { key: "k1" })).toEqual({ delivered: true });
    expect(await executor.signal(id, `${p}.approval`, { by: "bob" }, { key: "k1" })).toEqual({ delivered: false });
    hold.open();
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ [`${p}.approval`]: { by: "ada" } });
    // A finished run takes no signal; nor does a task that does not exist.
    await expect(executor.signal(id, `${p}.approval`, { by: "late" })).rejects.toMatchObject({
      code: "SIGNAL_NOT_ACCEPTED",
    });
    await expect(executor.signal(id, `${p}.nope`, {})).rejects.toMatchObject({ code: "SIGNAL_NOT_ACCEPTED" });
  });

  it("a signal that never comes fails its task with SIGNAL_TIMEOUT, and a trigger rule can route it", async (session) => {
    const p = unique();
    const time = clock();
    const approval = waitForSignal({ id: `${p}.approval`, timeout: "1h" });
    const fallback = task({ id: `${p}.fallback`, dependsOn: [`${p}.approval`], trigger: "anyFailed" }, () => ({
      escalated: true,
    }));
    const wf = workflow({ name: `${p}.wf`, tasks: [approval, fallback] });
    const first = await session.executor({ now: time.now });
    const handle = await first.start(wf, {});
    await until(async () => (await first.metrics()).tasks.waiting === 1, "the task waits");
    await first.close();
    time.advance(2 * 60 * MINUTE);
    const second = await session.executor({ now: time.now });
    const result = await (await second.get(handle.executionId)).result();
    const detail = await second.inspect(handle.executionId);
    expect(detail.tasks.find((t) => t.id === `${p}.approval`)).toMatchObject({
      status: "Failed",
      error: { code: "SIGNAL_TIMEOUT" },
    });
    expect(detail.tasks.find((t) => t.id === `${p}.fallback`)).toMatchObject({ status: "Completed" });
    expect(result.status).toBe("Failed");
  });

  it("callAgainIn releases the worker, brings its state back, counts no failed attempt, and maxCalls bounds it", async (session) => {
    const p = unique();
    const time = clock();
    const seen: { calls: number; state: unknown; attempt: number }[] = [];
    const poll = task({ id: `${p}.poll` }, (_ctx, run) => {
      seen.push({ calls: run.calls, state: run.state, attempt: run.attempt });
      const polls = (run.state as { polls?: number } | undefined)?.polls ?? 0;
      return polls < 2 ? run.callAgainIn("5m", { state: { polls: polls + 1 } }) : { polls };
    });
    const bounded = task({ id: `${p}.bounded` }, (_ctx, run) => run.callAgainIn("1m", { maxCalls: 2 }));
    const wf = workflow({ name: `${p}.wf`, tasks: [poll] });
    const limited = workflow({ name: `${p}.limited`, tasks: [bounded] });
    let executor = await session.executor({ now: time.now });
    const handle = await executor.start(wf, {});
    const other = await executor.start(limited, {});
    await until(async () => seen.length === 1 && (await executor.metrics()).tasks.waiting === 2, "both wait");
    for (let call = 2; call <= 3; call++) {
      // Each time the process goes away while its tasks wait, and one opens after their wake time.
      await executor.close();
      time.advance(6 * MINUTE);
      executor = await session.executor({ now: time.now });
      await until(() => seen.length === call, `call ${call}`);
    }
    const result = await (await executor.get(handle.executionId)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ polls: 2 });
    expect(seen).toEqual([
      { calls: 0, state: undefined, attempt: 1 },
      { calls: 1, state: { polls: 1 }, attempt: 1 },
      { calls: 2, state: { polls: 2 }, attempt: 1 },
    ]);
    const detail = await executor.inspect(handle.executionId);
    expect(detail.tasks[0]!.failedAttempts).toEqual([]);
    const limitedResult = await (await executor.get(other.executionId)).result();
    expect(limitedResult.status).toBe("Failed");
    expect((await executor.inspect(other.executionId)).tasks[0]).toMatchObject({
      error: { code: "CALL_AGAIN_LIMIT" },
    });
  });

  it("a run past its deadline ends Failed with RUN_TIMEOUT, its waiting task cancelled", async (session) => {
    const p = unique();
    const time = clock();
    const approval = waitForSignal({ id: `${p}.approval` });
    const wf = workflow({ name: `${p}.wf`, tasks: [approval] });
    // The same bound declared once on the workflow, for all its runs.
    const bounded = workflow({ name: `${p}.bounded`, tasks: [waitForSignal({ id: `${p}.other` })], timeout: "20m" });
    const first = await session.executor({ now: time.now });
    const handle = await first.start(wf, {}, { deadline: time.now() + 30 * MINUTE });
    const boundedHandle = await first.start(bounded, {});
    await until(async () => (await first.metrics()).tasks.waiting === 2, "the tasks wait");
    await first.close();
    time.advance(31 * MINUTE);
    const second = await session.executor({ now: time.now });
    for (const id of [handle.executionId, boundedHandle.executionId]) {
      const result = await (await second.get(id)).result();
      expect(result.status).toBe("Failed");
      const detail = await second.inspect(id);
      expect(detail.error).toMatchObject({ code: "RUN_TIMEOUT" });
      expect(detail.tasks[0]).toMatchObject({ status: "Cancelled" });
    }
    // A retry is a new attempt at the run: its workflow's timeout counts from the retry, and the
    // signal wait waits afresh.
    const retried = await second.retry(boundedHandle.executionId);
    await until(async () => (await second.metrics()).tasks.waiting === 1, "the retried task waits");
    await second.signal(retried.executionId, `${p}.other`, { ok: true });
    expect((await retried.result()).status).toBe("Completed");
    expect(() => workflow({ name: `${p}.typo`, tasks: [`${p}.other`], timeout: "20 min" })).toThrow(
      expect.objectContaining({ code: "INVALID_DURATION" }),
    );
    await expect(second.start(wf, {}, { deadline: new Date(Number.NaN) })).rejects.toMatchObject({
      code: "INVALID_START_OPTIONS",
    });
  });

  it("durations are validated when declared: a typo is an error, never a default", () => {
    expect(() => sleep({ id: `${unique()}.s`, for: "15 minutes" })).toThrow(
      expect.objectContaining({ code: "INVALID_DURATION" }),
    );
    expect(() => sleep({ id: `${unique()}.s`, for: -1 })).toThrow(
      expect.objectContaining({ code: "INVALID_DURATION" }),
    );
    expect(() => waitForSignal({ id: `${unique()}.w`, timeout: "1y" })).toThrow(
      expect.objectContaining({ code: "INVALID_DURATION" }),
    );
    expect(() => waitForSignal({ id: `${unique()}.w`, schema: {} as never })).toThrow(
      expect.objectContaining({ code: "INVALID_SCHEMA" }),
    );
    return Promise.resolve();
  });
}
