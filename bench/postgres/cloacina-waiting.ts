import { createExecutor } from "@cloacina/backend-postgres";
import { measureRoundTrip, type RoundTrip, roundTripWorkflows } from "../waiting.js";
import { schemaUrl, withSchema } from "./server.js";

export const PG_ROUND_TRIP_RUNS = 100;

/** a → b vs a → sleep 0 → b vs a → sleep 1 ms → b, one process, on a fresh schema (see ../waiting.ts). */
export async function measureCloacinaWaitRoundTrip(): Promise<RoundTrip> {
  const wfs = roundTripWorkflows("pgbench.wait");
  return withSchema("cl_wait", async (schema) => {
    const executor = await createExecutor(schemaUrl(schema));
    try {
      return await measureRoundTrip(executor, wfs, PG_ROUND_TRIP_RUNS);
    } finally {
      await executor.close();
    }
  });
}
