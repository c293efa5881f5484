import { measureChain } from "./chain.js";
import { createBenchDir } from "./temp-dir.js";
const dir = createBenchDir();
try {
  for (let i = 0; i < 3; i++) console.log(await measureChain(dir.dbFile("c" + i), 200));
} finally { dir.remove(); }
