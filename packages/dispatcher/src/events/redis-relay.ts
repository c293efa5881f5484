import { Doorbell, type EventLog } from "@cloacina/engine/events";
import type { RedisConnection } from "./redis-client.js";
import { encodeEvent, LAST_ID_SCRIPT, maxSeq, RELAY_SCRIPT, ZERO } from "./redis-entries.js";

const PAGE = 500;
/** After a wake-up found nothing yet (PostgreSQL: an older transaction still open), read again. */
const SETTLE_DELAYS = [2, 10, 50, 200];

export interface RelaySettings {
  stream: string;
  maxlen: number;
  /** Read the log this often even without a wake-up (appends by processes that send no notice). */
  pollMs: number;
  onError: (error: unknown) => void;
}

/**
 * Copies the durable log into the Redis stream, in log order, each event under its own `seq` as
 * the entry id. Every executor on the transport runs one; since Redis refuses an id at or below
 * the stream's last one, two relays copying the same events add each entry once.
 */
export class Relay {
  /** Events relayed by this executor (not by others), for measurements. */
  added = 0;
  readonly #log: EventLog;
  readonly #redis: RedisConnection;
  readonly #settings: RelaySettings;
  readonly #unsubscribe: () => void;
  readonly #done: Promise<void>;
  #closed = false;
  readonly #bell = new Doorbell();
  #idle: (() => void)[] = [];

  constructor(log: EventLog, redis: RedisConnection, settings: RelaySettings) {
    this.#log = log;
    this.#redis = redis;
    this.#settings = settings;
    this.#unsubscribe = log.onAppend(() => this.#bell.ring());
    this.#done = this.#loop();
  }

  /** Resolves once everything in the log at call time is in the stream (for tests and close). */
  flushed(): Promise<void> {
    return new Promise((resolve) => {
      this.#idle.push(resolve);
      this.#bell.ring();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#unsubscribe();
    this.#bell.interrupt();
    await this.#done;
  }

  async #loop(): Promise<void> {
    /** The stream's last id as this relay knows it; undefined: ask Redis. */
    let cursor: string | undefined;
    let settle = SETTLE_DELAYS.length;
    let failures = 0;
    while (!this.#closed) {
      this.#bell.rung = false;
      const waiting = this.#idle;
      this.#idle = [];
      let count: number;
      try {
        cursor ??= (await this.#redis.run(LAST_ID_SCRIPT, [this.#settings.stream], [])) as string;
        const page = await this.#log.read(cursor === ZERO ? null : cursor, PAGE);
        count = page.length;
        if (count > 0) {
          const args = [String(this.#settings.maxlen)];
          for (const event of page) args.push(event.seq, encodeEvent(event));
          const [added, last] = (await this.#redis.run(RELAY_SCRIPT, [this.#settings.stream], args)) as [
            number,
            string,
          ];
          this.added += added;
          cursor = maxSeq(page.at(-1)!.seq, last);
        }
        failures = 0;
      } catch (error) {
        if (this.#closed) break;
        this.#idle.push(...waiting);
        this.#settings.onError(error);
        cursor = undefined;
        await this.#bell.wait(Math.min(5000, 100 * 2 ** failures++));
        continue;
      }
      if (count === PAGE) {
        this.#idle.push(...waiting);
        continue;
      }
      for (const resolve of waiting) resolve();
      if (count > 0) settle = SETTLE_DELAYS.length;
      if (this.#bell.rung) {
        settle = 0;
        continue;
      }
      const delay = settle < SETTLE_DELAYS.length ? SETTLE_DELAYS[settle++]! : this.#settings.pollMs;
      await this.#bell.wait(delay);
      if (this.#bell.rung) settle = 0;
    }
    for (const resolve of this.#idle) resolve();
  }
}
