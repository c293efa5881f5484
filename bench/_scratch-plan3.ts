import BetterSqlite3 from "better-sqlite3";
import { SqliteStore } from "@cloacina/backend-sqlite";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
const file = dir.dbFile("p");
const store = new SqliteStore({ filename: file, synchronous: "NORMAL", busyTimeoutMs: 5000 });
await store.migrate(); await store.close();
const sqlite = new BetterSqlite3(file);
sqlite.pragma("journal_mode = WAL"); sqlite.pragma("synchronous = NORMAL");
const sub = (status: string) => `select "rowid" from "cloacina_task_runs" where "status" = ${status} and "available_at" <= ? and "workflow_version" in (select value from json_each(?)) order by "available_at", "rowid" limit ?`;
const ins = sqlite.prepare(`INSERT INTO cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at) VALUES (?, ?, 0, 'v', ?, 1, 0, 1)`);
const t = (label: string, K: number, f: (k: number) => void) => { sqlite.exec("begin"); const s = performance.now(); for (let k = 0; k < K; k++) f(k); const us = (performance.now() - s) * 1000 / K; sqlite.exec("commit"); console.log(label.padEnd(40), us.toFixed(2), "us"); };
for (const n of [1000, 10000, 50000]) {
  sqlite.exec("delete from cloacina_task_runs");
  sqlite.transaction(() => { for (let i = 0; i < n; i++) ins.run("r" + i, "t", "Completed"); })();
  ins.run("ready", "t", "Ready");
  const lit = sqlite.prepare(sub(`'Ready'`)); const par = sqlite.prepare(sub("?"));
  t(`${n} select literal`, 500, () => lit.all(5, '["v"]', 1));
  t(`${n} select param`, 100, () => par.all("Ready", 5, '["v"]', 1));
  t(`${n} insert`, 500, (k) => ins.run("z" + n + "-" + k, "t", "Done"));
}
sqlite.close(); dir.remove();
