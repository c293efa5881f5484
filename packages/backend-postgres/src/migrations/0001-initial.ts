/**
 * Migration 0001_initial (PostgreSQL, one tenant schema): runs, task runs, attempts and schedules.
 * Times are epoch ms in bigint columns.
 *
 * FROZEN: this migration has shipped. Never edit it: a database that already ran it would not
 * see the change, so old and new databases would differ. Change the schema with a new migration
 * (see ./index.ts). The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

export function initial(schema: string): Migration {
  const t = (table: string) => sql.id(schema, table);
  const statements = [
    sql`create table ${t("cloacina_runs")} (
      "run_id" text primary key,
      "workflow_name" text not null,
      "workflow_version" text not null,
      "status" text not null,
      "input" text not null,
      "cancel_requested" integer default 0 not null,
      "unfinished" integer not null,
      "failed" integer default 0 not null,
      "created_at" bigint not null,
      "finished_at" bigint,
      "idempotency_key" text,
      "error" text
    )`,
    sql`create unique index "cloacina_runs_idempotency_key" on ${t("cloacina_runs")} ("idempotency_key") where "idempotency_key" is not null`,
    sql`create index "cloacina_runs_unfinished" on ${t("cloacina_runs")} ("created_at") where "status" = 'Running'`,
    // Listing runs, newest first, optionally by status or workflow: keyset pagination on these.
    sql`create index "cloacina_runs_created" on ${t("cloacina_runs")} ("created_at", "run_id")`,
    sql`create index "cloacina_runs_status_created" on ${t("cloacina_runs")} ("status", "created_at", "run_id")`,
    sql`create index "cloacina_runs_workflow_created" on ${t("cloacina_runs")} ("workflow_name", "created_at", "run_id")`,
    sql`create table ${t("cloacina_task_runs")} (
      "run_id" text not null,
      "task_id" text not null,
      "position" integer not null,
      "workflow_version" text not null,
      "status" text not null,
      "attempt" integer default 0 not null,
      "max_attempts" integer not null,
      "recoveries" integer default 0 not null,
      "pending_deps" integer not null,
      "failed_deps" integer default 0 not null,
      "skipped_deps" integer default 0 not null,
      "available_at" bigint not null,
      "lease_owner" text,
      "lease_expires_at" bigint,
      "output" text,
      "error" text,
      "started_at" bigint,
      "finished_at" bigint,
      constraint "cloacina_task_runs_pk" primary key ("run_id", "task_id")
    )`,
    // Claims scan only Ready rows, oldest first.
    sql`create index "cloacina_task_runs_ready" on ${t("cloacina_task_runs")} ("available_at", "run_id", "task_id") where "status" = 'Ready'`,
    // Lease renewal and recovery look only at Running rows.
    sql`create index "cloacina_task_runs_running" on ${t("cloacina_task_runs")} ("lease_owner", "lease_expires_at") where "status" = 'Running'`,
    sql`create table ${t("cloacina_schedules")} (
      "id" text primary key,
      "workflow_name" text not null,
      "cron" text not null,
      "timezone" text not null,
      "context" text not null,
      "missed" text not null,
      "catch_up_limit" integer not null,
      "paused" integer default 0 not null,
      "next_fire_at" bigint not null,
      "last_fired_at" bigint,
      "created_at" bigint not null
    )`,
    sql`create table ${t("cloacina_task_attempts")} (
      "run_id" text not null,
      "task_id" text not null,
      "attempt" integer not null,
      "status" text not null,
      "error" text not null,
      "finished_at" bigint not null,
      constraint "cloacina_task_attempts_pk" primary key ("run_id", "task_id", "attempt")
    )`,
  ];
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      for (const statement of statements) await statement.execute(db);
    },
  };
}
