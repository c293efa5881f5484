import type { Database, Statement } from "better-sqlite3";
import type { SqliteDatabase } from "kysely";

/** Bounded: statements built with varying list lengths must not grow the cache forever. */
const MAX_STATEMENTS = 512;

/**
 * The connection as kysely's SQLite dialect sees it, preparing each distinct SQL text once.
 * kysely prepares a statement for every query it runs; the engine's shared reads then pay
 * SQLite's parse on each call without this.
 */
export class StatementCache implements SqliteDatabase {
  readonly #sqlite: Database;
  readonly #statements = new Map<string, Statement>();

  constructor(sqlite: Database) {
    this.#sqlite = sqlite;
  }

  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear();
      statement = this.#sqlite.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  close(): void {
    this.#statements.clear();
    if (this.#sqlite.open) this.#sqlite.close();
  }
}
