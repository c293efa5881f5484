import type { EventHead, EventRecord } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { ExecutorEvent, WaitKind } from "./event.js";
import type { EventLog } from "./transport.js";

/** The store's event log, woken by this process's writes and (optionally) by store notices. */
export class StoreEventLog implements EventLog {
  readonly #store: Store;
  readonly #remote = new Set<() => void>();

  constructor(store: Store) {
    this.#store = store;
  }

  async read(after: string | null, limit: number, executionId?: string): Promise<ExecutorEvent[]> {
    return (await this.#store.events.read(after, limit, executionId)).map(toExecutorEvent);
  }

  head(): Promise<EventHead> {
    return this.#store.events.head();
  }

  onAppend(listener: () => void): () => void {
    const stopLocal = this.#store.onLocalAppend(listener);
    this.#remote.add(listener);
    return () => {
      stopLocal();
      this.#remote.delete(listener);
    };
  }

  /** Another process appended events (a store notice). */
  remoteAppend(): void {
    for (const listener of this.#remote) listener();
  }
}

export function toExecutorEvent(record: EventRecord): ExecutorEvent {
  const event: ExecutorEvent = {
    seq: record.seq,
    type: record.type,
    executionId: record.runId,
    at: new Date(record.at),
  };
  if (record.taskId !== null) event.taskId = record.taskId;
  if (record.attempt !== null) event.attempt = record.attempt;
  if (record.data !== null) {
    const data = JSON.parse(record.data) as {
      workflow?: string;
      error?: never;
      retryAt?: number;
      recovered?: boolean;
      waitingFor?: WaitKind;
      until?: number;
      instance?: number;
      instances?: number;
      childRunId?: string;
    };
    if (data.workflow !== undefined) event.workflow = data.workflow;
    if (data.error !== undefined) event.error = data.error;
    if (data.retryAt !== undefined) event.retryAt = new Date(data.retryAt);
    if (data.recovered !== undefined) event.recovered = data.recovered;
    if (data.waitingFor !== undefined) event.waitingFor = data.waitingFor;
    if (data.until !== undefined) event.until = new Date(data.until);
    if (data.instance !== undefined) event.instance = data.instance;
    if (data.instances !== undefined) event.instances = data.instances;
    if (data.childRunId !== undefined) event.childRunId = data.childRunId;
  }
  return event;
}
