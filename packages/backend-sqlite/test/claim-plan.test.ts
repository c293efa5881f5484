/**
 * A claim on SQLite reads the first Ready tasks off an index, in claim order, however many are
 * Ready: a map of 10,000 instances makes them all Ready at once, with one available_at, and a
 * claim that sorted them would cost as much as their number, for every claim.
 */
import { SqliteDriver } from "@cloacina/backend-sqlite";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { sqliteQueries } from "../src/sqlite-queries.js";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-claim-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("claiming with 10,000 Ready instances of one map reads the index in order: no sort", async () => {
  const filename = path.join(dir, "claim.db");
  const driver = new SqliteDriver({ filename, synchronous: "NORMAL", busyTimeoutMs: 1000 });
  await driver.migrate();
  await driver.close();
  const sqlite = new BetterSqlite3(filename);
  const insert = sqlite.prepare(
    `insert into cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps,
       available_at, instance_of, instance_index, element) values ('r', ?, 0, 'v', 'Ready', 1, 0, 1000, 'map', ?, 'e')`,
  );
  sqlite.transaction(() => {
    for (let i = 0; i < 10_000; i++) insert.run(`map[${i}]`, i);
  })();
  sqlite.exec("analyze");
  const q = sqliteQueries(new Kysely({ dialect: new SqliteDialect({ database: sqlite }) }), sqlite);
  const plan = (
    sqlite.prepare(`explain query plan ${q.claimable.source}`).all(2000, "|v|", 64) as { detail: string }[]
  ).map((p) => p.detail);
  expect(plan.join(" | ")).toMatch(/USING INDEX cloacina_task_runs_claim/);
  expect(plan.join(" | ")).not.toMatch(/TEMP B-TREE/);
  // And the claim returns the instances in element order (their insertion order).
  const rows = q.claimable.all<{ task_id: string }>(2000, "|v|", 3);
  expect(rows.map((r) => r.task_id)).toEqual(["map[0]", "map[1]", "map[2]"]);
  sqlite.close();
});
