/**
 * `npm run bench`: the engine on embedded SQLite against plain better-sqlite3, then on
 * PostgreSQL against a bare SKIP LOCKED loop and its peers (graphile-worker, pg-boss), in one
 * run. `npm run bench -- sqlite` or `npm run bench -- postgres` runs only that part.
 *
 * SQLite: 1. engine overhead per task in a sequential chain, 2. 1-task workflows per second,
 * 3. a 1 → 1,000 → 1 fan-out, 4. heap growth over 10,000 runs, 5. raw SQLite limits as the
 * yardstick, … 8.–10. maps and child workflows (bench/maps.ts). PostgreSQL: see
 * bench/postgres/measure-postgres.ts.
 */
import { relaunchWithExposedGc } from "./expose-gc.js";

const PARTS = ["sqlite", "postgres"] as const;
const asked = process.argv.slice(2);
const unknown = asked.filter((arg) => !(PARTS as readonly string[]).includes(arg));
if (unknown.length > 0) {
  console.error(`Unknown benchmark part: ${unknown.join(", ")}. Usage: npm run bench [-- ${PARTS.join(" | ")}]`);
  process.exit(2);
}
const parts = {
  sqlite: asked.length === 0 || asked.includes("sqlite"),
  postgres: asked.length === 0 || asked.includes("postgres"),
};

// The heap figures need gc(): SQLite's, and the heap of a map on both backends.
const childExitCode = relaunchWithExposedGc();
if (childExitCode === undefined) {
  // Imported only here, so the relaunching parent does not load the engine for nothing.
  const { runAll } = await import("./run-all.js");
  await runAll(parts);
} else {
  process.exitCode = childExitCode;
}
