import { ExecutorError } from "@cloacina/engine";
import { createTables } from "@cloacina/engine/store";
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

/**
 * Migrations for one tenant schema, in code so they ship inside the package. Never edit one that
 * has shipped: add one.
 */
function migrations(schema: string): Record<string, Migration> {
  return {
    "0001_initial": { up: (db: Kysely<any>) => createTables(db, "bigint", schema) },
    "0002_events": { up: (db: Kysely<any>) => createEventTables(db, schema) },
  };
}

/**
 * The event log and the stored workflow shapes. An event's position is (transaction id, row id):
 * row ids are handed out before commit, so concurrent transactions commit them out of order, but
 * every event of a transaction older than the oldest one still running is final. Readers read
 * in (tx, id) order up to that horizon, which never skips an event that commits later.
 */
async function createEventTables(db: Kysely<any>, schema: string): Promise<void> {
  const s = db.schema.withSchema(schema);
  await s
    .createTable("cloacina_events")
    .addColumn("id", "bigint", (c) => c.generatedAlwaysAsIdentity())
    .addColumn("tx", sql`xid8`, (c) => c.notNull().defaultTo(sql`pg_current_xact_id()`))
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("task_id", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("attempt", "integer")
    .addColumn("at", "bigint", (c) => c.notNull())
    .addColumn("data", "text")
    .addPrimaryKeyConstraint("cloacina_events_pk", ["tx", "id"])
    .execute();
  await s.createIndex("cloacina_events_run").on("cloacina_events").columns(["run_id", "tx", "id"]).execute();
  await s
    .createTable("cloacina_workflows")
    .addColumn("version", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("tasks", "text", (c) => c.notNull())
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
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
      const migrator = new Migrator({
        db: conn,
        provider,
        migrationTableSchema: schema,
        migrationTableName: "cloacina_migrations",
        migrationLockTableName: "cloacina_migrations_lock",
      });
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
function vanishedElsewhere(error: unknown, schema: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    typeof code === "string" &&
    ["3F000", "42P01", "42703", "42704"].includes(code) &&
    !(typeof message === "string" && message.includes(schema))
  );
}
