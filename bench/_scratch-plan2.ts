import BetterSqlite3 from "better-sqlite3";
import { SqliteStore } from "@cloacina/backend-sqlite";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
const file = dir.dbFile("p");
const store = new SqliteStore({ filename: file, synchronous: "NORMAL", busyTimeoutMs: 5000 });
await store.migrate(); await store.close();
const sqlite = new BetterSqlite3(file);
const claimLit = `update "cloacina_task_runs" set "status" = 'Running', "attempt" = "attempt" + 1, "lease_owner" = ?, "lease_expires_at" = ?, "started_at" = coalesce("started_at", ?) where "rowid" in (select "rowid" as "rowid" from "cloacina_task_runs" where "status" = 'Ready' and "available_at" <= ? and "workflow_version" in (select value from json_each(?)) order by "available_at", "rowid" limit ?) returning "run_id"`;
console.log(sqlite.prepare("EXPLAIN QUERY PLAN " + claimLit).all("o", 1, 1, 1, "[]", 1).map((r: any) => r.detail));
const claimParam = claimLit.replace(`"status" = 'Ready'`, `"status" = ?`);
// populate: N completed rows + 1 ready row
const ins = sqlite.prepare(`INSERT INTO cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at) VALUES (?, ?, 0, 'v', ?, 1, 0, 1)`);
for (const n of [1000, 10000, 50000]) {
  sqlite.exec("delete from cloacina_task_runs");
  sqlite.transaction(() => { for (let i = 0; i < n; i++) ins.run("r" + i, "t", "Completed"); })();
  for (const [label, sql] of [["literal", claimLit], ["param", claimParam]] as const) {
    const st = sqlite.prepare(sql);
    const s = performance.now(); const K = 200;
    sqlite.exec("begin");
    for (let k = 0; k < K; k++) { ins.run("x" + label + k, "t", "Ready"); const args: unknown[] = ["o", 2, 3]; if (label === "param") args.push("Ready"); args.push(5, '["v"]', 1); st.all(...args); }
    sqlite.exec("commit");
    console.log(n, "rows:", label, ((performance.now() - s) * 1000 / K).toFixed(1), "us per insert+claim");
  }
}
sqlite.close(); dir.remove();
