import BetterSqlite3 from "better-sqlite3";
import { SqliteStore } from "@cloacina/backend-sqlite";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
async function run(label: string, setup: (db: BetterSqlite3.Database) => void) {
  const file = dir.dbFile(label);
  const store = new SqliteStore({ filename: file, synchronous: "NORMAL", busyTimeoutMs: 5000 });
  await store.migrate(); await store.close();
  const db = new BetterSqlite3(file);
  db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL");
  setup(db);
  const ins = db.prepare(`INSERT INTO cloacina_task_runs (run_id, task_id, position, workflow_version, status, max_attempts, pending_deps, available_at) VALUES (?, ?, ?, 'raw', 'Ready', 1, 0, ?)`);
  db.transaction(() => { for (let i = 0; i < 6000; i++) ins.run("r", "t" + i, i, 1); })();
  const claim = db.prepare(`UPDATE cloacina_task_runs SET status = 'Running', attempt = attempt + 1, lease_owner = ?, lease_expires_at = ?, started_at = coalesce(started_at, ?) WHERE run_id = ? AND task_id = ? AND status = 'Ready'`);
  const complete = db.prepare(`UPDATE cloacina_task_runs SET status = 'Completed', output = ?, error = NULL, finished_at = ?, lease_owner = NULL, lease_expires_at = NULL WHERE run_id = ? AND task_id = ? AND status = 'Running'`);
  const s = performance.now();
  for (let i = 0; i < 6000; i++) { claim.run("o", 2, 3, "r", "t" + i); complete.run("v1:[{}]", 4, "r", "t" + i); }
  console.log(label, ((performance.now() - s) * 1000 / 6000).toFixed(1), "us/task");
  db.close();
}
await run("plain", () => {});
await run("no-autockpt", (db) => db.pragma("wal_autocheckpoint = 0"));
await run("no-partial-idx", (db) => { db.exec("drop index cloacina_task_runs_ready; drop index cloacina_task_runs_running"); });
await run("sync-off", (db) => db.pragma("synchronous = OFF"));
await run("plain2", () => {});
dir.remove();
