import BetterSqlite3 from "better-sqlite3";
const stats = new Map<string, { n: number; ms: number }>();
const proto = (BetterSqlite3 as any).prototype;
const origPrepare = proto.prepare;
proto.prepare = function (sql: string) {
  const st = origPrepare.call(this, sql);
  for (const m of ["run", "all", "get"]) {
    const orig = st[m].bind(st);
    st[m] = (...a: unknown[]) => { const s = performance.now(); try { return orig(...a); } finally { const k = sql.slice(0, 70); const e = stats.get(k) ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - s; stats.set(k, e); } };
  }
  return st;
};
const origTx = proto.transaction;
proto.transaction = function (fn: any) {
  const tx = origTx.call(this, fn);
  const imm = tx.immediate;
  tx.immediate = (...a: unknown[]) => { const s = performance.now(); try { return imm(...a); } finally { const e = stats.get("TX total") ?? { n: 0, ms: 0 }; e.n++; e.ms += performance.now() - s; stats.set("TX total", e); } };
  return tx;
};
const { measureChain } = await import("./chain.js");
const { createBenchDir } = await import("./temp-dir.js");
const dir = createBenchDir();
const s = performance.now();
const r = await measureChain(dir.dbFile("c"), 200);
const total = performance.now() - s;
console.log(r, "total ms", total.toFixed(0));
const tasks = 13 * 200;
for (const [k, v] of [...stats].sort((a, b) => b[1].ms - a[1].ms)) console.log(v.ms.toFixed(0).padStart(6), "ms", String(v.n).padStart(6), (v.ms * 1000 / v.n).toFixed(1).padStart(7), "us/call", (v.ms * 1000 / tasks).toFixed(1).padStart(7), "us/task ", k);
dir.remove();
