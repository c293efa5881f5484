/**
 * Migration 0004_maps (SQLite): tasks that expand into instances at run time (a map over an
 * array of the context), and runs started by a task of another run (child workflows).
 *
 * FROZEN once shipped: never edit it; change the schema with a new migration (see ./index.ts).
 * The DDL is written out here and imports nothing that could change.
 */
import { type Kysely, type Migration, sql } from "kysely";

const statements = [
  // An instance row of a mapped task: the task it belongs to, its element's index, and the
  // element (encoded). Null on every other row.
  sql`alter table "cloacina_task_runs" add column "instance_of" text`,
  sql`alter table "cloacina_task_runs" add column "instance_index" integer`,
  sql`alter table "cloacina_task_runs" add column "element" text`,
  // A map collects its instances' outputs in element order.
  sql`create index "cloacina_task_runs_instances" on "cloacina_task_runs" ("run_id", "instance_of", "instance_index") where "instance_of" is not null`,
  // Claims take Ready tasks by (available_at, rowid): an index on available_at holds its entries
  // in that order (SQLite appends the rowid), so a claim reads the first few instead of sorting
  // every Ready row, which a map of 10,000 instances sharing one available_at would make it do.
  sql`create index "cloacina_task_runs_claim" on "cloacina_task_runs" ("available_at") where "status" = 'Ready'`,
  // A child run: the run and the task row (an instance's, when mapped) that started it.
  sql`alter table "cloacina_runs" add column "parent_run_id" text`,
  sql`alter table "cloacina_runs" add column "parent_task_id" text`,
  sql`create index "cloacina_runs_parent" on "cloacina_runs" ("parent_run_id") where "parent_run_id" is not null`,
];

export const maps: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    for (const statement of statements) await statement.execute(db);
  },
};
