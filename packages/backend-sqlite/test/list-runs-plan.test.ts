import { SqliteDriver } from "@cloacina/backend-sqlite";
import type { RunFilter } from "@cloacina/engine";
import { listRunsQuery } from "@cloacina/engine/store";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-list-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("listing runs stays indexed with 100,000 runs stored: no scan, no sort, whatever the filter", async () => {
  const filename = path.join(dir, "runs.db");
  const store = new SqliteDriver({ filename, synchronous: "NORMAL", busyTimeoutMs: 1000 });
  await store.migrate();
  const sqlite = new BetterSqlite3(filename);
  const insert = sqlite.prepare(
    "insert into cloacina_runs (run_id, workflow_name, workflow_version, status, input, unfinished, created_at) values (?, ?, 'v', ?, 'v1:[{}]', 0, ?)",
  );
  const statuses = ["Completed", "Failed", "Running", "Cancelled"];
  sqlite.transaction(() => {
    for (let i = 0; i < 100_000; i++)
      insert.run(`run-${String(i).padStart(6, "0")}`, `wf-${i % 10}`, statuses[i % 4], 1_000_000 + i);
  })();
  sqlite.exec("analyze");
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
  const plans: Record<string, string> = {};
  const filters: Record<string, RunFilter> = {
    all: { limit: 50 },
    byStatus: { status: "Failed", limit: 50 },
    byWorkflow: { workflow: "wf-3", limit: 50 },
    byTime: { createdFrom: 1_050_000, createdTo: 1_060_000, limit: 50 },
    nextPage: { status: "Failed", limit: 50, after: { createdAt: 1_090_001, runId: "run-090001" } },
  };
  for (const [name, filter] of Object.entries(filters)) {
    const { sql, parameters } = listRunsQuery(db, filter).compile();
    const plan = sqlite.prepare(`explain query plan ${sql}`).all(...(parameters as unknown[])) as { detail: string }[];
    plans[name] = plan.map((p) => p.detail).join(" | ");
  }
  for (const [name, plan] of Object.entries(plans)) {
    expect(plan, name).toMatch(/USING (COVERING )?INDEX cloacina_runs_/);
    expect(plan, name).not.toMatch(/TEMP B-TREE/);
    expect(plan, name).not.toMatch(/^SCAN cloacina_runs$/);
  }
  expect(plans.byStatus).toContain("cloacina_runs_status_created");
  const page = await store.runs.listRuns(filters.nextPage!);
  expect(page).toHaveLength(50);
  expect(page[0]).toMatchObject({ runId: "run-089997", status: "Failed" });
  console.log(
    "SQLite query plans for listRuns over 100,000 runs:\n" +
      Object.entries(plans)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join("\n"),
  );
  await db.destroy();
  await store.close();
}, 60_000);
