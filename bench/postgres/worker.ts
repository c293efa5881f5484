/**
 * A Cloacina worker process for the multi-process figures: registers the benchmark's workflow
 * (defined by the same module as in the benchmark process, so with the same version), then
 * works until SIGTERM. Started by workers.ts with `node --import tsx --conditions=@cloacina/source`.
 */
import { createExecutor } from "@cloacina/backend-postgres";
import { defineWorkflow, isShape } from "./workflows.js";

const { CLOACINA_BENCH_WORKER_URL: url, CLOACINA_BENCH_SHAPE: shape } = process.env;
if (url === undefined || !isShape(shape))
  throw new Error("CLOACINA_BENCH_WORKER_URL or CLOACINA_BENCH_SHAPE is not set");
defineWorkflow(shape);
const executor = await createExecutor(url, { concurrency: Number(process.env.CLOACINA_BENCH_CONCURRENCY ?? 64) });
process.once("SIGTERM", () => void executor.close());
process.stdout.write("ready\n");
await executor.work();
// Closed: exit even if a library left a handle open, so the benchmark never waits on a worker.
process.exit(0);
