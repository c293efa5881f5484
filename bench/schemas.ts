/**
 * What schemas cost (issue "Types end to end": optional, and free when absent): the same 1-task
 * workflow executed one after another, without schemas and with a zod input schema on the
 * workflow and an output schema on its task, interleaved on one executor.
 */
import { task, workflow } from "@cloacina/engine";
import { z } from "zod";
import { executeOrThrow, withExecutor } from "./engine-sqlite.js";
import { elapsedMs, median } from "./measure.js";

export const SCHEMA_RUNS = 1_000;
const BATCH = 50;

export interface SchemaCost {
  runs: number;
  /** Median time of a run, µs. */
  plainUs: number;
  withSchemasUs: number;
}

export async function measureSchemaCost(file: string): Promise<SchemaCost> {
  return withExecutor(
    file,
    {},
    () => ({
      plain: workflow({
        name: "bench.schema.none",
        tasks: [task({ id: "bench.schema.none" }, () => ({ done: true }))],
      }),
      checked: workflow({
        name: "bench.schema.zod",
        input: z.object({ n: z.number() }),
        tasks: [task({ id: "bench.schema.zod", output: z.object({ done: z.boolean() }) }, () => ({ done: true }))],
      }),
    }),
    async (executor, { plain, checked }) => {
      for (let i = 0; i < 100; i++) {
        await executeOrThrow(executor, plain);
        await executor.execute(checked, { n: i });
      }
      const plainBatches: number[] = [];
      const checkedBatches: number[] = [];
      // Batches in turn, so that a slow moment of the machine falls on both.
      for (let b = 0; b < SCHEMA_RUNS / BATCH; b++) {
        plainBatches.push(
          await elapsedMs(async () => {
            for (let i = 0; i < BATCH; i++) await executeOrThrow(executor, plain);
          }),
        );
        checkedBatches.push(
          await elapsedMs(async () => {
            for (let i = 0; i < BATCH; i++) {
              const result = await executor.execute(checked, { n: i });
              if (result.status !== "Completed") throw new Error(`schema run ended ${result.status}`);
            }
          }),
        );
      }
      return {
        runs: SCHEMA_RUNS,
        plainUs: (median(plainBatches) * 1000) / BATCH,
        withSchemasUs: (median(checkedBatches) * 1000) / BATCH,
      };
    },
  );
}
