import { expect } from "vitest";
import { compareSeq, type EventStream, type ExecutorEvent } from "../events/event.js";
import type { ExecutorOptions } from "../executor/executor-options.js";
import { defineWorkflow, gate, until } from "./harness.js";
import type { CaseFn } from "./index.js";

/** One way of delivering events, to run every event case with. */
export interface TransportUnderTest {
  name: string;
  events: ExecutorOptions["events"];
}

/** Collects a stream's events in the background until it ends or `stop()`. */
function collect(stream: EventStream) {
  const events: ExecutorEvent[] = [];
  const done = (async () => {
    for await (const event of stream) events.push(event);
  })();
  return { events, done, stop: () => stream.close().then(() => done) };
}

const shape = (events: ExecutorEvent[], short: (id: string) => string) =>
  events.map((e) => (e.taskId === undefined ? e.type : `${e.type} ${short(e.taskId)}#${e.attempt ?? "-"}`));

function expectIncreasing(events: ExecutorEvent[]): void {
  for (let i = 1; i < events.length; i++) expect(compareSeq(events[i - 1]!.seq, events[i]!.seq)).toBeLessThan(0);
}

export function eventCases(it: CaseFn, transport: TransportUnderTest): void {
  const options = { events: transport.events };

  it("a run's events replay in order, one per state change, and its stream ends with the run", async (session) => {
    let calls = 0;
    const { wf, id, short } = defineWorkflow({
      a: {
        retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 },
        run: () => {
          if (++calls === 1) throw new TypeError("flaky");
          return { a: 1 };
        },
      },
      b: { dependsOn: ["a"], run: () => ({ b: 2 }) },
      c: {
        dependsOn: ["a"],
        run: () => {
          throw new Error("c broke");
        },
      },
      d: { dependsOn: ["b", "c"] },
    });
    const executor = await session.executor(options);
    const result = await executor.execute(wf, {});
    expect(result.status).toBe("Failed");
    const { events, done } = collect(executor.events({ executionId: result.executionId }));
    await done; // ends by itself after run.failed
    expectIncreasing(events);
    expect(events.every((e) => e.executionId === result.executionId && e.at instanceof Date)).toBe(true);
    const seen = shape(events, short);
    expect(seen[0]).toBe("run.started");
    expect(events[0]!.workflow).toBe(wf.name);
    expect(seen.at(-1)).toBe("run.failed");
    // Per task, the order of its own events is fixed; tasks interleave.
    const of = (task: string) => seen.filter((s) => s.includes(` ${task}#`));
    expect(of("a")).toEqual([
      "task.ready a#-",
      "task.started a#1",
      "task.retrying a#1",
      "task.started a#2",
      "task.completed a#2",
    ]);
    expect(of("b")).toEqual(["task.ready b#-", "task.started b#1", "task.completed b#1"]);
    expect(of("c")).toEqual(["task.ready c#-", "task.started c#1", "task.failed c#1"]);
    // d is claimed to decide its trigger rule (allSucceeded: false), then skipped.
    expect(of("d")).toEqual(["task.ready d#-", "task.started d#1", "task.skipped d#1"]);
    const retrying = events.find((e) => e.type === "task.retrying")!;
    expect(retrying.error).toMatchObject({ name: "TypeError", message: "flaky" });
    expect(retrying.retryAt).toBeInstanceOf(Date);
    expect(events.find((e) => e.type === "task.failed")!.error).toMatchObject({ message: "c broke" });
    expect(events.find((e) => e.taskId === id("b") && e.type === "task.completed")).toBeDefined();
  });

  it("a subscriber sees events live, from when it subscribed, raised by another executor", async (session) => {
    const { wf: before } = defineWorkflow({ early: {} });
    const release = gate();
    const { wf, short } = defineWorkflow({
      x: { run: () => release.promise.then(() => ({ x: 1 })) },
      y: { dependsOn: ["x"] },
    });
    const worker = await session.executor(options);
    const earlier = await worker.execute(before, {});
    // A client on its own connection that runs no tasks: the events come from the worker.
    const client = await session.executor({ ...options, runTasks: false });
    const live = collect(client.events());
    const handle = await client.start(wf, {});
    await until(
      () => live.events.some((e) => e.executionId === handle.executionId && e.type === "task.started"),
      "the subscriber saw the task start while it runs",
    );
    release.open();
    await until(
      () => live.events.some((e) => e.executionId === handle.executionId && e.type === "run.completed"),
      "the subscriber saw the run complete",
    );
    await live.stop();
    expect(live.events.some((e) => e.executionId === earlier.executionId)).toBe(false);
    expectIncreasing(live.events);
    expect(shape(live.events, short)).toEqual([
      "run.started",
      "task.ready x#-",
      "task.started x#1",
      "task.completed x#1",
      "task.ready y#-",
      "task.started y#1",
      "task.completed y#1",
      "run.completed",
    ]);
  });

  it("a subscriber that reconnects from its last position gets every event once", async (session) => {
    const { wf } = defineWorkflow({ a: {}, b: { dependsOn: ["a"] }, c: { dependsOn: ["a"] } });
    const writer = await session.executor(options);
    const reader = await session.executor({ ...options, runTasks: false });
    const first: ExecutorEvent[] = [];
    const runs = Promise.all(Array.from({ length: 6 }, () => writer.execute(wf, {})));
    const stream = reader.events({ after: "0-0" });
    for await (const event of stream) {
      first.push(event);
      if (first.length === 7) break; // disconnects
    }
    await runs;
    const rest: ExecutorEvent[] = [];
    const again = reader.events({ after: first.at(-1)!.seq });
    const total = 6 * (2 + 3 * 3);
    for await (const event of again) {
      rest.push(event);
      if (first.length + rest.length === total) break;
    }
    const all = [...first, ...rest];
    expectIncreasing(all);
    expect(new Set(all.map((e) => e.seq)).size).toBe(total);
    // The same as one uninterrupted replay.
    const replay: ExecutorEvent[] = [];
    for await (const event of reader.events({ after: "0-0" })) {
      replay.push(event);
      if (replay.length === total) break;
    }
    expect(replay.map((e) => e.seq)).toEqual(all.map((e) => e.seq));
  });

  it("concurrent writers: a live subscriber's events equal the log, with no gap and no duplicate", async (session) => {
    const { wf } = defineWorkflow({
      a: {},
      b: { dependsOn: ["a"] },
      c: { dependsOn: ["a"] },
      d: { dependsOn: ["b", "c"] },
    });
    const workers = [await session.executor(options), await session.executor(options)];
    const client = await session.executor({ ...options, runTasks: false });
    const live = collect(client.events());
    const handles = await Promise.all(Array.from({ length: 30 }, (_, i) => workers[i % 2]!.start(wf, { i })));
    await Promise.all(handles.map((h) => h.result()));
    const total = 30 * (2 + 4 * 3);
    await until(() => live.events.length >= total, `the subscriber saw all ${total} events`, 20_000);
    await live.stop();
    expect(live.events.length).toBe(total);
    const replay: ExecutorEvent[] = [];
    for await (const event of client.events({ after: "0-0" })) {
      replay.push(event);
      if (replay.length === total) break;
    }
    expect(live.events.map((e) => e.seq)).toEqual(replay.map((e) => e.seq));
    expectIncreasing(live.events);
  });

  it("a cancelled run's stream ends with run.cancelled; the running task reports task.cancelled", async (session) => {
    const { wf, short } = defineWorkflow({
      slow: {
        run: (_ctx, info) =>
          new Promise((_, reject) => info.signal.addEventListener("abort", () => reject(info.signal.reason))),
      },
      after: { dependsOn: ["slow"] },
    });
    const executor = await session.executor(options);
    const handle = await executor.start(wf, {});
    const run = collect(executor.events({ executionId: handle.executionId }));
    await until(() => run.events.some((e) => e.type === "task.started"), "the slow task started");
    await handle.cancel();
    await run.done;
    expect(shape(run.events, short)).toEqual([
      "run.started",
      "task.ready slow#-",
      "task.started slow#1",
      "task.cancelled slow#1",
      "run.cancelled",
    ]);
  });

  it("pruneEvents() deletes events older than a time, never the newest; run state is untouched", async (session) => {
    let now = Date.UTC(2030, 0, 1);
    const { wf } = defineWorkflow({ a: {}, b: { dependsOn: ["a"] } });
    const executor = await session.executor({ ...options, now: () => now });
    const old = await executor.execute(wf, {});
    now += 60_000;
    const recent = await executor.execute(wf, {});
    const replay = async () => {
      const seen: ExecutorEvent[] = [];
      for await (const e of executor.events({ executionId: recent.executionId, after: "0-0" })) seen.push(e);
      return seen;
    };
    const before = await replay();
    expect(await executor.pruneEvents({ olderThan: new Date(now - 1) })).toBe(8); // the old run's
    expect(await replay()).toEqual(before);
    const oldEvents: ExecutorEvent[] = [];
    const stream = executor.events({ after: "0-0" });
    for await (const e of stream) {
      oldEvents.push(e);
      if (oldEvents.length === before.length) break;
    }
    expect(oldEvents.every((e) => e.executionId === recent.executionId)).toBe(true);
    expect((await executor.inspect(old.executionId)).status).toBe("Completed");
    // Everything older than a minute from a later clock: all but the newest event.
    now += 120_000;
    expect(await executor.pruneEvents({ olderThan: 60_000 })).toBe(before.length - 1);
    await expect(executor.pruneEvents({ olderThan: -1 })).rejects.toMatchObject({ code: "INVALID_EVENTS_OPTIONS" });
    await expect(executor.pruneEvents({ olderThan: "old" as never })).rejects.toMatchObject({
      code: "INVALID_EVENTS_OPTIONS",
    });
  });

  it("a retried run's stream runs through its retry to its last final event", async (session) => {
    let broken = true;
    const { wf, short } = defineWorkflow({
      a: {
        run: () => {
          if (broken) throw new Error("down");
          return { a: 1 };
        },
      },
    });
    const executor = await session.executor(options);
    const failed = await executor.execute(wf, {});
    broken = false;
    expect((await (await executor.retry(failed.executionId)).result()).status).toBe("Completed");
    const seen: ExecutorEvent[] = [];
    for await (const e of executor.events({ executionId: failed.executionId })) seen.push(e);
    expect(shape(seen, short)).toEqual([
      "run.started",
      "task.ready a#-",
      "task.started a#1",
      "task.failed a#1",
      "run.failed",
      "run.retried",
      "task.ready a#-",
      "task.started a#2",
      "task.completed a#2",
      "run.completed",
    ]);
  });

  it("failing a run that already finished changes nothing and appends no event", async (session) => {
    const { wf } = defineWorkflow({ a: {} });
    const executor = await session.executor(options);
    const done = await executor.execute(wf, {});
    const store = await session.store();
    await store.failRuns([{ runId: done.executionId, error: { name: "Error", message: "too late" } }], Date.now());
    expect((await executor.inspect(done.executionId)).status).toBe("Completed");
    const seen: string[] = [];
    for await (const e of executor.events({ after: "0-0" })) {
      seen.push(e.type);
      if (e.type === "run.completed") break;
    }
    expect(seen.at(-1)).toBe("run.completed");
    expect(await store.events.read(null, 100, done.executionId)).toHaveLength(seen.length);
  });

  it("events() options are validated", async (session) => {
    const executor = await session.executor(options);
    expect(() => executor.events({ after: "yesterday" })).toThrow(
      expect.objectContaining({ code: "INVALID_EVENTS_OPTIONS" }),
    );
    expect(() => executor.events({ executionID: "x" } as never)).toThrow(
      expect.objectContaining({ code: "INVALID_EVENTS_OPTIONS" }),
    );
    expect(() => executor.events({ executionId: "" })).toThrow(
      expect.objectContaining({ code: "INVALID_EVENTS_OPTIONS" }),
    );
    // Well-formed, but no database has it: the iteration fails at once, clearly (never hangs).
    const impossible = executor.events({ after: "99999999999999999999-1" });
    await expect(impossible[Symbol.asyncIterator]().next()).rejects.toMatchObject({ code: "INVALID_EVENT_POSITION" });
  });
}
