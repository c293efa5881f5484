/**
 * Migration 0002_events (PostgreSQL, one tenant schema): the event log and the stored workflow
 * shapes. An event's position is (transaction id, row id): row ids are handed out before commit,
 * so concurrent transactions commit them out of order, but every event of a transaction older
 * than the oldest one still running is final. Readers read in (tx, id) order up to that horizon,
 * which never skips an event that commits later.
 *
 * FROZEN: this migration has shipped. Never edit it: a database that already ran it would not
 * see the change, so old and new databases would differ. Change the schema with a new migration
 * (see ./index.ts). The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

export function events(schema: string): Migration {
  const t = (table: string) => sql.id(schema, table);
  const statements = [
    sql`create table ${t("cloacina_events")} (
      "id" bigint generated always as identity,
      "tx" xid8 default pg_current_xact_id() not null,
      "run_id" text not null,
      "task_id" text,
      "type" text not null,
      "attempt" integer,
      "at" bigint not null,
      "data" text,
      constraint "cloacina_events_pk" primary key ("tx", "id")
    )`,
    sql`create index "cloacina_events_run" on ${t("cloacina_events")} ("run_id", "tx", "id")`,
    sql`create table ${t("cloacina_workflows")} (
      "version" text primary key,
      "name" text not null,
      "tasks" text not null,
      "created_at" bigint not null
    )`,
  ];
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of statements) await statement.execute(db);
    },
  };
}
