import type { EventsOptions, EventStream } from "./event.js";
import { LogStream, type LogStreamOptions } from "./log-stream.js";
import type { EventLog, EventTransport } from "./transport.js";

/**
 * The built-in transports: subscribers read the store's log, woken by this process's writes
 * ("memory") and also by PostgreSQL notices from other processes ("postgres").
 */
export class LogTransport implements EventTransport {
  readonly name: "memory" | "postgres";
  readonly #log: EventLog;
  readonly #settings: LogStreamOptions;
  readonly #streams = new Set<EventStream>();

  constructor(name: "memory" | "postgres", log: EventLog, settings: LogStreamOptions) {
    this.name = name;
    this.#log = log;
    this.#settings = settings;
  }

  subscribe(options: EventsOptions): EventStream {
    const stream = new LogStream(this.#log, options, this.#settings);
    this.#streams.add(stream);
    const close = stream.close.bind(stream);
    stream.close = async () => {
      this.#streams.delete(stream);
      await close();
    };
    return stream;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#streams].map((s) => s.close()));
  }
}
