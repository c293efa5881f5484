/**
 * The README's ETL workflow as a module for the `cloacina` command line: it only declares (no
 * executor, nothing runs on import), so `cloacina run ./workflows.ts etl`, `cloacina worker
 * ./workflows.ts` and `cloacina retry <id> --module ./workflows.ts` can load it; `etl.ts` runs it
 * through the API. Uses TC39 standard decorators. Fully typed: `load`'s ctx is inferred from
 * `Etl.transform`, and `etl`'s input schema types `execute(etl, input)` and its `finalContext`.
 */
import { task, workflow } from "cloacina";
import { z } from "zod";

export class Etl {
  @task({ id: "extract" })
  static async extract(ctx: { source: string }) {
    console.log(`extract: reading from ${ctx.source}`);
    return { rows: [1, 2, 3], fetchedAt: new Date() };
  }

  // A standard decorator runs before its class is defined, so it names a method of its own
  // class by id; outside the class, `Etl.extract` is a typed reference.
  @task({ id: "transform", dependsOn: ["extract"], retry: { maxAttempts: 3 } })
  static async transform(ctx: { rows: number[] }) {
    return { total: ctx.rows.reduce((a, b) => a + b, 0) };
  }
}

// The same without decorators, for free functions: ctx is { rows: number[]; total: number }.
const load = task({ id: "load", dependsOn: [Etl.transform] }, async (ctx, run) => {
  run.signal.throwIfAborted();
  console.log(`load: storing total ${ctx.total}`);
  return { loaded: true };
});

export const etl = workflow({
  name: "etl",
  input: z.object({ source: z.string() }),
  tasks: [Etl.extract, Etl.transform, load],
});
