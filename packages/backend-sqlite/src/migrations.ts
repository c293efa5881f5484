import { ExecutorError } from "@cloacina/engine";
import { type Kysely, type MigrationProvider, Migrator, sql } from "kysely";
import { migrations } from "./migrations/index.js";

/** kysely's bookkeeping tables, named as on PostgreSQL. */
export const MIGRATION_TABLE = "cloacina_migrations";
export const MIGRATION_LOCK_TABLE = "cloacina_migrations_lock";

/** The frozen migrations (./migrations/), in code so they ship inside the package. */
export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve({ ...migrations }),
};

/** A kysely migrator over the frozen migrations, with Cloacina's bookkeeping table names. */
export function sqliteMigrator(db: Kysely<any>): Migrator {
  return new Migrator({
    db,
    provider: migrationProvider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Brings a database up to the latest migration, first adopting a history that an older version
 * kept under kysely's default table names.
 */
export async function migrateSqlite(db: Kysely<any>): Promise<void> {
  await adoptLegacyHistory(db);
  const { error } = await sqliteMigrator(db).migrateToLatest();
  if (error)
    throw new ExecutorError(
      "STORE_FAILURE",
      `SQLite migrations failed: ${error instanceof Error ? error.message : JSON.stringify(error)}`,
      { cause: error },
    );
}

/**
 * Databases made by earlier versions keep their migration history in kysely's default tables
 * (kysely_migration, kysely_migration_lock). Rename them, in one transaction, so that the
 * history carries over and nothing runs twice. `BEGIN IMMEDIATE` takes the write lock before
 * looking, so two processes opening the same old file at once rename it once.
 */
async function adoptLegacyHistory(db: Kysely<any>): Promise<void> {
  const tables = async (conn: Kysely<any>) =>
    new Set(
      (
        await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name in
          ('kysely_migration', 'kysely_migration_lock', ${MIGRATION_TABLE}, ${MIGRATION_LOCK_TABLE})`.execute(conn)
      ).rows.map((r) => r.name),
    );
  const legacy = (found: Set<string>) => found.has("kysely_migration") && !found.has(MIGRATION_TABLE);
  // A read first, so that opening an up-to-date database takes no write lock.
  if (!legacy(await tables(db))) return;
  await db.connection().execute(async (conn) => {
    await sql`begin immediate`.execute(conn);
    try {
      const found = await tables(conn);
      if (legacy(found)) {
        await sql`alter table "kysely_migration" rename to ${sql.id(MIGRATION_TABLE)}`.execute(conn);
        if (found.has("kysely_migration_lock") && !found.has(MIGRATION_LOCK_TABLE))
          await sql`alter table "kysely_migration_lock" rename to ${sql.id(MIGRATION_LOCK_TABLE)}`.execute(conn);
      }
      await sql`commit`.execute(conn);
    } catch (error) {
      await sql`rollback`.execute(conn).catch(() => {});
      throw new ExecutorError("STORE_FAILURE", "SQLite: carrying the migration history over failed", {
        cause: error,
      });
    }
  });
}
