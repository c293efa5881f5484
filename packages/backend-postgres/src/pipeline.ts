import type { QueryResult } from "kysely";
import type pg from "pg";

/** A statement and its parameters, as kysely compiles them. */
export interface Statement {
  readonly sql: string;
  readonly parameters: readonly unknown[];
}

/**
 * How every transaction of the engine begins: bitmap scans are turned off for this transaction
 * only (SET LOCAL: nothing leaks to the connection, so a pooler in transaction mode is fine). A
 * query without parameters travels as a simple query, which may hold several statements.
 *
 * Why: the engine's hot statements find their rows through a btree index (a primary key, or the
 * partial indexes of Ready and Running tasks), and their plans must not depend on statistics.
 * Without statistics (before the first ANALYZE) the planner's default estimates made it prefer a
 * bitmap scan and a sort for the claim: a bitmap scan never marks the index entries of dead row
 * versions as dead, and every claimed task leaves one in the ready index, so each claim read
 * again every task ever claimed since the last VACUUM (6× the cost per task with 100,000 stored
 * runs). A plain index scan marks them the first time it meets them, and skips them from then on.
 * With bitmap scans off, what remains for these statements is the index scan or a full table
 * scan, and the full scan always costs more by the table's size, which the planner knows
 * without statistics.
 *
 * And custom plans only (`plan_cache_mode`): the engine's statements are prepared (see `config`),
 * and after five runs PostgreSQL may switch a prepared statement to a generic plan, made without
 * the parameters' values. Measured: 5,000 workflows started at once went from ~2,400 to ~540 a
 * second with generic plans (one run after another gained ~10%). Planning each time keeps what
 * preparing saves (parsing, one round of analysis) without betting on a plan made blind.
 */
export const BEGIN = "begin; set local enable_bitmapscan = off; set local plan_cache_mode = force_custom_plan";

/**
 * One transaction on a pool client in pipeline mode (pg's `pipeline: true`): each statement is
 * sent when it is issued, without waiting for the answers to earlier ones, and the server runs
 * them in the order sent (each a prepared statement: see `config`). So BEGIN goes out with the first statement, a plan's batch with one
 * another, and the last writes with COMMIT: a plan costs one round trip per point where it
 * waits for an answer, not one per statement.
 *
 * If a statement fails, the server aborts the transaction and fails every statement after it
 * ("current transaction is aborted"), COMMIT included (it rolls back): the first failure is the
 * cause, and it is what `commit` throws.
 */
export class PipelinedTransaction {
  readonly #client: pg.PoolClient;
  readonly #prepare: boolean;
  readonly #answers: Promise<unknown>[] = [];
  #failure: { error: unknown } | undefined;

  /** `prepare`: name the statements, so that each is parsed and planned once per connection. */
  constructor(client: pg.PoolClient, prepare: boolean) {
    this.#client = client;
    this.#prepare = prepare;
    this.send({ sql: BEGIN, parameters: [] });
  }

  /** Sends a statement now; resolves with its answer. */
  query<R>(statement: Statement): Promise<QueryResult<R>> {
    const bad = statement.parameters.find(
      (value) => !SENDABLE.has(typeof value) && value !== null && !Array.isArray(value),
    );
    if (bad !== undefined) {
      // Refused here, synchronously, so that `commit` knows before COMMIT is sent (see there).
      const error = new TypeError(`A parameter of type ${typeof bad} cannot be sent: ${statement.sql.slice(0, 60)}…`);
      this.#failure ??= { error };
      return Promise.reject(error);
    }
    const answer = this.#client.query(config(statement, this.#prepare)).then(
      (result: pg.QueryResult) => toQueryResult<R>(result),
      (error: unknown) => {
        this.#failure ??= { error };
        throw error;
      },
    );
    this.#answers.push(answer.catch(() => {}));
    return answer;
  }

  /** Sends a statement whose answer the plan does not need: a failure surfaces at `commit`. */
  send(statement: Statement): void {
    this.query(statement).catch(() => {});
  }

  /** The first statement that failed, if one did (what a later failure is only a consequence of). */
  get failure(): unknown {
    return this.#failure?.error;
  }

  /** Sends COMMIT, waits for every answer, and throws the first failure (then nothing was committed). */
  async commit(): Promise<void> {
    // A statement pg refused to send (a parameter it cannot serialise) never reached the server,
    // which would commit the others: known before COMMIT goes out, so roll back instead.
    if (this.#failure) throw this.#failure.error;
    const commit = this.query<never>({ sql: "commit", parameters: [] });
    await Promise.all(this.#answers);
    const failure = this.#failure as { error: unknown } | undefined; // set meanwhile, by an answer
    if (failure) throw failure.error;
    await commit;
  }

  /** Waits for every answer, then rolls back (harmless if COMMIT already rolled back). */
  async rollback(): Promise<void> {
    await Promise.all(this.#answers);
    await this.#client.query("rollback");
  }
}

/**
 * The engine's statements keep the same text whatever the batch (rows travel as arrays), so
 * each is prepared once per connection, by name, and then only bound and executed: the server
 * skips parsing and planning (PostgreSQL re-plans a prepared statement when a table's shape or
 * statistics change). Texts beyond the first few hundred (there is no reason for that many) go
 * unnamed, so a caller building texts dynamically cannot grow every connection without bound.
 * Behind a pooler in transaction mode that does not track prepared statements (PgBouncer before
 * 1.21), a connection may not hold the ones a client prepared: `prepare=false` in the URL.
 */
const names = new Map<string, string>();
const MAX_NAMED = 500;

function config(statement: Statement, prepare: boolean): pg.QueryConfig {
  const values = statement.parameters as unknown[];
  if (values.length === 0) return { text: statement.sql }; // simple query: BEGIN may hold several statements
  if (!prepare) return { text: statement.sql, values };
  let name = names.get(statement.sql);
  if (name === undefined && names.size < MAX_NAMED) names.set(statement.sql, (name = `cloacina_${names.size + 1}`));
  return name === undefined ? { text: statement.sql, values } : { name, text: statement.sql, values };
}

/** What the engine's statements bind: text, numbers, booleans, null, and arrays of them. */
const SENDABLE: ReadonlySet<string> = new Set(["string", "number", "boolean"]);

/** pg's result as kysely's (what the engine's shared operations read), as kysely's driver builds it. */
function toQueryResult<R>(result: pg.QueryResult): QueryResult<R> {
  const { command, rowCount } = result;
  const changed = command === "INSERT" || command === "UPDATE" || command === "DELETE" || command === "MERGE";
  return {
    ...(changed && rowCount !== null ? { numAffectedRows: BigInt(rowCount) } : {}),
    rows: (result.rows ?? []) as R[],
  };
}
