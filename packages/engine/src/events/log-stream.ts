import { z } from "zod";
import { isCloacinaError, ValidationError } from "../errors.js";
import type { EventsOptions, EventStream, ExecutorEvent } from "./event.js";
import type { EventHead } from "../store/records.js";
import { Doorbell } from "./doorbell.js";
import type { EventLog } from "./transport.js";

const eventsOptionsSchema = z.strictObject({
  executionId: z.string().min(1).optional(),
  after: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}$/, 'an event position looks like "0-42" (the `seq` of an event)')
    .optional(),
  group: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:-]+$/, "use letters, digits and _ . : -")
    .optional(),
});

export function parseEventsOptions(options: EventsOptions | undefined): EventsOptions {
  const parsed = eventsOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new ValidationError("INVALID_EVENTS_OPTIONS", `Invalid events() options:\n${z.prettifyError(parsed.error)}`);
  }
  const result: EventsOptions = {};
  if (parsed.data.executionId !== undefined) result.executionId = parsed.data.executionId;
  if (parsed.data.after !== undefined) result.after = parsed.data.after;
  if (parsed.data.group !== undefined) result.group = parsed.data.group;
  return result;
}

const FINAL_RUN_EVENTS = new Set(["run.completed", "run.failed", "run.cancelled"]);

/** A run's stream ends with the event that finishes the run (the last one, if it was retried). */
export function endsRunStream(event: ExecutorEvent, options: EventsOptions): boolean {
  return options.executionId !== undefined && FINAL_RUN_EVENTS.has(event.type);
}

const PAGE = 500;
/** After a wake-up found nothing yet (PostgreSQL: an older transaction still open), read again. */
const SETTLE_DELAYS = [2, 10, 50, 200, 500, 1000, 1000, 1000];

export interface LogStreamOptions {
  /** Read again this often even without a wake-up (a missed notice costs at most this). */
  pollMs: number;
  onError: (error: unknown) => void;
}

/**
 * A subscription that reads the durable log by position: woken by appends, it reads every event
 * after the last one it delivered, so it can neither skip nor repeat one, whoever wrote it.
 */
export class LogStream implements EventStream {
  readonly #log: EventLog;
  readonly #options: EventsOptions;
  readonly #settings: LogStreamOptions;
  readonly #start: Promise<EventHead>;
  readonly #unsubscribe: () => void;
  #closed = false;
  readonly #bell = new Doorbell();

  constructor(log: EventLog, options: EventsOptions, settings: LogStreamOptions) {
    this.#log = log;
    this.#options = options;
    this.#settings = settings;
    this.#unsubscribe = log.onAppend(() => this.#bell.ring());
    // "From now" is from when `events()` was called, not from the first `next()`.
    this.#start =
      options.after !== undefined
        ? Promise.resolve({ after: options.after })
        : options.executionId !== undefined
          ? Promise.resolve({ after: null })
          : log.head();
    this.#start.catch(() => {}); // surfaced by the iterator
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ExecutorEvent, void, undefined> {
    try {
      const start = await this.#start;
      let cursor = start.after;
      const older = start.before;
      let settle = SETTLE_DELAYS.length;
      let failures = 0;
      let finished = false;
      while (!this.#closed) {
        this.#bell.rung = false;
        let page: ExecutorEvent[];
        try {
          page = await this.#log.read(cursor, PAGE, this.#options.executionId);
          failures = 0;
        } catch (error) {
          // A position this database cannot have is the subscriber's mistake: tell it. Anything
          // else (a connection lost) is retried.
          if (isCloacinaError(error) && error.code === "INVALID_EVENT_POSITION") throw error;
          this.#settings.onError(error);
          await this.#bell.wait(Math.min(5000, 100 * 2 ** failures++));
          continue;
        }
        for (const event of page) {
          if (this.#closed) return;
          cursor = event.seq;
          if (older?.(event.seq)) continue; // committed before the subscription
          yield event;
          finished = endsRunStream(event, this.#options);
        }
        // A run's stream ends at its last final event: one followed by more (it was retried) does not.
        if (finished && page.length < PAGE) return;
        if (page.length === PAGE) continue;
        if (page.length > 0) settle = SETTLE_DELAYS.length;
        if (this.#bell.rung) {
          settle = 0;
          continue;
        }
        const delay = settle < SETTLE_DELAYS.length ? SETTLE_DELAYS[settle++]! : this.#settings.pollMs;
        await this.#bell.wait(delay);
        if (this.#bell.rung) settle = 0;
      }
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe();
    this.#bell.interrupt();
  }
}
