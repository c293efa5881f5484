/**
 * How events travel from the process that wrote them to subscribers. Every transport reads the
 * same durable log (the store's events table, written in the same transaction as each change);
 * it only decides how subscribers learn that there is more to read, and who reads it.
 */
import type { EventHead } from "../store/records.js";
import type { EventsOptions, EventStream, ExecutorEvent } from "./event.js";

/** The store's event log, as transports see it. */
export interface EventLog {
  /**
   * Events after `after` (exclusive; `null`: from the first), in log order, at most `limit`, of
   * one run when `executionId` is given. Only events whose position is final are returned (on
   * PostgreSQL, none from a transaction that could still commit before an older one), so reading
   * on from the last one returned never skips one.
   */
  read(after: string | null, limit: number, executionId?: string): Promise<ExecutorEvent[]>;
  /** Where "from now" starts: read after `after`, skipping events `before(seq)` says are older. */
  head(): Promise<EventHead>;
  /**
   * Calls `listener` whenever events may have been appended: by this process at once, by other
   * processes when the store can tell (PostgreSQL NOTIFY). Returns a function that stops it.
   */
  onAppend(listener: () => void): () => void;
}

/** A way to deliver events to subscribers. */
export interface EventTransport {
  /** "memory", "postgres", "redis": shown in errors and health. */
  readonly name: string;
  subscribe(options: EventsOptions): EventStream;
  /** Ends every subscription and releases connections. */
  close(): Promise<void>;
}

export interface EventTransportContext {
  log: EventLog;
  /** Where background errors go (the executor's `onError`). */
  onError: (error: unknown) => void;
}

/** Builds a transport for one executor; `createExecutor` resolves `events: "redis://…"` to one. */
export type EventTransportFactory = (context: EventTransportContext) => EventTransport | Promise<EventTransport>;

/** Re-exported for transports that batch reads. */
export type { ExecutorEvent };
