/**
 * The README's example (declared in workflows.ts): extract → transform → load on embedded SQLite.
 * Run it with `npm start` (or `npm run etl -w examples`).
 */
import { createExecutor } from "cloacina";
import { etl } from "./workflows.js";

const executor = await createExecutor(process.env.CLOACINA_DATABASE_URL ?? "sqlite://./cloacina.db");
try {
  const result = await executor.execute(etl, { source: "demo" });
  console.log(`run ${result.executionId}: ${result.status}`);
  for (const t of result.tasks) console.log(`  ${t.id.padEnd(10)} ${t.status} (attempts: ${t.attempts})`);
  console.log("final context:", result.finalContext);
  console.log("fetchedAt is a Date:", result.finalContext.fetchedAt instanceof Date);
  if (result.status !== "Completed") process.exitCode = 1;
} finally {
  await executor.close();
}
