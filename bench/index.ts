/**
 * `npm run bench`: the engine on embedded SQLite against plain better-sqlite3, in one run.
 *
 * 1. engine overhead per task in a sequential chain, 2. 1-task workflows per second, 3. a
 * 1 → 1,000 → 1 fan-out, 4. heap growth over 10,000 runs, 5. raw SQLite limits as the yardstick.
 */
import { relaunchWithExposedGc } from "./expose-gc.js";

const childExitCode = relaunchWithExposedGc();
if (childExitCode === undefined) {
  // Imported only here, so the relaunching parent does not load the engine for nothing.
  const { runAll } = await import("./run-all.js");
  await runAll();
} else {
  process.exitCode = childExitCode;
}
