/**
 * Migration 0002_events (SQLite): the event log and the stored workflow shapes. An event's row id
 * is its position in the log, assigned in commit order since SQLite has one writer.
 *
 * FROZEN: this migration has shipped. Never edit it: a database that already ran it would not
 * see the change, so old and new databases would differ. Change the schema with a new migration
 * (see ./index.ts). The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

const statements = [
  // "id" is a rowid alias without AUTOINCREMENT (which costs a write to sqlite_sequence per
  // insert): ids only repeat if the newest events are deleted, and pruning never deletes the newest.
  sql`create table "cloacina_events" (
    "id" integer primary key,
    "run_id" text not null,
    "task_id" text,
    "type" text not null,
    "attempt" integer,
    "at" integer not null,
    "data" text
  )`,
  sql`create index "cloacina_events_run" on "cloacina_events" ("run_id", "id")`,
  sql`create table "cloacina_workflows" (
    "version" text primary key,
    "name" text not null,
    "tasks" text not null,
    "created_at" integer not null
  )`,
];

export const events: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
