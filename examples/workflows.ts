/**
 * The README's ETL workflow as a module for the `cloacina` command line: it only declares (no
 * executor, nothing runs on import), so `cloacina run ./workflows.ts etl`, `cloacina worker
 * ./workflows.ts` and `cloacina retry <id> --module ./workflows.ts` can load it; `etl.ts` runs it
 * through the API. Uses TC39 standard decorators.
 */
import { task, workflow } from "cloacina";

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

export const etl = workflow({ name: "etl", tasks: ["extract", "transform", load] });
