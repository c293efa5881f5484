/**
 * Wake-ups between the executors of this process that share one database: appended events (for
 * event subscribers) and, for a driver without notices between processes, a step's notices.
 * One bus per database (the driver's `identity`), so executors on different databases in one
 * process never wake each other. Kept on `globalThis`, so two copies of the engine share it.
 */
import type { StoreEvent } from "./records.js";

export class LocalBus {
  readonly #appended = new Set<() => void>();
  readonly #notices = new Set<(notice: StoreEvent) => void>();

  onAppend(listener: () => void): () => void {
    this.#appended.add(listener);
    return () => this.#appended.delete(listener);
  }

  appended(): void {
    for (const listener of this.#appended) listener();
  }

  onNotice(listener: (notice: StoreEvent) => void): () => void {
    this.#notices.add(listener);
    return () => this.#notices.delete(listener);
  }

  notify(notice: StoreEvent): void {
    for (const listener of this.#notices) listener(notice);
  }
}

const BUSES = Symbol.for("cloacina.local-bus.v1");
type Buses = Map<string, { bus: LocalBus; users: number }>;
const buses = ((globalThis as Record<symbol, unknown>)[BUSES] ??= new Map()) as Buses;

/** The bus of one database, shared by every driver of this process on it; `release` when closed. */
export function localBus(identity: string): { bus: LocalBus; release: () => void } {
  let entry = buses.get(identity);
  if (!entry) buses.set(identity, (entry = { bus: new LocalBus(), users: 0 }));
  entry.users++;
  const held = entry;
  let released = false;
  return {
    bus: held.bus,
    release: () => {
      if (released) return;
      released = true;
      if (--held.users === 0 && buses.get(identity) === held) buses.delete(identity);
    },
  };
}
