/**
 * Migration 0003_waiting (PostgreSQL, one tenant schema): tasks that wait without holding a
 * worker (sleep, signals, being called again), the signals sent to them, and run deadlines.
 *
 * FROZEN once shipped: never edit it; change the schema with a new migration (see ./index.ts).
 * The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

export function waiting(schema: string): Migration {
  const t = (table: string) => sql.id(schema, table);
  const statements = [
    // What a Waiting task waits for ('sleep' | 'signal' | 'again'), until when (null: only a
    // signal wakes it), what it keeps meanwhile (a delivered signal's payload, or the state
    // passed to the next call), and how many times it was called again.
    sql`alter table ${t("cloacina_task_runs")} add column "wait_kind" text, add column "wake_at" bigint,
      add column "wait_state" text, add column "calls" integer default 0 not null`,
    // Waking looks only at Waiting rows whose time has come.
    sql`create index "cloacina_task_runs_waiting" on ${t("cloacina_task_runs")} ("wake_at") where "status" = 'Waiting'`,
    sql`alter table ${t("cloacina_runs")} add column "deadline" bigint`,
    sql`create index "cloacina_runs_deadline" on ${t("cloacina_runs")} ("deadline") where "status" = 'Running' and "deadline" is not null`,
    // A signal is kept until its task takes it; its key makes a resend a no-op.
    sql`create table ${t("cloacina_signals")} (
      "run_id" text not null,
      "task_id" text not null,
      "key" text not null,
      "payload" text not null,
      "created_at" bigint not null,
      constraint "cloacina_signals_pk" primary key ("run_id", "task_id", "key")
    )`,
  ];
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of statements) await statement.execute(db);
    },
  };
}
