import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  PostgresDialect,
  type PostgresDialectConfig,
  PostgresDriver as KyselyPostgresDriver,
  type TransactionSettings,
} from "kysely";

/**
 * How every transaction of the engine begins: in the same round trip as BEGIN (a query without
 * parameters travels as a simple query, which may hold several statements), bitmap scans are
 * turned off for this transaction only (SET LOCAL: nothing leaks to the connection, so a pooler
 * in transaction mode is fine).
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
 */
export const BEGIN = "begin; set local enable_bitmapscan = off";

class StepDriver extends KyselyPostgresDriver {
  override async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    if (settings.isolationLevel !== undefined || settings.accessMode !== undefined) {
      await super.beginTransaction(connection, settings);
    } else {
      await connection.executeQuery(CompiledQuery.raw(BEGIN));
    }
  }
}

/** kysely's PostgreSQL dialect, but for how transactions begin (see BEGIN). */
export class StepDialect extends PostgresDialect {
  readonly #config: PostgresDialectConfig;

  constructor(config: PostgresDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new StepDriver(this.#config);
  }
}
