import type { EventsOptions, EventStream } from "./event.js";
import { LogStream, type LogStreamOptions } from "./log-stream.js";
import { OpenStreams } from "./open-streams.js";
import type { EventLog, EventTransport } from "./transport.js";

/**
 * The built-in transports: subscribers read the store's log, woken by this process's writes
 * ("memory") and also by PostgreSQL notices from other processes ("postgres").
 */
export class LogTransport implements EventTransport {
  readonly name: "memory" | "postgres";
  readonly #log: EventLog;
  readonly #settings: LogStreamOptions;
  readonly #streams = new OpenStreams();

  constructor(name: "memory" | "postgres", log: EventLog, settings: LogStreamOptions) {
    this.name = name;
    this.#log = log;
    this.#settings = settings;
  }

  subscribe(options: EventsOptions): EventStream {
    return this.#streams.add(new LogStream(this.#log, options, this.#settings));
  }

  async close(): Promise<void> {
    await this.#streams.closeAll();
  }
}
