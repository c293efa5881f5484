/**
 * Migration 0001_initial (SQLite): runs, task runs, attempts and schedules. Times are epoch ms
 * in INTEGER columns (64-bit in SQLite).
 *
 * FROZEN: this migration has shipped. Never edit it: a database that already ran it would not
 * see the change, so old and new databases would differ. Change the schema with a new migration
 * (see ./index.ts). The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

const statements = [
  sql`create table "cloacina_runs" (
    "run_id" text primary key,
    "workflow_name" text not null,
    "workflow_version" text not null,
    "status" text not null,
    "input" text not null,
    "cancel_requested" integer default 0 not null,
    "unfinished" integer not null,
    "failed" integer default 0 not null,
    "created_at" integer not null,
    "finished_at" integer,
    "idempotency_key" text,
    "error" text
  )`,
  sql`create unique index "cloacina_runs_idempotency_key" on "cloacina_runs" ("idempotency_key") where "idempotency_key" is not null`,
  sql`create index "cloacina_runs_unfinished" on "cloacina_runs" ("created_at") where "status" = 'Running'`,
  // Listing runs, newest first, optionally by status or workflow: keyset pagination on these.
  sql`create index "cloacina_runs_created" on "cloacina_runs" ("created_at", "run_id")`,
  sql`create index "cloacina_runs_status_created" on "cloacina_runs" ("status", "created_at", "run_id")`,
  sql`create index "cloacina_runs_workflow_created" on "cloacina_runs" ("workflow_name", "created_at", "run_id")`,
  sql`create table "cloacina_task_runs" (
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
    "available_at" integer not null,
    "lease_owner" text,
    "lease_expires_at" integer,
    "output" text,
    "error" text,
    "started_at" integer,
    "finished_at" integer,
    constraint "cloacina_task_runs_pk" primary key ("run_id", "task_id")
  )`,
  // Claims scan only Ready rows, oldest first.
  sql`create index "cloacina_task_runs_ready" on "cloacina_task_runs" ("available_at", "run_id", "task_id") where "status" = 'Ready'`,
  // Lease renewal and recovery look only at Running rows.
  sql`create index "cloacina_task_runs_running" on "cloacina_task_runs" ("lease_owner", "lease_expires_at") where "status" = 'Running'`,
  sql`create table "cloacina_schedules" (
    "id" text primary key,
    "workflow_name" text not null,
    "cron" text not null,
    "timezone" text not null,
    "context" text not null,
    "missed" text not null,
    "catch_up_limit" integer not null,
    "paused" integer default 0 not null,
    "next_fire_at" integer not null,
    "last_fired_at" integer,
    "created_at" integer not null
  )`,
  sql`create table "cloacina_task_attempts" (
    "run_id" text not null,
    "task_id" text not null,
    "attempt" integer not null,
    "status" text not null,
    "error" text not null,
    "finished_at" integer not null,
    constraint "cloacina_task_attempts_pk" primary key ("run_id", "task_id", "attempt")
  )`,
];

export const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
