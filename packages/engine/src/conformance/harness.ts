import { randomUUID } from "node:crypto";
import { openExecutor, type Executor } from "../executor/executor.js";
import type { ExecutorOptions } from "../executor/executor-options.js";
import type { StoreDriver } from "../store/driver.js";
import { Store } from "../store/store.js";
import { task } from "../task/task.js";
import type { TaskFunction } from "../task/task-definition.js";
import type { TaskOptions } from "../task/task-options.js";
import { workflow, type Workflow } from "../workflow/workflow.js";

/** What a backend gives the conformance suite: fresh databases, each openable several times. */
export interface ConformanceTarget {
  /** Shown in test names, e.g. "sqlite". */
  name: string;
  /**
   * A new, empty database. `connect()` opens a new driver on it (call it again to get a second
   * connection, as a second process would); `dispose()` closes nothing, but deletes the database.
   */
  createDatabase(): Promise<TestDatabase>;
  /** Event transports to run the live-event cases with (default: the executor's default). */
  eventTransports?: { name: string; events: ExecutorOptions["events"] }[];
  /** Tests to skip, each with the reason written out. */
  skip?: { reason: string; tests: string[] }[];
}

export interface TestDatabase {
  connect(): Promise<StoreDriver>;
  dispose(): Promise<void>;
}

type TaskSpec = Omit<TaskOptions, "id"> & { run?: TaskFunction };

/**
 * Declares a workflow whose task ids are made unique (tests share one global registry), and
 * returns it with a map from short names to real ids.
 */
export function defineWorkflow(tasks: Record<string, TaskSpec>): {
  wf: Workflow;
  id: (short: string) => string;
  short: (id: string) => string;
} {
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const id = (short: string) => prefix + short;
  const refs = Object.entries(tasks).map(([short, spec]) => {
    const { run, dependsOn, ...options } = spec;
    return task({ ...options, id: id(short), dependsOn: (dependsOn ?? []).map(id) }, run ?? (() => undefined));
  });
  return { wf: workflow({ name: `${prefix}wf`, tasks: refs }), id, short: (full) => full.slice(prefix.length) };
}

/** A promise with its resolve function outside, to hold a task until the test lets it go. */
export function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

/** Resolves once `predicate` holds, checking after each macrotask (test helper, not a timer wait). */
export async function until(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Opens executors on connections to one database and closes everything at the end. */
export class Session {
  readonly #database: TestDatabase;
  readonly #executors: Executor[] = [];
  readonly #stores: Store[] = [];

  constructor(database: TestDatabase) {
    this.#database = database;
  }

  /** The engine's store wrapper on a new connection, migrated: for cases that drive plans directly. */
  async store(): Promise<Store> {
    const store = new Store(await this.#database.connect());
    await store.migrate();
    this.#stores.push(store);
    return store;
  }

  async executor(options: ExecutorOptions = {}): Promise<Executor> {
    const executor = await openExecutor(await this.#database.connect(), { closeGraceMs: 1000, ...options });
    this.#executors.push(executor);
    return executor;
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.#executors.map((e) => e.close()));
    await Promise.allSettled(this.#stores.map((s) => s.close()));
    await this.#database.dispose();
  }
}
