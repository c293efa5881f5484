/**
 * The README's example: extract → transform → load on embedded SQLite.
 * Run it with `npm start` (or `npm run etl -w examples`). Uses TC39 standard decorators.
 */
import { createExecutor, task, workflow } from "cloacina";

export class Etl {
  @task({ id: "extract" })
  static async extract(ctx: { source: string }) {
    console.log(`extract: reading from ${ctx.source}`);
    return { rows: [1, 2, 3], fetchedAt: new Date() };
  }

  @task({ id: "transform", dependsOn: ["extract"], retry: { maxAttempts: 3 } })
  static async transform(ctx: { rows: number[] }) {
    return { total: ctx.rows.reduce((a, b) => a + b, 0) };
  }
}

// The same without decorators, for free functions.
const load = task({ id: "load", dependsOn: ["transform"] }, async (ctx: { total: number }, run) => {
  run.signal.throwIfAborted();
  console.log(`load: storing total ${ctx.total}`);
  return { loaded: true };
});

const etl = workflow({ name: "etl", tasks: ["extract", "transform", load] });
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
