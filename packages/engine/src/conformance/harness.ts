import { randomUUID } from "node:crypto";
import { openExecutor, type Executor } from "../executor/executor.js";
import type { ExecutorOptions } from "../executor/executor-options.js";
import type { StoreDriver } from "../store/driver.js";
import { Store } from "../store/store.js";
import { task } from "../task/task.js";
import type { TaskFunction } from "../task/task-definition.js";
import type { TaskOptions } from "../task/task-options.js";
import { workflow, type Workflow } from "../workflow/workflow.js";

/** A database's tables by name: each table's column names and the names of its indexes. */
export interface SchemaShape {
  tables: Record<string, { columns: string[]; indexes: string[] }>;
}

/**
 * One test database. `connect()` opens a new store on it (call it again to get a second
 * connection, as a second process would); `dispose()` closes nothing, but deletes the database.
 */
export interface ConformanceDatabase {
  connect(): Promise<StoreDriver>;
  dispose(): Promise<void>;
  /**
   * Reads the database's schema back (test code, e.g. from sqlite_master or information_schema):
   * every table, its columns, and the indexes made by name (not those behind a primary key or
   * unique constraint). The schema case needs it; without it, skip that case with a reason.
   */
  describeSchema?(): Promise<SchemaShape>;
}

/** What a backend gives the conformance suite: fresh databases, each openable several times. */
export interface ConformanceTarget {
  /** Shown in test names, e.g. "sqlite". */
  name: string;
  /**
   * A new, empty database. `connect()` opens a new driver on it (call it again to get a second
   * connection, as a second process would); `dispose()` closes nothing, but deletes the database.
   */
  createDatabase(): Promise<ConformanceDatabase>;
  /**
   * Tables, columns or indexes this backend has beyond the suite's schema spec (`SCHEMA_SPEC`),
   * each with the reason written out.
   */
  schemaAdditions?: { reason: string; tables: Record<string, { columns?: string[]; indexes?: string[] }> }[];
  /** Event transports to run the live-event cases with (default: the executor's default). */
  eventTransports?: { name: string; events: ExecutorOptions["events"] }[];
  /** Tests to skip, each with the reason written out. */
  skip?: { reason: string; tests: string[] }[];
}

type TaskSpec = Omit<TaskOptions, "id" | "dependsOn" | "input" | "output"> & {
  dependsOn?: string[];
  run?: TaskFunction;
};

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
  readonly #database: ConformanceDatabase;
  readonly #executors: Executor[] = [];
  readonly #stores: Store[] = [];

  constructor(database: ConformanceDatabase) {
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

  /** The database's schema, as the target's `describeSchema` reads it. */
  async describeSchema(): Promise<SchemaShape> {
    if (!this.#database.describeSchema)
      throw new Error(
        "The conformance target's databases have no describeSchema(): add one to what createDatabase() returns, or skip this case with the reason",
      );
    return this.#database.describeSchema();
  }

  async dispose(): Promise<void> {
    await Promise.allSettled(this.#executors.map((e) => e.close()));
    await Promise.allSettled(this.#stores.map((s) => s.close()));
    await this.#database.dispose();
  }
}
