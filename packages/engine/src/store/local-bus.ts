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
// One small entry per database this process ever opened; listeners leave when they unsubscribe.
const buses = ((globalThis as Record<symbol, unknown>)[BUSES] ??= new Map()) as Map<string, LocalBus>;

/** The bus of one database, shared by every driver of this process on it. */
export function localBus(identity: string): LocalBus {
  let bus = buses.get(identity);
  if (!bus) buses.set(identity, (bus = new LocalBus()));
  return bus;
}
