import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { listRunsQuery } from "@cloacina/engine/store";
import { type RunFilter } from "@cloacina/engine";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { describe, expect, test } from "vitest";
import { dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

describe.skipIf(skipPostgres)("PostgreSQL listRuns", () => {
  test("stays indexed with 100,000 runs stored: no sequential scan, no sort", async () => {
    const { schema, url } = freshSchema("list");
    const store = new PostgresDriver(parsePostgresUrl(url));
    const pool = new pg.Pool({ connectionString: TEST_URL, max: 1 });
    try {
      await store.migrate();
      await pool.query(`
        insert into "${schema}".cloacina_runs (run_id, workflow_name, workflow_version, status, input, unfinished, created_at)
        select 'run-' || lpad(i::text, 6, '0'), 'wf-' || (i % 10), 'v',
               (array['Completed', 'Failed', 'Running', 'Cancelled'])[i % 4 + 1], 'v1:[{}]', 0, 1000000 + i
        from generate_series(0, 99999) as i`);
      await pool.query(`analyze "${schema}".cloacina_runs`);
      const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }) }).withSchema(schema);
      const filters: Record<string, RunFilter> = {
        all: { limit: 50 },
        byStatus: { status: "Failed", limit: 50 },
        byWorkflow: { workflow: "wf-3", limit: 50 },
        nextPage: { status: "Failed", limit: 50, after: { createdAt: 1_090_001, runId: "run-090001" } },
      };
      const plans: Record<string, string> = {};
      for (const [name, filter] of Object.entries(filters)) {
        const { sql, parameters } = listRunsQuery(db, filter).compile();
        const result = await pool.query<{ "QUERY PLAN": string }>(`explain ${sql}`, parameters as unknown[]);
        plans[name] = result.rows.map((r) => r["QUERY PLAN"].trim()).join(" | ");
      }
      for (const [name, plan] of Object.entries(plans)) {
        expect(plan, name).toMatch(/Index Scan( Backward)? using cloacina_runs_/);
        expect(plan, name).not.toMatch(/Seq Scan|Sort/);
      }
      // The next page seeks with the cursor in the index condition, rather than filtering rows.
      expect(plans.nextPage).toMatch(/Index Cond: \(\(status = 'Failed'::text\) AND \(ROW\(created_at, run_id\) </);
      const page = await store.runs.listRuns(filters.nextPage!);
      expect(page).toHaveLength(50);
      expect(page[0]).toMatchObject({ runId: "run-089997", status: "Failed" });
      console.log(
        "PostgreSQL query plans for listRuns over 100,000 runs:\n" +
          Object.entries(plans)
            .map(([k, v]) => `  ${k}: ${v}`)
            .join("\n"),
      );
    } finally {
      await store.close();
      await pool.end();
      await dropSchema(schema);
    }
  }, 60_000);
});
