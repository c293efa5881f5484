import { backend as postgresBackend } from "@cloacina/backend-postgres";
import { backend as sqliteBackend } from "@cloacina/backend-sqlite";
import { type Backend, compareSeq, type EventStream, type Executor, type ExecutorEvent, resetRegistry } from "@cloacina/engine";
import { type EventTransportFactory } from "@cloacina/engine/events";
import { defineWorkflow, until } from "@cloacina/engine/conformance";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { dropSchema, freshSchema, skipPostgres } from "../../../backend-postgres/test/pg-test-db.js";
import { createExecutor, type CreateExecutorOptions } from "../../src/create-executor.js";
import { redisTransport, type RedisTransport } from "../../src/events/redis-transport.js";
import { deleteStreams, freshStream, redisClient, skipRedis } from "./redis-test-server.js";

const cleanups: (() => Promise<void>)[] = [];
beforeEach(() => resetRegistry());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

interface Database {
  url: string;
  backend: Backend<any>;
}

function sqliteDatabase(): Database {
  const dir = mkdtempSync(path.join(tmpdir(), "cloacina-redis-"));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  return { url: `sqlite://${dir}/test.db`, backend: sqliteBackend };
}

function postgresDatabase(): Database {
  const { schema, url } = freshSchema("redis");
  cleanups.push(() => dropSchema(schema));
  return { url, backend: postgresBackend };
}

/** A database and a fresh stream; `open()` opens an executor on both (closed after the test). */
function setup(database = sqliteDatabase(), query = "") {
  const stream = freshStream(query);
  cleanups.push(() => deleteStreams([stream.key]));
  const transports: RedisTransport[] = [];
  const events: EventTransportFactory = async (context) => {
    const transport = (await redisTransport(stream.url)(context)) as RedisTransport;
    transports.push(transport);
    return transport;
  };
  const open = async (options: CreateExecutorOptions = {}) => {
    const executor = await createExecutor(database.url, {
      backend: database.backend,
      events,
      closeGraceMs: 1000,
      ...options,
    });
    cleanups.push(() => executor.close());
    return executor;
  };
  /** Every relay has copied the log as it is now. */
  const relayed = () => Promise.all(transports.map((t) => t.relay?.flushed() ?? Promise.resolve()));
  return { stream, open, transports, relayed };
}

/** A workflow of 3 tasks: 2 + 3 * 3 = 11 events per run. */
const EVENTS_PER_RUN = 11;
function threeTasks() {
  return defineWorkflow({ a: {}, b: { dependsOn: ["a"] }, c: { dependsOn: ["a"] } }).wf;
}

function collect(stream: EventStream, perEvent?: () => Promise<void>) {
  const events: ExecutorEvent[] = [];
  const done = (async () => {
    for await (const event of stream) {
      events.push(event);
      await perEvent?.();
    }
  })();
  return { events, done, stop: () => stream.close().then(() => done) };
}

/** The first `count` events of the log after `after`, read back in one go. */
async function replay(executor: Executor, count: number, after = "0-0"): Promise<string[]> {
  const seqs: string[] = [];
  if (count === 0) return seqs;
  for await (const event of executor.events({ after })) {
    seqs.push(event.seq);
    if (seqs.length === count) break;
  }
  return seqs;
}

function expectIncreasing(seqs: string[]): void {
  for (let i = 1; i < seqs.length; i++) expect(compareSeq(seqs[i - 1]!, seqs[i]!)).toBeLessThan(0);
}

describe("redis events URL", () => {
  const invalid = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_EVENTS_TRANSPORT", name: "ValidationError" });
      return (error as Error).message;
    }
    throw new Error("expected INVALID_EVENTS_TRANSPORT");
  };

  test("bad URLs and options are INVALID_EVENTS_TRANSPORT, naming the accepted form", () => {
    expect(invalid(() => redisTransport("http://127.0.0.1:6379/0"))).toContain('must start with "redis://"');
    expect(invalid(() => redisTransport("redis://127.0.0.1:99999/0"))).toContain("port");
    expect(invalid(() => redisTransport("redis://127.0.0.1:port/0"))).toContain("port");
    expect(invalid(() => redisTransport("redis://127.0.0.1:0/0"))).toContain("port");
    expect(invalid(() => redisTransport("redis://127.0.0.1:6379/zero"))).toContain("database number");
    expect(invalid(() => redisTransport("redis:///0"))).toContain("no host");
    expect(invalid(() => redisTransport("redis://127.0.0.1/0?strem=x"))).toContain("strem");
    expect(invalid(() => redisTransport("redis://127.0.0.1/0?maxlen=-1"))).toContain("maxlen");
    expect(invalid(() => redisTransport("redis://127.0.0.1/0?stream=has space"))).toContain("stream");
    expect(invalid(() => redisTransport("redis://127.0.0.1/0", { blockMs: 1 }))).toContain("blockMs");
    expect(invalid(() => redisTransport("redis://127.0.0.1/0", { retries: 3 } as never))).toContain("retries");
    expect(() => redisTransport("rediss://user:pw@cache.example.com:6380/3?stream=a:b&maxlen=0")).not.toThrow();
  });

  test("a password in the URL is never printed", async () => {
    const message = invalid(() => redisTransport("redis://admin:s3cret-pw@127.0.0.1:99999/0"));
    expect(message).not.toContain("s3cret-pw");
    expect(message).toContain("admin:***@");
    const database = sqliteDatabase();
    const failed = createExecutor(database.url, {
      backend: database.backend,
      events: "redis://admin:s3cret-pw@127.0.0.1:1/0",
    });
    await expect(failed).rejects.toMatchObject({ code: "EVENTS_TRANSPORT_FAILED" });
    const error = (await failed.catch((e: unknown) => e)) as Error;
    expect(error.message).not.toContain("s3cret-pw");
    expect(error.message).toContain("Cannot connect to Redis");
  });

  test("createExecutor: any other events string is INVALID_EVENTS_TRANSPORT naming the accepted values", async () => {
    const database = sqliteDatabase();
    const opened = createExecutor(database.url, {
      backend: database.backend,
      events: "kafka://user:s3cret-pw@broker:9092" as never,
    });
    await expect(opened).rejects.toMatchObject({ code: "INVALID_EVENTS_TRANSPORT" });
    const message = ((await opened.catch((e: unknown) => e)) as Error).message;
    expect(message).toContain('"memory", "postgres", a Redis URL');
    expect(message).not.toContain("s3cret-pw");
  });
});

describe.skipIf(skipRedis)("redis transport", () => {
  test("createExecutor accepts a redis:// URL; a group cannot be combined with executionId", async () => {
    const { stream } = setup();
    const database = sqliteDatabase();
    const executor = await createExecutor(database.url, {
      backend: database.backend,
      events: stream.url as `redis://${string}`,
    });
    cleanups.push(() => executor.close());
    const result = await executor.execute(threeTasks(), {});
    const events: ExecutorEvent[] = [];
    for await (const event of executor.events({ executionId: result.executionId })) events.push(event);
    expect(events.map((e) => e.type).at(-1)).toBe("run.completed");
    expect(events).toHaveLength(EVENTS_PER_RUN);
    expect(() => executor.events({ group: "g", executionId: result.executionId })).toThrow(
      expect.objectContaining({ code: "INVALID_EVENTS_OPTIONS" }),
    );
  });

  test("a named group shared by two subscribers splits the events: each goes to exactly one", async () => {
    const { open } = setup();
    const worker = await open();
    const client = await open({ runTasks: false });
    const start = await replay(worker, 0);
    const slow = () => sleep(2);
    const first = collect(client.events({ group: "split" }), slow);
    const second = collect(client.events({ group: "split" }), slow);
    const wf = threeTasks();
    const runs = 12;
    for (let i = 0; i < runs; i++) await worker.start(wf, { i }); // events arrive over time
    const total = runs * EVENTS_PER_RUN;
    await until(() => first.events.length + second.events.length >= total, `the group got ${total} events`, 20_000);
    await sleep(100); // nothing more comes
    await Promise.all([first.stop(), second.stop()]);
    const a = first.events.map((e) => e.seq);
    const b = second.events.map((e) => e.seq);
    expect(a.length).toBeGreaterThan(0);
    expect(b.length).toBeGreaterThan(0);
    expect(a.filter((s) => b.includes(s))).toEqual([]);
    expectIncreasing(a);
    expectIncreasing(b);
    expect([...a, ...b].sort(compareSeq)).toEqual(await replay(client, total));
    expect(start).toEqual([]);
  });

  test("a named group survives the loss of its stream (Redis restarted without persistence)", async () => {
    const { open, stream } = setup();
    const errors: unknown[] = [];
    const executor = await open({ onError: (e) => errors.push(e) });
    const wf = threeTasks();
    const group = collect(executor.events({ group: "survivor" }));
    await executor.execute(wf, {});
    await until(() => group.events.length === EVENTS_PER_RUN, "the group got the first run");
    const redis = await redisClient();
    await redis.del(stream.key); // the stream, and the group with it
    await redis.quit();
    await executor.execute(wf, {});
    await executor.execute(wf, {});
    await until(() => group.events.length === 3 * EVENTS_PER_RUN, "the group got the runs after the loss", 20_000);
    await group.stop();
    expectIncreasing(group.events.map((e) => e.seq));
    expect(group.events.map((e) => e.seq)).toEqual(await replay(executor, 3 * EVENTS_PER_RUN));
  });

  test("a named group subscriber that disconnects and resubscribes resumes without gap or duplicate", async () => {
    const { open } = setup();
    const worker = await open();
    const client = await open({ runTasks: false });
    const wf = threeTasks();
    const stream = client.events({ group: "resume" });
    const runs = 6;
    await Promise.all(Array.from({ length: runs }, (_, i) => worker.execute(wf, { i })));
    const total = runs * EVENTS_PER_RUN;
    const seen: string[] = [];
    for await (const event of stream) {
      seen.push(event.seq);
      if (seen.length === 5) break; // disconnects with the rest of its batch unacknowledged
    }
    // A second wave while it is away.
    await Promise.all(Array.from({ length: runs }, (_, i) => worker.execute(wf, { i })));
    for await (const event of client.events({ group: "resume" })) {
      seen.push(event.seq);
      if (seen.length === 2 * total) break;
    }
    expectIncreasing(seen);
    expect(seen).toEqual(await replay(client, 2 * total));
    // Everything was acknowledged: a new subscriber of the group gets only what comes next.
    const later = collect(client.events({ group: "resume" }));
    const last = await worker.execute(wf, {});
    await until(() => later.events.length === EVENTS_PER_RUN, "the next run's events");
    await later.stop();
    expect(later.events.every((e) => e.executionId === last.executionId)).toBe(true);
  });

  for (const [name, database] of [
    ["sqlite", sqliteDatabase],
    ["postgres", postgresDatabase],
  ] as const) {
    test.skipIf(name === "postgres" && skipPostgres)(
      `${name}: two executors relaying add each event to the stream once (XLEN = log length)`,
      async () => {
        const { stream, open, transports, relayed } = setup(database());
        const workers = [await open(), await open()];
        const wf = threeTasks();
        const runs = 40;
        const started = performance.now();
        await Promise.all(Array.from({ length: runs }, (_, i) => workers[i % 2]!.execute(wf, { i })));
        await relayed();
        const total = runs * EVENTS_PER_RUN;
        const redis = await redisClient();
        try {
          expect(await redis.xLen(stream.key)).toBe(total);
          const ids = ((await redis.xRange(stream.key, "-", "+")) ?? []).map((e) => e.id);
          expect(ids).toEqual(await replay(workers[0]!, total));
        } finally {
          redis.destroy();
        }
        expect(transports.reduce((sum, t) => sum + (t.relay?.added ?? 0), 0)).toBe(total);
        console.log(
          `${name}: ${total} events written and relayed by 2 executors in ${Math.round(performance.now() - started)} ms`,
        );
      },
    );
  }

  test("a subscriber whose position predates the trimmed stream still gets every event, from the log", async () => {
    const { stream, open, relayed } = setup(sqliteDatabase(), "&maxlen=10");
    const worker = await open();
    const client = await open({ runTasks: false });
    const wf = threeTasks();
    // A live subscriber that gets one event, then stalls while the stream moves on and is trimmed.
    const live = client.events();
    const iterator = live[Symbol.asyncIterator]();
    const first = await worker.execute(wf, {});
    const seen = [((await iterator.next()).value as ExecutorEvent).seq];
    const runs = 30;
    for (let i = 0; i < runs; i++) await worker.execute(wf, { i });
    await relayed();
    const total = (runs + 1) * EVENTS_PER_RUN;
    const redis = await redisClient();
    try {
      expect(await redis.xLen(stream.key)).toBeLessThan(total - EVENTS_PER_RUN);
      const info: unknown = await redis.sendCommand(["XINFO", "STREAM", stream.key]);
      const fields = (Array.isArray(info) ? Object.fromEntries(chunks(info)) : info) as Record<string, unknown>;
      expect(compareSeq(String(fields["recorded-first-entry-id"]), seen[0]!)).toBeGreaterThan(0);
    } finally {
      redis.destroy();
    }
    while (seen.length < total) seen.push(((await iterator.next()).value as ExecutorEvent).seq);
    await live.close();
    const log = await replay(client, total);
    expect(seen).toEqual(log);
    expect(log[0]).toBe(seen[0]);
    expect((await client.inspect(first.executionId)).status).toBe("Completed");
    // A new named group placed before the trimmed part reads that part from the log.
    const group: string[] = [];
    for await (const event of client.events({ group: "late", after: "0-0" })) {
      group.push(event.seq);
      if (group.length === total) break;
    }
    expect(group).toEqual(log);
  });
});

function chunks(flat: unknown[]): [string, unknown][] {
  const pairs: [string, unknown][] = [];
  for (let i = 0; i < flat.length; i += 2) pairs.push([String(flat[i]), flat[i + 1]]);
  return pairs;
}
