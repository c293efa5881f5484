import { spawnSync } from "node:child_process";

/** Set in the relaunched child, so a Node that ignores --expose-gc cannot relaunch forever. */
const RELAUNCHED = "CLOACINA_BENCH_RELAUNCHED";

/**
 * The heap figures need `global.gc()` to read a settled heap, and `npm run bench` starts Node
 * without --expose-gc. So when gc is missing this relaunches the same script, with the same Node
 * flags (tsx's loader, --conditions) plus --expose-gc, and returns the child's exit code.
 * Returns undefined when this process should run the benchmark itself.
 */
export function relaunchWithExposedGc(): number | undefined {
  if (typeof globalThis.gc === "function" || process.env[RELAUNCHED] !== undefined) return undefined;
  const child = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, [RELAUNCHED]: "1" },
  });
  if (child.error) throw child.error;
  return child.status ?? 1;
}
