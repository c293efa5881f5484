import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import { SqliteStore } from "@cloacina/backend-sqlite";
import { sqliteQueries } from "../packages/backend-sqlite/src/sqlite-queries.js";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
const file = dir.dbFile("p");
const store = new SqliteStore({ filename: file, synchronous: "NORMAL", busyTimeoutMs: 5000 });
await store.migrate(); await store.close();
const sqlite = new BetterSqlite3(file);
const sqls: Record<string, string> = {};
const origPrepare = sqlite.prepare.bind(sqlite);
let last = "";
(sqlite as any).prepare = (s: string) => { last = s; return origPrepare(s); };
const db = new Kysely<any>({ dialect: new SqliteDialect({ database: sqlite }) });
const q = sqliteQueries(db, sqlite);
// re-run to capture each
for (const name of Object.keys(q)) {
  const single = sqliteQueries(db, sqlite) as any; // captures in order; simpler: intercept in order
}
const captured: string[] = [];
(sqlite as any).prepare = (s: string) => { captured.push(s); return origPrepare(s); };
const q2 = sqliteQueries(db, sqlite);
const names = Object.keys(q2);
names.forEach((n, i) => { sqls[n] = captured[i]!; });
for (const n of ["claim", "nextAvailableAt", "finishTask", "releaseChildren", "countDown", "renewLeases", "recoverLeases", "leaseOwners", "getTasks", "completedOutputs"]) {
  console.log("==", n, "\n", sqls[n]);
  const params = (sqls[n]!.match(/\?/g) ?? []).map(() => "x");
  try { console.log(origPrepare("EXPLAIN QUERY PLAN " + sqls[n]).all(...params).map((r: any) => "   " + r.detail).join("\n")); } catch (e) { console.log(String(e)); }
}
sqlite.close(); dir.remove();
