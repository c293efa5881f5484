import { expect } from "vitest";
import { MAX_CONTEXT_DEPTH } from "../marshal/storable.js";
import type { Context } from "../types.js";
import { defineWorkflow, gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

export function executionCases(it: CaseFn): void {
  it("runs a diamond in dependency order and merges outputs into the final context", async (session) => {
    const order: string[] = [];
    const seen: Record<string, Context> = {};
    const record = (name: string, out: Context) => (ctx: Context) => {
      order.push(name);
      seen[name] = ctx;
      return out;
    };
    const { wf, short } = defineWorkflow({
      a: { run: record("a", { a: 1 }) },
      b: { dependsOn: ["a"], run: record("b", { b: 2 }) },
      c: { dependsOn: ["a"], run: record("c", { c: 3 }) },
      d: { dependsOn: ["b", "c"], run: record("d", { d: 4 }) },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, { input: true });

    expect(result.status).toBe("Completed");
    expect(result.error).toBeUndefined();
    expect(order[0]).toBe("a");
    expect(order[3]).toBe("d");
    expect(seen.a).toEqual({ input: true });
    expect(seen.b).toEqual({ input: true, a: 1 });
    expect(seen.d).toEqual({ input: true, a: 1, b: 2, c: 3 });
    expect(result.finalContext).toEqual({ input: true, a: 1, b: 2, c: 3, d: 4 });
    expect(result.tasks.map((t) => short(t.id))).toEqual(["a", "b", "c", "d"]);
    for (const t of result.tasks) {
      expect(t).toMatchObject({ status: "Completed", attempts: 1 });
      expect(t.startedAt).toBeInstanceOf(Date);
      expect(t.finishedAt!.getTime()).toBeGreaterThanOrEqual(t.startedAt!.getTime());
    }
  });

  it("merges outputs in topological order, ties broken by task id, for every task and the final context", async (session) => {
    let seenByJoin: Context | undefined;
    const { wf } = defineWorkflow({
      // "z" and "m" are both roots: "m" sorts first, so "z" overwrites it.
      z: { run: () => ({ shared: "z", onlyZ: 1 }) },
      m: { run: () => ({ shared: "m", onlyM: 1 }) },
      join: {
        dependsOn: ["z", "m"],
        run: (ctx) => {
          seenByJoin = ctx;
          return { shared: "join" };
        },
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, { shared: "input" });
    expect(seenByJoin).toEqual({ shared: "z", onlyZ: 1, onlyM: 1 });
    expect(result.finalContext).toEqual({ shared: "join", onlyZ: 1, onlyM: 1 });
  });

  it("round-trips Date, BigInt, Map, Set, bytes and undefined through every boundary", async (session) => {
    let received: Context | undefined;
    const input = {
      when: new Date("2020-01-02T03:04:05.678Z"),
      big: 2n ** 70n,
      map: new Map<unknown, unknown>([
        ["k", { nested: [1, 2] }],
        [1, new Set(["x"])],
      ]),
      set: new Set([1, "two"]),
      bytes: new Uint8Array([0, 1, 255]),
      buffer: Buffer.from("héllo"),
      missing: undefined,
      nested: { deep: [{ when: new Date(0) }], nan: Number.NaN, negZero: -0 },
    };
    const { wf } = defineWorkflow({
      first: {
        run: (ctx) => {
          received = ctx;
          return { made: new Date(1000), count: 7n };
        },
      },
      second: {
        dependsOn: ["first"],
        run: (ctx) => ({ sawDate: ctx.made instanceof Date, sawBigInt: typeof ctx.count === "bigint" }),
      },
    });
    const executor = await session.executor();
    const result = await executor.execute(wf, input);
    expect(result.status).toBe("Completed");
    expect(received).toEqual(input);
    expect(received!.when).toBeInstanceOf(Date);
    expect(received!.buffer).toBeInstanceOf(Buffer);
    expect(received!.bytes).toBeInstanceOf(Uint8Array);
    expect(Object.is((received!.nested as { negZero: number }).negZero, -0)).toBe(true);
    expect("missing" in received!).toBe(true);
    expect(result.finalContext).toEqual({ ...input, made: new Date(1000), count: 7n, sawDate: true, sawBigInt: true });
  });

  it("gives each task its own decoded copy, even in the first run", async (session) => {
    const shared = { list: [1] };
    const { wf } = defineWorkflow({
      root: { run: () => ({ obj: shared }) },
      mutator: {
        dependsOn: ["root"],
        run: (ctx) => {
          (ctx.obj as { list: number[] }).list.push(99);
          return {};
        },
      },
      reader: {
        dependsOn: ["root"],
        run: (ctx) => ({ copy: (ctx.obj as { list: number[] }).list.length }),
      },
    });
    const executor = await session.executor({ concurrency: 1 });
    const result = await executor.execute(wf, {});
    expect(result.finalContext.copy).toBe(1);
    expect(shared.list).toEqual([1]);
  });

  it("a long chain, then a fan-in: each task sees exactly its ancestors' merge, a fresh copy, whatever earlier tasks did to theirs", async (session) => {
    // Long enough that the runtime merges from its cached copy of the previous merge; "side"
    // branches off the chain, so "join"'s ancestors are not an extension of the last task's.
    const LENGTH = 20;
    const seen: Record<string, Context> = {};
    const tasks: Record<string, { dependsOn?: string[]; run: (ctx: Context) => Context }> = {};
    for (let i = 0; i < LENGTH; i++) {
      tasks[`c${i}`] = {
        ...(i > 0 ? { dependsOn: [`c${i - 1}`] } : {}),
        run: (ctx) => {
          seen[`c${i}`] = structuredClone(ctx);
          (ctx.list as number[] | undefined)?.push(-1); // mutating its copy must not reach the next task
          ctx[`key${i}`] = "mutated";
          return { [`key${i}`]: i, last: i, at: new Date(i), tags: new Set([i]), list: [i] };
        },
      };
    }
    tasks.side = { dependsOn: ["c3"], run: (ctx) => ((seen.side = structuredClone(ctx)), { last: "side" }) };
    tasks.join = { dependsOn: [`c${LENGTH - 1}`, "side"], run: (ctx) => ((seen.join = structuredClone(ctx)), {}) };
    const { wf } = defineWorkflow(tasks);
    const executor = await session.executor();
    const result = await executor.execute(wf, { input: true });
    expect(result.status).toBe("Completed");
    const mergeOf = (upTo: number): Context => {
      const context: Context = { input: true };
      for (let i = 0; i <= upTo; i++) {
        Object.assign(context, { [`key${i}`]: i, last: i, at: new Date(i), tags: new Set([i]), list: [i] });
      }
      return context;
    };
    for (let i = 1; i < LENGTH; i++) expect(seen[`c${i}`]).toEqual(mergeOf(i - 1));
    expect(seen.side).toEqual(mergeOf(3));
    // The merge order is topological, ties by id: the whole chain, then "side" (which sorts after it).
    expect(seen.join).toEqual({ ...mergeOf(LENGTH - 1), last: "side" });
    expect(Object.keys(seen.join!)).toEqual(Object.keys({ ...mergeOf(LENGTH - 1), last: "side" }));
  });

  it("runs independent tasks concurrently, up to the concurrency limit", async (session) => {
    let running = 0;
    let peak = 0;
    const hold = gate();
    const tasks: Record<string, { run: () => Promise<Context> }> = {};
    for (let i = 0; i < 6; i++) {
      tasks[`p${i}`] = {
        run: async () => {
          running++;
          peak = Math.max(peak, running);
          await hold.promise;
          running--;
          return { [`p${i}`]: i };
        },
      };
    }
    const { wf } = defineWorkflow(tasks);
    const executor = await session.executor({ concurrency: 3 });
    const done = executor.execute(wf, {});
    await until(() => running === 3, "three tasks run at once");
    hold.open();
    const result = await done;
    expect(result.status).toBe("Completed");
    expect(peak).toBe(3);
  });

  it("starts a dependent as soon as its dependency completes, without waiting for siblings", async (session) => {
    const slow = gate();
    let childStarted = false;
    const { wf } = defineWorkflow({
      fast: { run: () => ({}) },
      slow: { run: async () => (await slow.promise, {}) },
      child: {
        dependsOn: ["fast"],
        run: () => {
          childStarted = true;
          return {};
        },
      },
    });
    const executor = await session.executor();
    const done = executor.execute(wf, {});
    await until(() => childStarted, "the child of the fast task started while its sibling still runs");
    slow.open();
    expect((await done).status).toBe("Completed");
  });

  it("completes 100 workflows started at once on one executor", async (session) => {
    const { wf } = defineWorkflow({
      a: { run: (ctx) => ({ a: (ctx.n as number) * 2 }) },
      b: { dependsOn: ["a"], run: async (ctx) => ({ b: (ctx.a as number) + 1 }) },
    });
    const executor = await session.executor();
    const results = await Promise.all(Array.from({ length: 100 }, (_, n) => executor.execute(wf, { n })));
    expect(results.every((r) => r.status === "Completed")).toBe(true);
    expect(results.map((r) => r.finalContext.b)).toEqual(Array.from({ length: 100 }, (_, n) => n * 2 + 1));
    expect(new Set(results.map((r) => r.executionId)).size).toBe(100);
  });

  it("returns a handle from start(), and get() finds any stored run", async (session) => {
    const release = gate();
    const { wf } = defineWorkflow({ only: { run: async () => (await release.promise, { done: 1 }) } });
    const executor = await session.executor();
    const handle = await executor.start(wf, { x: 1 });
    expect(await handle.status()).toBe("Running");
    const again = await executor.get(handle.executionId);
    release.open();
    const result = await again.result();
    expect(result).toMatchObject({
      executionId: handle.executionId,
      status: "Completed",
      finalContext: { x: 1, done: 1 },
    });
    expect(await handle.status()).toBe("Completed");
    expect((await handle.result()).finalContext).toEqual({ x: 1, done: 1 });
    await expect(executor.get("no-such-run")).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
  });

  it("rejects an input that cannot be stored, naming the key path, and stores nothing", async (session) => {
    const { wf } = defineWorkflow({ only: {} });
    const executor = await session.executor();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(executor.execute(wf, { ok: 1, nested: { fn: () => 1 } })).rejects.toMatchObject({
      code: "UNSERIALIZABLE_CONTEXT",
      message: expect.stringContaining("ctx.nested.fn is a function"),
    });
    await expect(executor.execute(wf, { circular })).rejects.toMatchObject({
      code: "UNSERIALIZABLE_CONTEXT",
      message: expect.stringContaining("ctx.circular.self is a circular reference"),
    });
    await expect(executor.execute(wf, { s: Symbol("x") })).rejects.toMatchObject({ code: "UNSERIALIZABLE_CONTEXT" });
    class Custom {
      x = 1;
    }
    await expect(executor.execute(wf, { list: [new Custom()] })).rejects.toMatchObject({
      code: "UNSERIALIZABLE_CONTEXT",
      message: expect.stringContaining("ctx.list[0] is an instance of Custom"),
    });
    const store = await session.store();
    expect(await store.runs.unfinishedRuns()).toEqual([]);
  });

  it("rejects a context over the size limit", async (session) => {
    const { wf } = defineWorkflow({ only: {} });
    const executor = await session.executor({ maxContextBytes: 1024 });
    await expect(executor.execute(wf, { big: "x".repeat(2000) })).rejects.toMatchObject({ code: "CONTEXT_TOO_LARGE" });
  });

  it("an idempotency key makes start() create one run, however often and from however many executors it is called", async (session) => {
    let calls = 0;
    const { wf } = defineWorkflow({ once: { run: () => ({ call: ++calls }) } });
    const { wf: other } = defineWorkflow({ other: {} });
    const a = await session.executor();
    const b = await session.executor(); // another connection, as another process would have
    const key = `order-${Math.random()}`;
    const handles = await Promise.all([
      a.start(wf, { n: 1 }, { idempotencyKey: key }),
      a.start(wf, { n: 2 }, { idempotencyKey: key }),
      b.start(wf, { n: 3 }, { idempotencyKey: key }),
      b.start(wf, { n: 4 }, { idempotencyKey: key }),
    ]);
    expect(new Set(handles.map((h) => h.executionId)).size).toBe(1);
    const result = await handles[0].result();
    expect(result.status).toBe("Completed");
    expect(calls).toBe(1);
    const again = await b.execute(wf, { n: 5 }, { idempotencyKey: key });
    expect(again.executionId).toBe(result.executionId);
    expect(again.finalContext).toEqual(result.finalContext);
    expect(calls).toBe(1);
    await expect(a.start(other, {}, { idempotencyKey: key })).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    await expect(a.start(wf, {}, { idempotencyKey: "" })).rejects.toMatchObject({ code: "INVALID_START_OPTIONS" });
    expect((await a.execute(wf, {}, { idempotencyKey: `${key}-2` })).executionId).not.toBe(result.executionId);
  });

  it("checks start options before storing anything: a misspelt key or a non-object is INVALID_START_OPTIONS", async (session) => {
    const { wf } = defineWorkflow({ only: {} });
    const executor = await session.executor();
    for (let i = 0; i < 2; i++) {
      await expect(executor.start(wf, {}, { idempotencykey: "order-42" } as never)).rejects.toMatchObject({
        code: "INVALID_START_OPTIONS",
        message: expect.stringContaining('"idempotencykey" (did you mean "idempotencyKey"?)'),
      });
    }
    for (const options of ["order-42", null, ["order-42"], 42]) {
      await expect(executor.start(wf, {}, options as never)).rejects.toMatchObject({ code: "INVALID_START_OPTIONS" });
      await expect(executor.execute(wf, {}, options as never)).rejects.toMatchObject({ code: "INVALID_START_OPTIONS" });
    }
    expect((await executor.listRuns({ workflow: wf.name })).runs).toEqual([]);
  });

  it(`refuses a context or an output nested deeper than ${MAX_CONTEXT_DEPTH} levels with CONTEXT_TOO_DEEP, and stores the limit`, async (session) => {
    // Objects and arrays in turn, `levels` containers deep counting the outer object.
    const nested = (levels: number): Context => {
      let value: unknown = "leaf";
      for (let i = levels - 1; i > 0; i--) value = i % 2 === 0 ? [value] : { next: value };
      return { next: value };
    };
    const { wf: echo } = defineWorkflow({ echo: { run: (ctx) => ({ back: ctx.next }) } });
    const executor = await session.executor();
    await expect(executor.start(echo, nested(3000))).rejects.toMatchObject({
      code: "CONTEXT_TOO_DEEP",
      name: "MarshalError",
      message: expect.stringContaining(`${MAX_CONTEXT_DEPTH} levels`),
    });
    expect((await executor.listRuns({ workflow: echo.name })).runs).toEqual([]);
    const atLimit = await executor.execute(echo, nested(MAX_CONTEXT_DEPTH));
    expect(atLimit.status).toBe("Completed");
    expect(atLimit.finalContext).toEqual({ ...nested(MAX_CONTEXT_DEPTH), back: nested(MAX_CONTEXT_DEPTH).next });

    const { wf: deep } = defineWorkflow({ deep: { run: () => nested(3000) } });
    const failed = await executor.execute(deep, {});
    expect(failed.status).toBe("Failed");
    expect(failed.tasks[0]).toMatchObject({ status: "Failed", attempts: 1, error: { code: "CONTEXT_TOO_DEEP" } });
    expect((await executor.execute(echo, { next: 1 })).status).toBe("Completed");
  });
}
