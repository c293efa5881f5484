import BetterSqlite3 from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
const dir = mkdtempSync(path.join(tmpdir(), "rawx-"));
const db = new BetterSqlite3(path.join(dir, "x.db"));
db.pragma("journal_mode = WAL"); db.pragma("synchronous = NORMAL");
db.exec("create table t (id integer primary key, v integer)");
const ins = db.prepare("insert into t (id, v) values (?, 0)");
db.transaction(() => { for (let i = 0; i < 100000; i++) ins.run(i); })();
const upd = db.prepare("update t set v = v + 1 where id = ?");
function bench(name: string, f: (i: number) => void, n = 10000) {
  for (let i = 0; i < 1000; i++) f(i);
  const s = performance.now(); for (let i = 0; i < n; i++) f(i); const ms = performance.now() - s;
  console.log(name, ((ms * 1000) / n).toFixed(1), "us/op");
}
bench("autocommit", (i) => upd.run(i));
const tx = db.transaction((i: number) => upd.run(i));
bench("tx deferred", (i) => tx(i));
bench("tx immediate", (i) => tx.immediate(i));
bench("in one tx", (i) => upd.run(i));
db.exec("begin"); bench("inside explicit tx", (i) => upd.run(i)); db.exec("commit");
db.close(); rmSync(dir, { recursive: true });
