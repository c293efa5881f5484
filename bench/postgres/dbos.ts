import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { redactUrls } from "@cloacina/engine";
import { CONCURRENT_WORKFLOWS, SEQUENTIAL_WORKFLOWS, WARM_UP_WORKFLOWS } from "./cloacina-workflows.js";
import type { DbosProcessEnv, DbosShape } from "./dbos-process.js";
import { withDatabase } from "./server.js";
import { JOBS } from "./workflows.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const CHILD = path.join(import.meta.dirname, "dbos-process.ts");
/** Launch, migrations and warm-up included; far past the figures seen on this machine. */
const CHILD_TIMEOUT_MS = 180_000;

/** A DBOS figure: elapsed ms of the timed part, or why there is none. */
export type DbosFigure = { measured: true; ms: number } | { measured: false; reason: string };

export interface DbosResults {
  /** The installed @dbos-inc/dbos-sdk version, when it is installed. */
  version: string | undefined;
  sequential: DbosFigure;
  concurrent: DbosFigure;
  wide: DbosFigure;
}

/** Workflows (or, for "wide", steps) each figure times. */
export const DBOS_COUNTS: Record<DbosShape, number> = {
  sequential: SEQUENTIAL_WORKFLOWS,
  concurrent: CONCURRENT_WORKFLOWS,
  wide: JOBS,
};

/** Its package.json is not exported: found next to the entry point. */
export function dbosVersion(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve("@dbos-inc/dbos-sdk");
    const manifest = readFileSync(path.join(path.dirname(entry), "../../package.json"), "utf8");
    return (JSON.parse(manifest) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * One figure: a fresh database on the same server (DBOS runs its migrations into it on
 * launch), a child process that launches DBOS on it, warms up and times the shape; the
 * database is dropped afterwards. Never throws: a failure is the figure's reason.
 */
export async function measureDbos(shape: DbosShape): Promise<DbosFigure> {
  try {
    return await withDatabase("dbos", (url) => runChild(url, shape));
  } catch (error) {
    return { measured: false, reason: redactUrls(error instanceof Error ? error.message : String(error)) };
  }
}

function runChild(url: string, shape: DbosShape): Promise<DbosFigure> {
  const env: DbosProcessEnv = {
    DBOS_BENCH_URL: url,
    DBOS_BENCH_SHAPE: shape,
    DBOS_BENCH_COUNT: String(DBOS_COUNTS[shape]),
    DBOS_BENCH_WARM_UP: String(WARM_UP_WORKFLOWS),
  };
  // --no-deprecation: DBOS's pg usage triggers pg's "client already executing a query" warning.
  const child = spawn(process.execPath, ["--no-deprecation", "--import", "tsx", CHILD], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MS);
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ measured: false, reason: error.message });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      const line = out.split("\n").find((l) => l.startsWith("result ") || l.startsWith("error "));
      if (line?.startsWith("result ")) {
        resolve({ measured: true, ms: (JSON.parse(line.slice("result ".length)) as { ms: number }).ms });
        return;
      }
      const why =
        line?.slice("error ".length) ??
        (signal === "SIGKILL"
          ? `did not finish within ${CHILD_TIMEOUT_MS / 1000} s`
          : `its process exited (${signal ?? code}): ${err.trim().split("\n").at(-1) ?? "no output"}`);
      resolve({ measured: false, reason: redactUrls(why) });
    });
  });
}
