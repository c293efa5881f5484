import { ValidationError } from "@cloacina/engine";
import {
  type CloacinaDatabase,
  type EventRecord,
  type EventReads,
  type EventsTable,
  isSharedOp,
  type SharedOpName,
  type Plan,
  runPlanSync,
  runReads,
  scheduleReads,
  sharedSqlOps,
  type SqlOp,
  type StoreDriver,
  toEventRecord,
  workflowReads,
} from "@cloacina/engine/store";
import BetterSqlite3 from "better-sqlite3";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Kysely, type QueryResult, SqliteDialect } from "kysely";
import { migrateSqlite } from "./migrations.js";
import { type SqliteOps, sqliteOps } from "./sqlite-ops.js";
import { type SqliteQueries, sqliteQueries } from "./sqlite-queries.js";
import { StatementCache } from "./statement-cache.js";
import type { SqliteConfig } from "./url.js";

/**
 * The SQLite driver. A plan runs inside one `BEGIN IMMEDIATE` transaction; since better-sqlite3
 * is synchronous, the transaction runs to completion without yielding, so nothing interleaves
 * with it in this process, and the immediate lock serialises it against other processes on the
 * same file. Reads are the engine's shared kysely ones, over a cache of prepared statements.
 */
export class SqliteDriver implements StoreDriver {
  readonly name = "SQLite";
  readonly identity: string;
  readonly #config: SqliteConfig;
  #connection: { sqlite: BetterSqlite3.Database; statements: StatementCache } | undefined;
  readonly #db: Kysely<CloacinaDatabase>;
  readonly runs;
  readonly schedules;
  readonly workflows;
  readonly events: EventReads;
  #ops: SqliteOps | undefined;
  #queries: SqliteQueries | undefined;
  #dataVersion: number | undefined;
  #dataVersionQuery: BetterSqlite3.Statement | undefined;

  constructor(config: SqliteConfig) {
    this.#config = config;
    // Every ":memory:" connection is a database of its own.
    this.identity =
      config.filename === ":memory:" ? `sqlite::memory:${randomUUID()}` : `sqlite:${path.resolve(config.filename)}`;
    // The file is opened on first use (migrate), never here: an executor whose options are
    // rejected after the driver is made leaves no file behind.
    this.#db = new Kysely<CloacinaDatabase>({
      dialect: new SqliteDialect({ database: () => Promise.resolve(this.#statements) }),
    });
    this.runs = runReads(this.#db);
    this.schedules = scheduleReads(this.#db);
    this.workflows = workflowReads(this.#db);
    this.events = {
      read: async (after, limit, runId) => {
        const from = after === null ? 0 : sqlitePosition(after);
        const q = this.#prepared.queries;
        const rows =
          runId === undefined
            ? q.eventsAfter.all<EventRow>(from, limit)
            : q.runEventsAfter.all<EventRow>(runId, from, limit);
        return rows.map((row): EventRecord => toEventRecord({ ...row, seq: `0-${row.id}` }));
      },
      head: async () => {
        // One writer: the newest row is the newest committed event.
        const id = this.#prepared.queries.eventHead.get<{ id: number | null }>()?.id ?? null;
        return { after: id === null ? null : `0-${id}` };
      },
    };
  }

  async migrate(): Promise<void> {
    await migrateSqlite(this.#db);
  }

  async transact<T>(plan: Plan<T>): Promise<T> {
    // Indexed by name: the runner's `op` is generic, which TypeScript cannot narrow to SQLite's own.
    const ops = this.#prepared.ops as unknown as Record<string, (args: unknown) => unknown>;
    return this.#sqlite
      .transaction(() =>
        runPlanSync(plan, (op, args) => {
          if (op === "notify") return undefined; // no channel between processes: see changedElsewhere
          if (isSharedOp(op)) return this.#runShared(op, args) as never;
          return ops[op]!(args) as never;
        }),
      )
      .immediate();
  }

  /** `data_version` changes when another connection commits: a cheap check, no I/O beyond the WAL index. */
  changedElsewhere(): boolean {
    this.#dataVersionQuery ??= this.#sqlite.prepare("select data_version from pragma_data_version").pluck();
    const version = this.#dataVersionQuery.get() as number;
    const changed = this.#dataVersion !== undefined && version !== this.#dataVersion;
    this.#dataVersion = version;
    return changed;
  }

  get #sqlite(): BetterSqlite3.Database {
    return this.#open().sqlite;
  }

  get #statements(): StatementCache {
    return this.#open().statements;
  }

  #open(): { sqlite: BetterSqlite3.Database; statements: StatementCache } {
    if (!this.#connection) {
      const { filename, busyTimeoutMs, synchronous } = this.#config;
      const sqlite = new BetterSqlite3(filename);
      sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
      if (filename !== ":memory:") sqlite.pragma("journal_mode = WAL");
      sqlite.pragma(`synchronous = ${synchronous}`);
      this.#connection = { sqlite, statements: new StatementCache(sqlite) };
    }
    return this.#connection;
  }

  async close(): Promise<void> {
    await this.#db.destroy();
    // Kysely closes the connection only if it ever used it; a synchronous path may have opened it.
    this.#connection?.statements.close();
  }

  /** An operation written once in the engine, compiled by kysely and run in this transaction. */
  #runShared(name: SharedOpName, args: unknown): unknown {
    const op = sharedSqlOps[name] as SqlOp<SharedOpName>;
    const compiled = op.query(this.#db, args as never).compile();
    const statement = this.#statements.prepare(compiled.sql);
    const parameters = compiled.parameters as unknown[];
    const result: QueryResult<unknown> = statement.reader
      ? { rows: statement.all(parameters) }
      : { rows: [], numAffectedRows: BigInt(statement.run(parameters).changes) };
    return op.result(result);
  }

  /** Prepared after the first migration: the statements need the tables. */
  get #prepared(): { ops: SqliteOps; queries: SqliteQueries } {
    if (!this.#queries) {
      this.#queries = sqliteQueries(this.#db, this.#sqlite);
      this.#ops = sqliteOps(this.#queries);
    }
    return { ops: this.#ops!, queries: this.#queries };
  }
}

type EventRow = Omit<EventsTable, "id"> & { id: number };

/** The row id in a SQLite event position ("0-<id>"). */
function sqlitePosition(seq: string): number {
  const match = /^0-(\d{1,15})$/.exec(seq);
  if (!match) {
    throw new ValidationError(
      "INVALID_EVENT_POSITION",
      `"${seq}" is not an event position of a SQLite database (they look like "0-42").`,
    );
  }
  return Number(match[1]);
}
