import { ExecutorError } from "@cloacina/engine";
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";

/**
 * Migrations for one tenant schema, in code so they ship inside the package. Never edit one that
 * has shipped: add one.
 */
function migrations(schema: string): Record<string, Migration> {
  return {
    "0001_initial": {
      async up(db: Kysely<any>) {
        const s = db.schema.withSchema(schema);
        await s
          .createTable("cloacina_runs")
          .addColumn("run_id", "text", (c) => c.primaryKey())
          .addColumn("workflow_name", "text", (c) => c.notNull())
          .addColumn("workflow_version", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("input", "text", (c) => c.notNull())
          .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("unfinished", "integer", (c) => c.notNull())
          .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("finished_at", "bigint")
          .execute();
        await s
          .createIndex("cloacina_runs_unfinished")
          .on("cloacina_runs")
          .column("created_at")
          .where(sql.ref("status"), "=", "Running")
          .execute();
        await s
          .createTable("cloacina_task_runs")
          .addColumn("run_id", "text", (c) => c.notNull())
          .addColumn("task_id", "text", (c) => c.notNull())
          .addColumn("position", "integer", (c) => c.notNull())
          .addColumn("workflow_version", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("attempt", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("max_attempts", "integer", (c) => c.notNull())
          .addColumn("recoveries", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("pending_deps", "integer", (c) => c.notNull())
          .addColumn("available_at", "bigint", (c) => c.notNull())
          .addColumn("lease_owner", "text")
          .addColumn("lease_expires_at", "bigint")
          .addColumn("output", "text")
          .addColumn("error", "text")
          .addColumn("started_at", "bigint")
          .addColumn("finished_at", "bigint")
          .addPrimaryKeyConstraint("cloacina_task_runs_pk", ["run_id", "task_id"])
          .execute();
        // Claims scan only Ready rows, oldest first (FOR UPDATE SKIP LOCKED on top).
        await s
          .createIndex("cloacina_task_runs_ready")
          .on("cloacina_task_runs")
          .columns(["available_at", "run_id", "task_id"])
          .where(sql.ref("status"), "=", "Ready")
          .execute();
        await s
          .createIndex("cloacina_task_runs_running")
          .on("cloacina_task_runs")
          .columns(["lease_owner", "lease_expires_at"])
          .where(sql.ref("status"), "=", "Running")
          .execute();
        await s
          .createTable("cloacina_task_attempts")
          .addColumn("run_id", "text", (c) => c.notNull())
          .addColumn("task_id", "text", (c) => c.notNull())
          .addColumn("attempt", "integer", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("error", "text", (c) => c.notNull())
          .addColumn("finished_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("cloacina_task_attempts_pk", ["run_id", "task_id", "attempt"])
          .execute();
      },
    },
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
