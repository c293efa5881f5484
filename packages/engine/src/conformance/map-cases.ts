/**
 * Shapes that depend on data: a task mapped over an array of the context (one durable instance
 * per element), and child workflows (a task that starts a run of another workflow and waits for
 * it without a worker).
 */
import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import type { ExecutorEvent } from "../events/event.js";
import { childWorkflow } from "../map/child-workflow.js";
import { mapTask } from "../map/map-task.js";
import { MAX_MAP_LENGTH } from "../map/specs.js";
import { task } from "../task/task.js";
import { waitForSignal } from "../wait/wait-tasks.js";
import { workflow, type Workflow } from "../workflow/workflow.js";
import { gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

const unique = () => `m${randomUUID().slice(0, 8)}`;

/** The final context of a run that must have completed (its type narrowed from the status). */
function completedContext<R extends { status: string; finalContext: unknown; error?: Error }>(
  result: R,
): Extract<R, { status: "Completed" }>["finalContext"] {
  if (result.status !== "Completed") throw new Error(`The run ended ${result.status}: ${result.error?.message}`);
  return result.finalContext;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function mapCases(it: CaseFn): void {
  it("a map runs once per element, at most maxParallel at once, and collects outputs in element order", async (session) => {
    const p = unique();
    let running = 0;
    let most = 0;
    const list = task({ id: `${p}.list` }, () => ({ words: ["a", "bb", "ccc", "dddd", "eeeee", "ffffff"] }));
    const lengths = mapTask(
      { id: `${p}.lengths`, dependsOn: [list], over: "words", into: "lengths", maxParallel: 2 },
      async (word, _ctx, run) => {
        running++;
        most = Math.max(most, running);
        await pause(word.length % 2 === 0 ? 15 : 1); // finish out of order
        running--;
        return { word, length: word.length, index: run.index };
      },
    );
    const total = task({ id: `${p}.total`, dependsOn: [lengths] }, (ctx) => ({
      total: ctx.lengths.reduce((sum, l) => sum + l.length, 0),
    }));
    const wf = workflow({ name: `${p}.wf`, tasks: [list, lengths, total] });
    const executor = await session.executor({ concurrency: 8 });
    const result = await executor.execute(wf, {});
    const final = completedContext(result);
    expect(final.lengths.map((l) => l.word)).toEqual(["a", "bb", "ccc", "dddd", "eeeee", "ffffff"]);
    expect(final.lengths.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(final.total).toBe(21);
    expect(most).toBe(2);
    // The map is one task of the run; its instances are listed under it.
    expect(result.tasks.map((t) => t.id)).toEqual([`${p}.list`, `${p}.lengths`, `${p}.total`]);
    const detail = await executor.inspect(result.executionId);
    const mapped = detail.tasks.find((t) => t.id === `${p}.lengths`)!;
    expect(mapped.instances).toMatchObject({ total: 6, counts: { Completed: 6 } });
    expect(mapped.instances!.list.map((i) => [i.index, i.status, i.attempts])).toEqual(
      [0, 1, 2, 3, 4, 5].map((i) => [i, "Completed", 1]),
    );
  });

  it("instances run in parallel up to the executor's concurrency; events carry each instance's index", async (session) => {
    const p = unique();
    const started = gate();
    let running = 0;
    const each = mapTask(
      { id: `${p}.each`, over: (ctx) => Array.from({ length: Number(ctx.n) }, (_, i) => i) },
      async (i) => {
        if (++running === 4) started.open();
        await started.promise; // all four must be running at once to get past this
        return i * 10;
      },
    );
    const wf = workflow({ name: `${p}.wf`, tasks: [each] });
    const executor = await session.executor({ concurrency: 4 });
    const handle = await executor.start(wf, { n: 4 });
    const events: ExecutorEvent[] = [];
    for await (const event of executor.events({ executionId: handle.executionId })) events.push(event);
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext[`${p}.each`]).toEqual([0, 10, 20, 30]);
    const completedInstances = events.filter((e) => e.type === "task.completed" && e.instance !== undefined);
    expect(completedInstances.map((e) => e.instance).sort()).toEqual([0, 1, 2, 3]);
    expect(completedInstances.every((e) => e.taskId === `${p}.each`)).toBe(true);
    expect(events.find((e) => e.type === "task.waiting")).toMatchObject({
      taskId: `${p}.each`,
      waitingFor: "map",
      instances: 4,
    });
  });

  it("an empty array completes at once with []; a missing path, a non-array and an unstorable element fail with codes", async (session) => {
    const p = unique();
    const executor = await session.executor();
    const run = async (over: string | ((ctx: Record<string, unknown>) => unknown), input: Record<string, unknown>) => {
      const id = `${p}.${randomUUID().slice(0, 6)}`;
      const mapped = mapTask({ id, over: over as never }, () => 1);
      return executor.execute(workflow({ name: `${id}.wf`, tasks: [mapped] }), input);
    };
    const empty = await run("items", { items: [] });
    expect(empty.status).toBe("Completed");
    expect(Object.values(empty.finalContext)).toContainEqual([]);
    const codeOf = (result: Awaited<ReturnType<typeof run>>) =>
      (result.tasks[0]?.error as { code?: string } | undefined)?.code;
    const missing = await run("items", { other: 1 });
    expect(missing.status).toBe("Failed");
    expect(codeOf(missing)).toBe("MAP_PATH_MISSING");
    expect(missing.tasks[0]?.error?.message).toMatch(/items/);
    const notArray = await run("items", { items: { a: 1 } });
    expect(codeOf(notArray)).toBe("MAP_NOT_ARRAY");
    const nested = await run("order.lines", { order: { lines: "x" } });
    expect(codeOf(nested)).toBe("MAP_NOT_ARRAY");
    const unstorable = await run(() => [1, () => 2], {});
    expect(codeOf(unstorable)).toBe("MAP_ELEMENT_NOT_STORABLE");
    expect(unstorable.tasks[0]?.error?.message).toMatch(/element 1/);
    const tooLarge = await run(() => Array.from({ length: MAX_MAP_LENGTH + 1 }, () => 0), {});
    expect(codeOf(tooLarge)).toBe("MAP_TOO_LARGE");
    expect(tooLarge.tasks[0]?.error?.message).toMatch(new RegExp(`at most ${MAX_MAP_LENGTH}`));
  });

  it("a failed instance fails its task after its retries, dependents follow their trigger rules, and retry re-runs only the failed instances", async (session) => {
    const p = unique();
    const calls = new Map<number, number>();
    let broken = true;
    const work = mapTask(
      { id: `${p}.work`, over: "items", retry: { maxAttempts: 2, delayMs: 1, backoff: "fixed" } },
      (item, _ctx: { items: number[] }) => {
        calls.set(item, (calls.get(item) ?? 0) + 1);
        if (item === 3 && broken) throw new Error(`item ${item} is broken`);
        return item * 2;
      },
    );
    const after = task({ id: `${p}.after`, dependsOn: [work] }, () => ({ after: true }));
    const always = task({ id: `${p}.always`, dependsOn: [work], trigger: "allDone" }, () => ({ always: true }));
    const wf = workflow({ name: `${p}.wf`, tasks: [work, after, always] });
    const executor = await session.executor({ concurrency: 4 });
    const failed = await executor.execute(wf, { items: [1, 2, 3, 4] });
    expect(failed.status).toBe("Failed");
    const byId = Object.fromEntries(failed.tasks.map((t) => [t.id, t]));
    expect(byId[`${p}.work`]?.status).toBe("Failed");
    expect((byId[`${p}.work`]?.error as { code?: string }).code).toBe("MAP_INSTANCE_FAILED");
    expect(byId[`${p}.work`]?.error?.message).toMatch(/element 2.*item 3 is broken/);
    expect(byId[`${p}.after`]?.status).toBe("Skipped");
    expect(byId[`${p}.always`]?.status).toBe("Completed");
    expect(Object.fromEntries(calls)).toEqual({ 1: 1, 2: 1, 3: 2, 4: 1 }); // item 3 had its 2 attempts
    const detail = await executor.inspect(failed.executionId);
    const instance = detail.tasks.find((t) => t.id === `${p}.work`)!.instances!.list[2]!;
    expect(instance).toMatchObject({ index: 2, status: "Failed", attempts: 2, error: { message: "item 3 is broken" } });

    broken = false;
    const retried = await (await executor.retry(failed.executionId)).result();
    expect(completedContext(retried)[`${p}.work`]).toEqual([2, 4, 6, 8]);
    expect(Object.fromEntries(calls)).toEqual({ 1: 1, 2: 1, 3: 3, 4: 1 }); // only the failed one ran again
  });

  it("instances share one read-only context: an instance cannot change what another sees", async (session) => {
    const p = unique();
    const each = mapTask({ id: `${p}.each`, over: "items" }, (item, ctx: { items: number[] }) => {
      if (item === 0) ctx.items.push(99); // throws: the context is frozen
      return ctx.items.length;
    });
    const executor = await session.executor({ concurrency: 1 });
    const result = await executor.execute(workflow({ name: `${p}.wf`, tasks: [each] }), { items: [0, 1, 2] });
    expect(result.status).toBe("Failed");
    const detail = await executor.inspect(result.executionId);
    const list = detail.tasks[0]!.instances!.list;
    expect(list[0]).toMatchObject({ status: "Failed", error: { name: "TypeError" } });
    expect(list.slice(1).map((i) => i.status)).toEqual(["Completed", "Completed"]);
  });

  it("a map of 10,000 elements completes, its instances created in one step", async (session) => {
    const p = unique();
    const n = 10_000;
    const square = mapTask(
      { id: `${p}.square`, over: (ctx) => Array.from({ length: Number(ctx.n) }, (_, i) => i), into: "squares" },
      (i) => i * i,
    );
    const sum = task({ id: `${p}.sum`, dependsOn: [square] }, (ctx) => ({
      sum: ctx.squares.reduce((a, b) => a + b, 0),
    }));
    const executor = await session.executor({ concurrency: 64 });
    const result = await executor.execute(workflow({ name: `${p}.wf`, tasks: [square, sum] }), { n });
    expect(completedContext(result).sum).toBe(((n - 1) * n * (2 * n - 1)) / 6);
    const detail = await executor.inspect(result.executionId);
    expect(detail.tasks.find((t) => t.id === `${p}.square`)?.instances?.counts).toEqual({ Completed: n });
  });

  it("a map is durable: after a restart, completed instances are not run again", async (session) => {
    const p = unique();
    const ran = new Map<number, number>();
    const release = gate();
    const slow = mapTask({ id: `${p}.slow`, over: "items" }, async (item, _ctx: { items: number[] }) => {
      ran.set(item, (ran.get(item) ?? 0) + 1);
      if (item >= 2) await release.promise; // the first two finish, the others are interrupted
      return item;
    });
    const wf = workflow({ name: `${p}.wf`, tasks: [slow] });
    const first = await session.executor({ concurrency: 8, leaseMs: 200, closeGraceMs: 0 });
    const handle = await first.start(wf, { items: [0, 1, 2, 3] });
    await until(async () => {
      const detail = await first.inspect(handle.executionId);
      return detail.tasks[0]?.instances?.counts.Completed === 2;
    }, "two instances completed");
    await first.close();
    release.open();
    const second = await session.executor({ concurrency: 8, leaseMs: 200 });
    const result = await (await second.get(handle.executionId)).result();
    expect(completedContext(result)[`${p}.slow`]).toEqual([0, 1, 2, 3]);
    expect(ran.get(0)).toBe(1);
    expect(ran.get(1)).toBe(1);
  });

  it("a child workflow starts once, waits without a worker, and completes with the child's final context; parent and child are linked", async (session) => {
    const p = unique();
    const double = task({ id: `${p}.double` }, (ctx: { n: number }) => ({ doubled: ctx.n * 2 }));
    const child = workflow({ name: `${p}.child`, tasks: [double] });
    const prepare = task({ id: `${p}.prepare` }, () => ({ n: 21 }));
    const run = childWorkflow({
      id: `${p}.run`,
      dependsOn: [prepare],
      workflow: child,
      input: (ctx) => ({ n: ctx.n }),
      into: "child",
    });
    const after = task({ id: `${p}.after`, dependsOn: [run] }, (ctx) => ({ answer: ctx.child.doubled }));
    const parent = workflow({ name: `${p}.parent`, tasks: [prepare, run, after] });
    // One slot: the parent task must release it for the child's task to run.
    const executor = await session.executor({ concurrency: 1 });
    const result = await executor.execute(parent, {});
    const final = completedContext(result);
    expect(final.answer).toBe(42);
    expect(final.child).toEqual({ n: 21, doubled: 42 });
    const detail = await executor.inspect(result.executionId);
    expect(detail.children).toHaveLength(1);
    const childId = detail.children[0]!.executionId;
    expect(detail.tasks.find((t) => t.id === `${p}.run`)?.childRunId).toBe(childId);
    expect((await executor.inspect(childId)).parent).toEqual({ executionId: result.executionId, taskId: `${p}.run` });
    const listed = await executor.listRuns({ parent: result.executionId });
    expect(listed.runs.map((r) => [r.runId, r.workflowName, r.status, r.parentRunId])).toEqual([
      [childId, `${p}.child`, "Completed", result.executionId],
    ]);
  });

  it("a failed child fails its parent task with CHILD_RUN_FAILED; a retry of the parent task starts a new child", async (session) => {
    const p = unique();
    let failures = 1;
    const flaky = task({ id: `${p}.flaky` }, () => {
      if (failures-- > 0) throw new Error("child broke");
      return { ok: true };
    });
    const child = workflow({ name: `${p}.child`, tasks: [flaky] });
    const once = childWorkflow({ id: `${p}.once`, workflow: child });
    const retrying = childWorkflow({
      id: `${p}.retrying`,
      workflow: child,
      retry: { maxAttempts: 2, delayMs: 1 },
    });
    const executor = await session.executor();
    const failed = await executor.execute(workflow({ name: `${p}.a`, tasks: [once] }), {});
    expect(failed.status).toBe("Failed");
    expect((failed.tasks[0]?.error as { code?: string }).code).toBe("CHILD_RUN_FAILED");
    expect(failed.tasks[0]?.error?.message).toMatch(/child broke/);

    failures = 1;
    const recovered = await executor.execute(workflow({ name: `${p}.b`, tasks: [retrying] }), {});
    expect(completedContext(recovered)[`${p}.retrying`]).toMatchObject({ ok: true });
    expect((await executor.listRuns({ parent: recovered.executionId })).runs).toHaveLength(2);
  });

  it("cancelling a parent cancels its children; a parent's deadline ends them", async (session) => {
    const p = unique();
    const approval = waitForSignal({ id: `${p}.approval` });
    const child = workflow({ name: `${p}.child`, tasks: [approval] });
    const start = childWorkflow({ id: `${p}.start`, workflow: child });
    const parent = workflow({ name: `${p}.parent`, tasks: [start] });
    const executor = await session.executor();
    const childOf = async (runId: string) => {
      await until(async () => (await executor.listRuns({ parent: runId })).runs.length === 1, "the child started");
      return (await executor.listRuns({ parent: runId })).runs[0]!.runId;
    };
    const cancelled = await executor.start(parent, {});
    const cancelledChild = await childOf(cancelled.executionId);
    await cancelled.cancel();
    expect((await cancelled.result()).status).toBe("Cancelled");
    expect((await (await executor.get(cancelledChild)).result()).status).toBe("Cancelled");

    const bounded = await executor.start(parent, {}, { deadline: new Date(Date.now() + 300) });
    const boundedChild = await childOf(bounded.executionId);
    const ended = await bounded.result();
    expect(ended.status).toBe("Failed");
    expect((ended.error as { code?: string } | undefined)?.code).toBe("RUN_TIMEOUT");
    expect((await (await executor.get(boundedChild)).result()).status).toBe("Cancelled");
  });

  it("a map of 1,000 child runs: one child per element, started once each, collected in order", async (session) => {
    const p = unique();
    const n = 1000;
    const inc = task({ id: `${p}.inc` }, (ctx: { n: number }) => ({ next: ctx.n + 1 }));
    const child = workflow({ name: `${p}.child`, tasks: [inc] });
    const ns = Array.from({ length: n }, (_, i) => i);
    const list = task({ id: `${p}.list` }, () => ({ ns }));
    const each = childWorkflow({
      id: `${p}.each`,
      dependsOn: [list],
      workflow: child,
      over: "ns",
      input: (element) => ({ n: element }),
      into: "results",
    });
    const parent = workflow({ name: `${p}.parent`, tasks: [list, each] });
    const executor = await session.executor({ concurrency: 32 });
    const result = await executor.execute(parent, {});
    expect(completedContext(result).results.map((c) => c.next)).toEqual(ns.map((i) => i + 1));
    const children = await executor.listRuns({ parent: result.executionId, limit: 1000 });
    expect(children.runs).toHaveLength(n);
    expect(new Set(children.runs.map((r) => r.status))).toEqual(new Set(["Completed"]));
  });

  it("a child workflow that cannot be resolved where the task runs fails it with CHILD_WORKFLOW_NOT_REGISTERED", async (session) => {
    const p = unique();
    const child = workflow({ name: `${p}.child`, tasks: [task({ id: `${p}.c` }, () => ({}))] });
    let available = true; // found when the run starts (and checked), gone when its task runs
    const gateOpen = gate();
    const first = task({ id: `${p}.first` }, async () => (await gateOpen.promise, {}));
    const start = childWorkflow({
      id: `${p}.start`,
      dependsOn: [first],
      workflow: () => {
        if (!available) throw new Error(`no workflow "${p}.child" in this process`);
        return child;
      },
    });
    const parent = workflow({ name: `${p}.parent`, tasks: [first, start] });
    const executor = await session.executor();
    const handle = await executor.start(parent, {});
    available = false;
    gateOpen.open();
    const result = await handle.result();
    expect(result.status).toBe("Failed");
    const failed = result.tasks.find((t) => t.id === `${p}.start`);
    expect((failed?.error as { code?: string } | undefined)?.code).toBe("CHILD_WORKFLOW_NOT_REGISTERED");
    expect(failed?.error?.message).toMatch(/no workflow/);
  });

  it("a workflow that starts itself through child workflows is refused before anything runs", async (session) => {
    const p = unique();
    const executor = await session.executor();
    // A workflow that names itself needs its type written out: TypeScript cannot infer a cycle.
    const again = childWorkflow({ id: `${p}.again`, workflow: (): Workflow => self });
    const self: Workflow = workflow({ name: `${p}.self`, tasks: [again] });
    await expect(executor.start(self, {})).rejects.toMatchObject({ code: "CHILD_WORKFLOW_CYCLE" });
    expect((await executor.listRuns({ workflow: `${p}.self` })).runs).toEqual([]);
  });
}
