/** bench/maps.ts's figures on PostgreSQL: each on a fresh schema (dropped after), one process. */
import { createExecutor } from "@cloacina/backend-postgres";
import { resetRegistry } from "@cloacina/engine";
import { MAP_CONCURRENCY, type MapResults, measureMaps, type WithFreshExecutor } from "../maps.js";
import type { Stage } from "./measure-postgres.js";
import { schemaUrl, withSchema } from "./server.js";

const withFreshSchema: WithFreshExecutor = (name, define, use) =>
  withSchema(`cl_${name}`, async (schema) => {
    resetRegistry();
    const defined = define();
    const executor = await createExecutor(schemaUrl(schema), { concurrency: MAP_CONCURRENCY });
    try {
      return await use(executor, defined);
    } finally {
      await executor.close();
    }
  });

export function measurePostgresMaps(stage: Stage): Promise<MapResults> {
  return measureMaps("PostgreSQL", withFreshSchema, stage);
}
