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
