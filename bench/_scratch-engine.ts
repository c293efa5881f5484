import { measureChain } from "./chain.js";
import { measureSingleTaskRuns } from "./single-task-runs.js";
import { measureFanOut } from "./fan-out.js";
import { measureHeap } from "./heap.js";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
let t = performance.now();
const lap = (l: string, v: unknown) => { console.log(l, JSON.stringify(v), "(" + (performance.now() - t).toFixed(0) + " ms)"); t = performance.now(); };
try {
  lap("chain200", await measureChain(dir.dbFile("c200"), 200));
  lap("chain20", await measureChain(dir.dbFile("c20"), 20));
  lap("single", await measureSingleTaskRuns(dir.dbFile("s")));
  lap("fan256", await measureFanOut(dir.dbFile("f256"), 256));
  lap("fandef", await measureFanOut(dir.dbFile("fdef"), undefined));
  lap("heap", await measureHeap(dir.dbFile("h")));
} finally { dir.remove(); }
