import { type Kysely, type Migration, type MigrationProvider, sql } from "kysely";

/** Migrations, in code so they ship inside the package. Never edit one that has shipped: add one. */
const migrations: Record<string, Migration> = {
  "0001_initial": {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable("cloacina_runs")
        .addColumn("run_id", "text", (c) => c.primaryKey())
        .addColumn("workflow_name", "text", (c) => c.notNull())
        .addColumn("workflow_version", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("input", "text", (c) => c.notNull())
        .addColumn("cancel_requested", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("unfinished", "integer", (c) => c.notNull())
        .addColumn("failed", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", "integer", (c) => c.notNull())
        .addColumn("finished_at", "integer")
        .execute();
      await db.schema
        .createIndex("cloacina_runs_unfinished")
        .on("cloacina_runs")
        .column("created_at")
        .where(sql.ref("status"), "=", "Running")
        .execute();
      await db.schema
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
        .addColumn("available_at", "integer", (c) => c.notNull())
        .addColumn("lease_owner", "text")
        .addColumn("lease_expires_at", "integer")
        .addColumn("output", "text")
        .addColumn("error", "text")
        .addColumn("started_at", "integer")
        .addColumn("finished_at", "integer")
        .addPrimaryKeyConstraint("cloacina_task_runs_pk", ["run_id", "task_id"])
        .execute();
      // Claims scan only Ready rows, oldest first.
      await db.schema
        .createIndex("cloacina_task_runs_ready")
        .on("cloacina_task_runs")
        .column("available_at")
        .where(sql.ref("status"), "=", "Ready")
        .execute();
      // Lease renewal and recovery look only at Running rows.
      await db.schema
        .createIndex("cloacina_task_runs_running")
        .on("cloacina_task_runs")
        .columns(["lease_owner", "lease_expires_at"])
        .where(sql.ref("status"), "=", "Running")
        .execute();
      await db.schema
        .createTable("cloacina_task_attempts")
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("attempt", "integer", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("error", "text", (c) => c.notNull())
        .addColumn("finished_at", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("cloacina_task_attempts_pk", ["run_id", "task_id", "attempt"])
        .execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
