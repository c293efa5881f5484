import { SqliteDriver } from "@cloacina/backend-sqlite";
import BetterSqlite3 from "better-sqlite3";

/** What the engine stores as the output of a task that returned `{}`. */
const EMPTY_OUTPUT = "v1:[{}]";
const OWNER = "raw-bench";
const LEASE_MS = 30_000;

/**
 * The engine's own `cloacina_task_runs` table (created by the SQLite store's migration, so the
 * columns and indexes are exactly the engine's), written with plain better-sqlite3 prepared
 * statements: the floor under anything the engine can do with the same rows.
 */
export class RawTaskTable {
  readonly #db: BetterSqlite3.Database;
  readonly #insert: BetterSqlite3.Statement;
  readonly #claim: BetterSqlite3.Statement;
  readonly #complete: BetterSqlite3.Statement;

  static async create(file: string): Promise<RawTaskTable> {
    const store = new SqliteDriver({ filename: file, synchronous: "NORMAL", busyTimeoutMs: 5000 });
    await store.migrate();
    await store.close();
    return new RawTaskTable(file);
  }

  private constructor(file: string) {
    this.#db = new BetterSqlite3(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = NORMAL");
    this.#insert = this.#db.prepare(
      `INSERT INTO cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at)
       VALUES (?, ?, ?, 'raw', 'Ready', 1, 0, ?)`,
    );
    // The same changes as the engine's claim and finish, addressed by key: the cheapest form.
    this.#claim = this.#db.prepare(
      `UPDATE cloacina_task_runs
       SET status = 'Running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?)
       WHERE run_id = ? AND task_id = ? AND status = 'Ready'`,
    );
    this.#complete = this.#db.prepare(
      `UPDATE cloacina_task_runs
       SET status = 'Completed', output = ?, error = NULL, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL
       WHERE run_id = ? AND task_id = ? AND status = 'Running' AND attempt = 1 AND lease_owner = ?`,
    );
  }

  /** Inserts `count` Ready tasks t0..t(count-1) of run `runId`, in one transaction. */
  seed(runId: string, count: number): void {
    const now = Date.now();
    this.#db.transaction(() => {
      for (let i = 0; i < count; i++) this.#insert.run(runId, taskId(i), i, now);
    })();
  }

  claim(runId: string, index: number): void {
    const now = Date.now();
    expectOneRow(this.#claim.run(OWNER, now + LEASE_MS, now, runId, taskId(index)).changes, "claim");
  }

  complete(runId: string, index: number): void {
    expectOneRow(this.#complete.run(EMPTY_OUTPUT, Date.now(), runId, taskId(index), OWNER).changes, "complete");
  }

  /** Runs `work` in one BEGIN IMMEDIATE transaction, as the engine's store does for each step. */
  inTransaction(work: () => void): void {
    this.#db.transaction(work).immediate();
  }

  close(): void {
    this.#db.close();
  }
}

function taskId(index: number): string {
  return `t${index}`;
}

/** A write that matched no row would make the figures meaningless: stop instead. */
function expectOneRow(changes: number, what: string): void {
  if (changes !== 1) throw new Error(`raw ${what} changed ${changes} rows, expected 1`);
}
