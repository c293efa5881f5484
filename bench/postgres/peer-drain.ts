import type pg from "pg";
import { rate, type Rate } from "../measure.js";
import { withClient } from "./server.js";
import { JOBS } from "./workflows.js";

/** A peer's drain: finished, or cut off at the cap with how far it got. */
export type PeerDrain = { finished: true; rate: Rate } | { finished: false; capMs: number; completed: number };

/** Counts handler calls; `all` resolves when the JOBS-th returns. */
export class JobCounter {
  count = 0;
  readonly all: Promise<void>;
  #resolve!: () => void;

  constructor() {
    this.all = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Call at the end of each job's handler. */
  readonly done = (n = 1): void => {
    this.count += n;
    if (this.count >= JOBS) this.#resolve();
  };
}

export interface PeerDrainOptions {
  counter: JobCounter;
  /** Enqueues all JOBS jobs in bulk. */
  enqueue: () => Promise<void>;
  /** How many jobs the peer's own tables record as completed (asked on a connection of our own). */
  storedCompleted: (client: pg.Client) => Promise<number>;
  capMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Times from the bulk enqueue to the last job recorded as completed in the peer's tables. Both
 * peers may write completions after the handler returns (batched, or not awaited), so the
 * handler count only says when to start asking the database; the end is the database's word.
 * The connection that asks is opened before the clock starts.
 */
export async function measurePeerDrain({
  counter,
  enqueue,
  storedCompleted,
  capMs,
}: PeerDrainOptions): Promise<PeerDrain> {
  return withClient((client) => drain(client, { counter, enqueue, storedCompleted, capMs }));
}

async function drain(
  client: pg.Client,
  { counter, enqueue, storedCompleted, capMs }: PeerDrainOptions,
): Promise<PeerDrain> {
  const started = performance.now();
  const deadline = started + capMs;
  await enqueue();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    counter.all,
    new Promise((resolve) => (timer = setTimeout(resolve, deadline - performance.now()))),
  ]);
  clearTimeout(timer);
  for (;;) {
    const completed = await storedCompleted(client);
    if (completed >= JOBS) return { finished: true, rate: rate(JOBS, performance.now() - started) };
    if (performance.now() > deadline) return { finished: false, capMs, completed };
    await sleep(2);
  }
}
