import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import pg from "pg";
import { describe, expect, test } from "vitest";
import { BEGIN } from "../src/pipeline.js";
import { dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

describe.skipIf(skipPostgres)("PostgreSQL claim", () => {
  test("scans the ready index in order with 100,000 claimed tasks stored and no statistics", async () => {
    const { schema, url } = freshSchema("claim");
    const store = new PostgresDriver(parsePostgresUrl(url));
    const client = new pg.Client({ connectionString: TEST_URL });
    await client.connect();
    try {
      await store.migrate();
      const t = `"${schema}".cloacina_task_runs`;
      // Every task went Ready → Running → Completed: the ready index keeps 100,000 dead entries.
      await client.query(`
        insert into ${t} (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at)
        select 'run-' || i, 'only', 0, 'v', 'Ready', 1, 0, 1000000 + i from generate_series(1, 100000) as i`);
      await client.query(`update ${t} set status = 'Running', lease_owner = 'w'`);
      await client.query(`update ${t} set status = 'Completed', lease_owner = null`);
      const claim = `
        select run_id, task_id from ${t}
        where status = 'Ready' and available_at <= $1 and workflow_version = any($2::text[])
        order by available_at, run_id, task_id limit $3 for update skip locked`;
      const plans: string[] = [];
      for (const begin of ["begin", BEGIN]) {
        await client.query(begin);
        const { rows } = await client.query<{ "QUERY PLAN": string }>(`explain ${claim}`, [2000000, ["v", "w"], 64]);
        await client.query("rollback");
        plans.push(rows.map((r) => r["QUERY PLAN"].trim()).join(" | "));
      }
      const stats = await client.query(`select 1 from pg_stats where schemaname = $1`, [schema]);
      expect(stats.rowCount).toBe(0);
      // The planner's own choice without statistics: a bitmap scan, which never marks dead entries.
      expect(plans[0]).toMatch(/Bitmap/);
      // Each engine transaction begins with BEGIN: the ordered index scan, no sort.
      expect(plans[1]).toMatch(/Index Scan using cloacina_task_runs_ready/);
      expect(plans[1]).not.toMatch(/Bitmap|Sort|Seq Scan/);
    } finally {
      await client.end();
      await store.close();
      await dropSchema(schema);
    }
  }, 60_000);
});
