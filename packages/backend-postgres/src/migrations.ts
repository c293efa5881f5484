import { createTables, ExecutorError } from "@cloacina/engine";
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

/**
 * Migrations for one tenant schema, in code so they ship inside the package. Never edit one that
 * has shipped: add one.
 */
function migrations(schema: string): Record<string, Migration> {
  return {
    "0001_initial": { up: (db: Kysely<any>) => createTables(db, "bigint", schema) },
  };
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
      const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(schema)) };
      const { error } = await new Migrator({
        db: conn,
        provider,
        migrationTableSchema: schema,
        migrationTableName: "cloacina_migrations",
        migrationLockTableName: "cloacina_migrations_lock",
      }).migrateToLatest();
      if (error) {
        throw new ExecutorError("STORE_FAILURE", `PostgreSQL migrations of schema ${schema} failed`, { cause: error });
      }
    } finally {
      await sql`select pg_advisory_unlock(hashtext(${key}))`.execute(conn);
    }
  });
}
