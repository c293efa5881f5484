import { createTables } from "@cloacina/engine/store";
import type { Kysely, Migration, MigrationProvider } from "kysely";

/** Migrations, in code so they ship inside the package. Never edit one that has shipped: add one. */
const migrations: Record<string, Migration> = {
  "0001_initial": { up: (db: Kysely<any>) => createTables(db, "integer") },
  "0002_events": { up: createEventTables },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};

/**
 * The event log (row ids are positions, assigned in commit order since SQLite has one writer) and
 * the stored workflow shapes.
 */
async function createEventTables(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable("cloacina_events")
    // A rowid alias without AUTOINCREMENT (which costs a write to sqlite_sequence per insert):
    // ids only repeat if the newest events are deleted, and pruning never deletes the newest.
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("run_id", "text", (c) => c.notNull())
    .addColumn("task_id", "text")
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("attempt", "integer")
    .addColumn("at", "integer", (c) => c.notNull())
    .addColumn("data", "text")
    .execute();
  await db.schema.createIndex("cloacina_events_run").on("cloacina_events").columns(["run_id", "id"]).execute();
  await db.schema
    .createTable("cloacina_workflows")
    .addColumn("version", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("tasks", "text", (c) => c.notNull())
    .addColumn("created_at", "integer", (c) => c.notNull())
    .execute();
}
