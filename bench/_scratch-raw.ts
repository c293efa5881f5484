import { measureRawLimits } from "./raw-sqlite.js";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
const t = performance.now();
try { const r = await measureRawLimits(dir.dbFile); for (const [k, v] of Object.entries(r)) console.log(k, v.perSecond.toFixed(0), v.us.toFixed(1)); } finally { dir.remove(); }
console.log("total ms", performance.now() - t);
