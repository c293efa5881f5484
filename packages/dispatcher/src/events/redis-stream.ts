import { hostname } from "node:os";
import { compareSeq, type EventHead, type EventsOptions, type EventStream, type ExecutorEvent, isCloacinaError } from "@cloacina/engine";
import { Doorbell, endsRunStream, type EventLog } from "@cloacina/engine/events";
import type { RedisConnection, Reply } from "./redis-client.js";
import { decodeEntry, GROUP_READ_SCRIPT, maxSeq, READ_SCRIPT, ZERO } from "./redis-entries.js";

const PAGE = 500;
const CLOSED = Symbol("closed");

export interface RedisStreamSettings {
  stream: string;
  /** How long one XREAD BLOCK waits before it is issued again (bounds how late a close is seen). */
  blockMs: number;
  /** A named group takes over entries another consumer left unacknowledged this long (it died). */
  claimIdleMs: number;
  onError: (error: unknown) => void;
}

/**
 * A subscription on the Redis transport. Two modes:
 *
 * - private (no `group`): catch up from the durable log (history is the log's job: indexed by
 *   run, never trimmed behind a subscriber's back), then follow the stream with XRANGE from the
 *   last position, woken by XREAD BLOCK. No server-side state, so a crashed process leaves
 *   nothing behind. Entries trimmed before it read them are read from the log.
 * - named `group`: XREADGROUP, so the group's subscribers share the events (each to one) and the
 *   group's position lives in Redis. Entries are acknowledged once the loop body that got them
 *   has finished; unacknowledged ones go back to this consumer when it resubscribes, or to another
 *   consumer of the group after `claimIdleMs`.
 */
export class RedisStream implements EventStream {
  readonly #log: EventLog;
  readonly #redis: RedisConnection;
  readonly #options: EventsOptions;
  readonly #settings: RedisStreamSettings;
  readonly #start: Promise<EventHead>;
  #blocking: Promise<RedisConnection> | undefined;
  /** The last group entry this subscriber handled (where a lost group is made again). */
  #lastEntry: string | undefined;
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #backoff = new Doorbell();
  /** Named group: entry ids delivered and done with, to XACK; and the one out with the consumer. */
  #acks: string[] = [];
  #current: string | undefined;
  #consumer: { name: string; release: () => void } | undefined;

  constructor(log: EventLog, redis: RedisConnection, options: EventsOptions, settings: RedisStreamSettings) {
    this.#log = log;
    this.#redis = redis;
    this.#options = options;
    this.#settings = settings;
    // "From now" is from when `events()` was called, not from the first `next()`.
    this.#start =
      options.after !== undefined
        ? Promise.resolve({ after: options.after })
        : options.executionId !== undefined && options.group === undefined
          ? Promise.resolve({ after: null })
          : log.head();
    this.#start.catch(() => {}); // surfaced by the iterator
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExecutorEvent, void, undefined> {
    try {
      yield* this.#options.group === undefined ? this.#private() : this.#grouped(this.#options.group);
    } finally {
      await this.close();
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.#backoff.interrupt();
      if (this.#current !== undefined) this.#acks.push(this.#current);
      this.#current = undefined;
      await this.#flushAcks().catch((error: unknown) => this.#settings.onError(error));
      this.#consumer?.release();
      const blocking = this.#blocking;
      this.#blocking = undefined;
      if (blocking) (await blocking.catch(() => undefined))?.destroy();
    })();
    return this.#closing;
  }

  async *#private(): AsyncGenerator<ExecutorEvent, void, undefined> {
    const { executionId } = this.#options;
    const start = await this.#start;
    let delivered = start.after;
    // Events committed before a "from now" subscription (PostgreSQL: see EventHead).
    const older = start.before ?? (() => false);
    const head = executionId === undefined ? null : await this.#attempt(() => this.#log.head());
    if (head === CLOSED) return;
    let finished = false;
    // 1. History, from the log.
    for (;;) {
      const page = await this.#attempt(() => this.#log.read(delivered, PAGE, executionId));
      if (page === CLOSED) return;
      for (const event of page) {
        if (this.#closed) return;
        delivered = event.seq;
        if (older(event.seq)) continue;
        yield event;
        finished = endsRunStream(event, this.#options);
      }
      if (page.length < PAGE) break;
    }
    // A run's stream ends at its last final event (one followed by a retry's events does not end it).
    if (finished) return;
    // 2. Live, from the stream: every entry after `at` (a run's events up to `at` are delivered).
    let at = maxSeq(delivered ?? ZERO, head?.after ?? ZERO);
    for (;;) {
      const reply = await this.#attempt(() =>
        this.#redis.run(READ_SCRIPT, [this.#settings.stream], [at, String(PAGE)]),
      );
      if (reply === CLOSED) return;
      const [first, entries] = reply as [string, Reply[]];
      if (compareSeq(first, at) > 0) {
        // Entries after `at` may have been trimmed before this subscriber read them: the log has them.
        for await (const event of this.#logRange(at, first)) {
          if (this.#closed) return;
          delivered = event.seq;
          if (older(event.seq)) continue;
          yield event;
          finished = endsRunStream(event, this.#options);
        }
      }
      for (const entry of entries) {
        const event = decodeEntry(entry);
        if (compareSeq(event.seq, at) <= 0) continue;
        at = event.seq;
        if (executionId !== undefined && event.executionId !== executionId) continue;
        if (delivered !== null && compareSeq(event.seq, delivered) <= 0) continue; // never twice
        if (this.#closed) return;
        delivered = event.seq;
        if (older(event.seq)) continue;
        yield event;
        finished = endsRunStream(event, this.#options);
      }
      if (finished) return;
      if (entries.length === 0 && (await this.#doorbell(at)) === CLOSED) return;
    }
  }

  async *#grouped(group: string): AsyncGenerator<ExecutorEvent, void, undefined> {
    const { stream, claimIdleMs } = this.#settings;
    const start = (await this.#start).after;
    const createGroup = async (at: string) => {
      try {
        await this.#redis.send(["XGROUP", "CREATE", stream, group, at, "MKSTREAM"]);
      } catch (error) {
        if (!String(error).includes("BUSYGROUP")) throw error; // else: it exists, and keeps its position
      }
    };
    const created = await this.#attempt(() => createGroup(start ?? ZERO));
    if (created === CLOSED) return;
    this.#consumer = takeConsumerName(stream, group);
    const consumer = this.#consumer.name;
    // 1. What this consumer got before and did not finish (it disconnected), oldest first.
    for (let from = ZERO; ;) {
      const reply = await this.#attempt(() =>
        this.#redis.send(["XREADGROUP", "GROUP", group, consumer, "COUNT", String(PAGE), "STREAMS", stream, from]),
      );
      if (reply === CLOSED) return;
      const entries = streamEntries(reply);
      if (entries.length === 0) break;
      yield* this.#deliverEntries(entries);
      if (this.#closed) return;
      from = entries.at(-1)![0];
    }
    // 2. What consumers that died left unacknowledged.
    for (let from = ZERO; ;) {
      const reply = await this.#attempt(() =>
        this.#redis.send(["XAUTOCLAIM", stream, group, consumer, String(claimIdleMs), from, "COUNT", String(PAGE)]),
      );
      if (reply === CLOSED) return;
      const [next, entries, deleted] = reply as [string, [string, Reply][], string[] | undefined];
      yield* this.#deliverEntries([...entries, ...(deleted ?? []).map((id): [string, Reply] => [id, null])]);
      if (this.#closed || next === ZERO) break;
      from = next;
    }
    // 3. New entries.
    for (;;) {
      const flushed = await this.#attempt(() => this.#flushAcks());
      if (flushed === CLOSED) return;
      const reply = await this.#attempt(async () => {
        try {
          return await this.#redis.run(GROUP_READ_SCRIPT, [stream], [group, consumer, String(PAGE)]);
        } catch (error) {
          if (!String(error).includes("NOGROUP")) throw error;
          // The stream or its group is gone (Redis restarted without persistence, the key was
          // deleted): make it again where this consumer was, and let the relays refill it.
          await createGroup(this.#lastEntry ?? start ?? ZERO);
          return await this.#redis.run(GROUP_READ_SCRIPT, [stream], [group, consumer, String(PAGE)]);
        }
      });
      if (reply === CLOSED) return;
      const [before, first, last, entries] = reply as [string, string, string, [string, Reply][]];
      if (compareSeq(first, before) > 0) {
        // Maybe trimmed before any consumer of the group got them: this one reads them from the log.
        for await (const event of this.#logRange(before, first)) {
          if (this.#closed) return;
          yield event;
        }
      }
      yield* this.#deliverEntries(entries);
      if (entries.length === 0 && (await this.#doorbell(last)) === CLOSED) return;
    }
  }

  /** Yields a group's entries, each acknowledged once the consumer asks for the next one. */
  async *#deliverEntries(entries: [string, Reply][]): AsyncGenerator<ExecutorEvent, void, undefined> {
    for (const [id, fields] of entries) {
      if (this.#closed) return;
      // An entry trimmed while it was pending comes back without fields: it is in the log.
      const event = fields === null ? await this.#attempt(() => this.#readOne(id)) : decodeEntry([id, fields]);
      if (event === CLOSED) return;
      if (event !== undefined) {
        this.#current = id;
        yield event;
        this.#current = undefined;
      }
      this.#acks.push(id);
      this.#lastEntry = id;
    }
  }

  async #flushAcks(): Promise<void> {
    const group = this.#options.group;
    if (group === undefined || this.#acks.length === 0) return;
    const ids = this.#acks;
    this.#acks = [];
    try {
      await this.#redis.send(["XACK", this.#settings.stream, group, ...ids]);
    } catch (error) {
      this.#acks.unshift(...ids);
      throw error;
    }
  }

  /** The log's events in (from, to) (both exclusive), of this subscription's run if it has one. */
  async *#logRange(from: string, to: string): AsyncGenerator<ExecutorEvent, void, undefined> {
    let cursor = from;
    for (;;) {
      const page = await this.#attempt(() => this.#log.read(cursor, PAGE, this.#options.executionId));
      if (page === CLOSED) return;
      for (const event of page) {
        if (compareSeq(event.seq, to) >= 0) return;
        cursor = event.seq;
        yield event;
      }
      if (page.length < PAGE) return;
    }
  }

  async #readOne(seq: string): Promise<ExecutorEvent | undefined> {
    const [event] = await this.#log.read(seqBefore(seq), 1);
    return event?.seq === seq ? event : undefined; // pruned from the log too: gone
  }

  /** Waits until the stream has an entry after `id`, or `blockMs` passed, or the stream closes. */
  async #doorbell(id: string): Promise<void | typeof CLOSED> {
    return this.#attempt(async () => {
      const connecting = (this.#blocking ??= this.#redis.duplicate());
      try {
        const blocking = await connecting;
        if (this.#closed) return;
        await blocking.send([
          "XREAD",
          "BLOCK",
          String(this.#settings.blockMs),
          "COUNT",
          "1",
          "STREAMS",
          this.#settings.stream,
          id,
        ]);
      } catch (error) {
        // A failed connection is not kept: the next attempt opens a new one.
        if (this.#blocking === connecting) this.#blocking = undefined;
        (await connecting.catch(() => undefined))?.destroy();
        throw error;
      }
    });
  }

  /** Runs a read, retrying with backoff (and reporting) while the server is unreachable. */
  async #attempt<T>(read: () => Promise<T>): Promise<T | typeof CLOSED> {
    for (let failures = 0; ; failures++) {
      if (this.#closed) return CLOSED;
      try {
        return await read();
      } catch (error) {
        if (this.#closed) return CLOSED;
        if (isPermanent(error)) throw error; // a bad position: the subscriber's mistake, not a hiccup
        this.#settings.onError(error);
        await this.#backoff.wait(Math.min(5000, 100 * 2 ** failures));
      }
    }
  }
}

/** The entries of a one-stream XREADGROUP reply (RESP2: [[key, entries]]; RESP3: { key: entries }). */
function streamEntries(reply: unknown): [string, Reply][] {
  if (reply === null || typeof reply !== "object") return [];
  const first: unknown = Array.isArray(reply) ? (reply[0] as unknown[] | undefined)?.[1] : Object.values(reply)[0];
  return (first ?? []) as [string, Reply][];
}

/** The position just before `seq`, so that `log.read(seqBefore(s), 1)` starts at `s`. */
function seqBefore(seq: string): string {
  const [major, minor] = seq.split("-").map(BigInt) as [bigint, bigint];
  return minor > 0n ? `${major}-${minor - 1n}` : major > 0n ? `${major - 1n}-18446744073709551615` : ZERO;
}

/**
 * Consumer names are stable per process and slot (`host-pid-0`, `host-pid-1`, ...): a subscriber
 * that resubscribes to a group gets its own name back, so it finds the entries it had not
 * finished. Kept on `globalThis` so two copies of this module share the slots.
 */
const SLOTS = Symbol.for("cloacina.redis.consumerSlots");

function takeConsumerName(stream: string, group: string): { name: string; release: () => void } {
  const all = ((globalThis as Record<symbol, unknown>)[SLOTS] ??= new Map<string, Set<number>>()) as Map<
    string,
    Set<number>
  >;
  const key = `${stream}\n${group}`;
  const taken = all.get(key) ?? new Set<number>();
  all.set(key, taken);
  let slot = 0;
  while (taken.has(slot)) slot++;
  taken.add(slot);
  return {
    name: `${hostname()}-${process.pid}-${slot}`,
    release: () => {
      taken.delete(slot);
      if (taken.size === 0) all.delete(key);
    },
  };
}

/** Errors that trying again cannot fix (the caller's input), as opposed to a connection failing. */
function isPermanent(error: unknown): boolean {
  return isCloacinaError(error) && error.code === "INVALID_EVENT_POSITION";
}
