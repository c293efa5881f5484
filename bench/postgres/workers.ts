import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Shape } from "./workflows.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKER = path.join(import.meta.dirname, "worker.ts");
/** tsx takes a second or two to load the engine from source on this machine. */
const READY_TIMEOUT_MS = 60_000;

export interface WorkerOptions {
  /** The Cloacina URL of the schema to work on. */
  url: string;
  /** Which benchmark workflow to register. */
  shape: Shape;
  concurrency: number;
}

/** Starts one worker process and resolves once its executor is open and working. */
function startWorker(options: WorkerOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@cloacina/source", WORKER], {
    cwd: ROOT,
    env: {
      ...process.env,
      CLOACINA_BENCH_WORKER_URL: options.url,
      CLOACINA_BENCH_SHAPE: options.shape,
      CLOACINA_BENCH_CONCURRENCY: String(options.concurrency),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`benchmark worker not ready after ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (!out.includes("ready\n")) return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`benchmark worker exited (${signal ?? code}) before it was ready`));
    });
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/**
 * Runs `use` while `count` worker processes work on the URL's schema; stops them afterwards
 * (SIGTERM: each closes its executor, so no lease is left behind in the schema being dropped).
 */
export async function withWorkers<T>(count: number, options: WorkerOptions, use: () => Promise<T>): Promise<T> {
  const started = await Promise.allSettled(Array.from({ length: count }, () => startWorker(options)));
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  try {
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
    return await use();
  } finally {
    await Promise.all(workers.map(stopWorker));
  }
}
