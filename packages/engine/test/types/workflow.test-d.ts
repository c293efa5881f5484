// What `workflow()`, `start`, `execute` and `get` accept and return for a typed workflow.
// Checked by tsc (see task-context.test-d.ts): every @ts-expect-error line must fail to compile.
import { task, workflow, type Context, type Executor, type RunResult } from "@cloacina/engine";
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";

declare const executor: Executor;

const extract = task({ id: "wf-types.extract" }, (_ctx: { source: string }) => ({ rows: [1, 2, 3] }));
const transform = task({ id: "wf-types.transform", dependsOn: [extract] }, (ctx) => ({ total: ctx.rows.length }));
const notify = task(
  { id: "wf-types.notify", dependsOn: [transform], trigger: { path: "total", greaterThan: 2 } },
  () => ({
    notified: true,
  }),
);

const etl = workflow({ name: "wf-types.etl", input: z.object({ source: z.string() }), tasks: [extract, transform] });

describe("a workflow with an input schema", () => {
  test("start and execute take exactly the schema's input", async () => {
    await executor.start(etl, { source: "s3://bucket" });
    // @ts-expect-error: source is a string
    await executor.start(etl, { source: 1 });
    // @ts-expect-error: the input is required
    await executor.execute(etl);
    // @ts-expect-error: a key the schema does not have
    await executor.execute(etl, { source: "x", sourse: "typo" });
  });

  test("a completed run's finalContext is the input with every output over it, with no cast", async () => {
    const result = await executor.execute(etl, { source: "x" });
    if (result.status === "Completed") {
      expectTypeOf(result.finalContext).toEqualTypeOf<{ source: string; rows: number[]; total: number }>();
    } else {
      // A failed or cancelled run has some outputs only.
      expectTypeOf(result.finalContext.total).toEqualTypeOf<number | undefined>();
    }
  });

  test("a schema that does not give a key some task reads does not compile", () => {
    // @ts-expect-error: extract reads source
    workflow({ name: "wf-types.missing", input: z.object({ src: z.string() }), tasks: [extract] });
  });

  test("a task that may be skipped (a condition) leaves its keys optional in finalContext", async () => {
    const wf = workflow({
      name: "wf-types.cond",
      input: z.object({ source: z.string() }),
      tasks: [extract, transform, notify],
    });
    const result = await executor.execute(wf, { source: "x" });
    if (result.status === "Completed") expectTypeOf(result.finalContext.notified).toEqualTypeOf<boolean | undefined>();
  });
});

describe("a workflow without an input schema", () => {
  test("start takes the keys its tasks read, with their types, and any other key", async () => {
    const wf = workflow({ name: "wf-types.no-schema", tasks: [extract, transform] });
    await executor.start(wf, { source: "x", extra: 1 });
    // @ts-expect-error: extract reads source, a string
    await executor.start(wf, { source: 1 });
    // @ts-expect-error: the input is required: extract reads source
    await executor.start(wf);
    const result = await executor.execute(wf, { source: "x" });
    if (result.status === "Completed") expectTypeOf(result.finalContext.total).toEqualTypeOf<number>();
  });

  test("with ids only it is untyped, as before: any input, a Context back", async () => {
    const wf = workflow({ name: "wf-types.ids", tasks: ["wf-types.extract"] });
    await executor.start(wf);
    await executor.start(wf, { anything: 1 });
    expectTypeOf(await executor.execute(wf)).toEqualTypeOf<RunResult<Context>>();
  });
});

describe("a stored run", () => {
  test("executor.get(id) is untyped; given the workflow, typed by it", async () => {
    const untyped = await (await executor.get("id")).result();
    expectTypeOf(untyped).toEqualTypeOf<RunResult<Context>>();
    const typed = await (await executor.get("id", etl)).result();
    if (typed.status === "Completed") expectTypeOf(typed.finalContext.total).toEqualTypeOf<number>();
  });
});
