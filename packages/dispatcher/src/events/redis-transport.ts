/**
 * The Redis Streams events transport: `events: "redis://host:6379/0?stream=cloacina:events"`.
 *
 * Every executor on it relays the durable log into one stream, each event under its `seq` as the
 * entry id (so several relays add each entry once), and subscribers follow the stream instead of
 * the database: many subscribers, on many machines, cost the database nothing while they follow.
 */
import { type EventLog, type EventTransport, type EventTransportFactory, OpenStreams } from "@cloacina/engine/events";
import { type EventsOptions, type EventStream, ValidationError } from "@cloacina/engine";
import { z } from "zod";
import { connectRedis, type RedisConnection } from "./redis-client.js";
import { Relay } from "./redis-relay.js";
import { RedisStream } from "./redis-stream.js";
import { parseRedisUrl, type RedisUrlConfig } from "./redis-url.js";

const CLOSE_FLUSH_MS = 2000;

const optionsSchema = z.strictObject({
  /**
   * Relay this executor's log into the stream (default true). Some executor on the database must
   * relay; turn it off only on pure subscribers when workers relay.
   */
  relay: z.boolean().default(true),
  /** Read the log for events to relay this often even without a wake-up, in ms. */
  relayPollMs: z.int().min(10).max(600_000).default(1000),
  /** How long one blocking read waits before it is issued again, in ms. */
  blockMs: z.int().min(10).max(600_000).default(5000),
  /** A named group takes over entries a consumer left unacknowledged this long, in ms. */
  claimIdleMs: z.int().min(0).default(60_000),
});

export type RedisTransportOptions = z.input<typeof optionsSchema>;

/**
 * A transport factory for `ExecutorOptions.events`. `createExecutor` builds one from a
 * `"redis://…"` string; call it yourself to pass options.
 *
 * ```ts
 * const executor = await createExecutor("postgres://…", {
 *   events: redisTransport("redis://127.0.0.1:6379/0?stream=orders:events", { relay: false }),
 * });
 * ```
 */
export function redisTransport(url: string, options: RedisTransportOptions = {}): EventTransportFactory {
  const config = parseRedisUrl(url);
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError(
      "INVALID_EVENTS_TRANSPORT",
      `Invalid redisTransport() options:\n${z.prettifyError(parsed.error)}`,
    );
  }
  const settings = parsed.data;
  return async ({ log, onError }) => {
    const redis = await connectRedis(config.clientUrl, config.display, onError);
    return new RedisTransport(config, settings, log, redis, onError);
  };
}

export class RedisTransport implements EventTransport {
  readonly name = "redis";
  /** Null when this executor does not relay. */
  readonly relay: Relay | null;
  readonly #config: RedisUrlConfig;
  readonly #settings: z.output<typeof optionsSchema>;
  readonly #log: EventLog;
  readonly #redis: RedisConnection;
  readonly #onError: (error: unknown) => void;
  readonly #streams = new OpenStreams();
  #closing: Promise<void> | undefined;

  constructor(
    config: RedisUrlConfig,
    settings: z.output<typeof optionsSchema>,
    log: EventLog,
    redis: RedisConnection,
    onError: (error: unknown) => void,
  ) {
    this.#config = config;
    this.#settings = settings;
    this.#log = log;
    this.#redis = redis;
    this.#onError = onError;
    this.relay = settings.relay
      ? new Relay(log, redis, { stream: config.stream, maxlen: config.maxlen, pollMs: settings.relayPollMs, onError })
      : null;
  }

  subscribe(options: EventsOptions): EventStream {
    if (options.group !== undefined && options.executionId !== undefined) {
      throw new ValidationError(
        "INVALID_EVENTS_OPTIONS",
        "events({ group, executionId }) is not supported: a group shares the whole stream among its subscribers. " +
          "Subscribe to the group and filter by executionId in your loop, or drop the group to follow one run.",
      );
    }
    const stream = new RedisStream(this.#log, this.#redis, options, {
      stream: this.#config.stream,
      blockMs: this.#settings.blockMs,
      claimIdleMs: this.#settings.claimIdleMs,
      onError: this.#onError,
    });
    return this.#streams.add(stream);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#streams.closeAll();
      if (this.relay) {
        // Best effort: relay what this executor wrote last; any relay picks up what is left.
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_FLUSH_MS)));
        await Promise.race([this.relay.flushed(), timeout]);
        clearTimeout(timer);
        await this.relay.close();
      }
      this.#redis.destroy();
    })();
    return this.#closing;
  }
}
