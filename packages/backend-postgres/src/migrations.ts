import { ExecutorError } from "@cloacina/engine";
import { type Kysely, type MigrationProvider, Migrator, sql } from "kysely";
import { migrations } from "./migrations/index.js";

/** kysely's bookkeeping tables, in the tenant schema (the same names as on SQLite). */
export const MIGRATION_TABLE = "cloacina_migrations";
export const MIGRATION_LOCK_TABLE = "cloacina_migrations_lock";

/** A kysely migrator over the frozen migrations (./migrations/) of one tenant schema. */
export function schemaMigrator(db: Kysely<any>, schema: string): Migrator {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(schema)) };
  return new Migrator({
    db,
    provider,
    migrationTableSchema: schema,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
}

/**
 * Migrates a tenant schema. Several processes may open at once: a session advisory lock (per
 * schema) serialises them, around kysely's own migration lock, so that even creating the schema
 * and kysely's bookkeeping tables cannot race.
 */
export async function migrateSchema(db: Kysely<any>, schema: string): Promise<void> {
  await db.connection().execute(async (conn) => {
    const key = `cloacina-migrate:${schema}`;
    await sql`select pg_advisory_lock(hashtext(${key}))`.execute(conn);
    try {
      await conn.schema.createSchema(schema).ifNotExists().execute();
      const migrator = schemaMigrator(conn, schema);
      for (let attempt = 1; ; attempt++) {
        const { error } = await migrator.migrateToLatest();
        if (!error) break;
        // kysely looks for its bookkeeping tables by listing every table of every schema; a schema,
        // table or column that another client drops meanwhile fails that listing. Each migration
        // runs in its own transaction, so trying again is safe.
        if (attempt < 10 && vanishedElsewhere(error, schema)) continue;
        throw new ExecutorError("STORE_FAILURE", `PostgreSQL migrations of schema ${schema} failed`, { cause: error });
      }
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}

/** "Does not exist" errors (schema, table, column, object) about another schema than ours. */
export function vanishedElsewhere(error: unknown, schema: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    typeof code === "string" &&
    ["3F000", "42P01", "42703", "42704"].includes(code) &&
    !(typeof message === "string" && message.includes(schema))
  );
}
