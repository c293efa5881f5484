/**
 * Typed workflows at run time, end to end on a SQLite file: references and decorated methods as
 * dependencies, Standard Schemas on the workflow's input and on a task's input and output, and
 * the coded errors a user sees when one of them is wrong. (What the types infer is specified
 * in packages/engine/test/types.)
 */
import {
  createExecutor,
  isCloacinaError,
  resetRegistry,
  task,
  workflow,
  type Executor,
  type StandardSchemaV1,
} from "cloacina";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-typed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let executor: Executor;
let n = 0;
beforeEach(async () => {
  executor = await createExecutor(`sqlite://${dir}/run-${n++}.db`);
});
afterEach(async () => {
  await executor.close();
  resetRegistry();
});

/** The coded error `run` throws (it must throw one). */
async function codedError(run: () => unknown): Promise<Error & { code: string; details: Record<string, unknown> }> {
  try {
    await run();
  } catch (error) {
    expect(isCloacinaError(error)).toBe(true);
    return error as Error & { code: string; details: Record<string, unknown> };
  }
  throw new Error("expected a coded error, nothing was thrown");
}

/** A hand-written Standard Schema whose validate is async, as the spec allows. */
function asyncPositive(key: string): StandardSchemaV1<Record<string, number>> {
  return {
    "~standard": {
      version: 1,
      vendor: "test",
      validate: async (value) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        const v = (value as Record<string, unknown>)[key];
        return typeof v === "number" && v > 0
          ? { value: value as Record<string, number> }
          : { issues: [{ message: "must be a positive number", path: [{ key }] }] };
      },
    },
  };
}

const throwing: StandardSchemaV1<Record<string, unknown>> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate: () => {
      throw new Error("schema bug");
    },
  },
};

describe("references and decorated methods as dependencies", () => {
  test("a workflow of references runs in dependency order, each task seeing its ancestors' outputs", async () => {
    const extract = task({ id: "ref.extract" }, (ctx: { source: string }) => ({ rows: [1, 2, 3], from: ctx.source }));
    const transform = task({ id: "ref.transform", dependsOn: [extract] }, (ctx) => ({
      total: ctx.rows.reduce((a, b) => a + b, 0),
    }));
    const load = task({ id: "ref.load", dependsOn: [extract, transform] }, (ctx) => ({
      line: `${ctx.from}: ${ctx.total}`,
    }));
    const wf = workflow({ name: "ref.etl", tasks: [extract, transform, load] });
    expect(wf.dependencies.get("ref.load")).toEqual(["ref.extract", "ref.transform"]);
    const result = await executor.execute(wf, { source: "demo" });
    expect(result.status).toBe("Completed");
    if (result.status === "Completed") expect(result.finalContext.line).toBe("demo: 6");
  });

  test("a decorated method is referenced by the method itself, in dependsOn and in tasks", async () => {
    class Source {
      @task({ id: "deco.extract" })
      static extract(ctx: { source: string }) {
        return { rows: [ctx.source.length] };
      }
    }
    const double = task({ id: "deco.double", dependsOn: [Source.extract] }, (ctx) => ({
      doubled: ctx.rows.map((r) => r * 2),
    }));
    const wf = workflow({ name: "deco.wf", tasks: [Source.extract, double] });
    expect(wf.dependencies.get("deco.double")).toEqual(["deco.extract"]);
    const result = await executor.execute(wf, { source: "abcd" });
    expect(result).toMatchObject({ status: "Completed", finalContext: { doubled: [8] } });
  });

  test("ids keep working beside references", async () => {
    task({ id: "ids.a" }, () => ({ a: 1 }));
    const b = task({ id: "ids.b", dependsOn: ["ids.a"] }, (ctx: { a: number }) => ({ b: ctx.a + 1 }));
    const result = await executor.execute(workflow({ name: "ids.wf", tasks: ["ids.a", b] }));
    expect(result).toMatchObject({ status: "Completed", finalContext: { a: 1, b: 2 } });
  });
});

describe("a workflow's input schema", () => {
  const greet = () =>
    task({ id: "in.greet" }, (ctx: { name: string; times: number }) => ({
      greeting: `hi ${ctx.name}`.repeat(ctx.times),
    }));

  test("a bad input is INVALID_INPUT with each issue's path, and nothing is stored", async () => {
    const wf = workflow({
      name: "in.wf",
      input: z.object({ name: z.string().min(1), times: z.number().int().default(1) }),
      tasks: [greet()],
    });
    // @ts-expect-error: the run-time check, for input the types would not let through
    const error = await codedError(() => executor.start(wf, { name: "", times: "twice" }));
    expect(error.code).toBe("INVALID_INPUT");
    expect(error.details.issues).toEqual([
      { path: "name", message: expect.any(String) },
      { path: "times", message: expect.any(String) },
    ]);
    expect(error.message).toContain("at name:");
    expect((await executor.listRuns()).runs).toEqual([]);
  });

  test("the schema's output is the run's input: defaults and transforms apply", async () => {
    const wf = workflow({
      name: "in.defaults",
      input: z.object({ name: z.string().trim(), times: z.number().int().default(2) }),
      tasks: [greet()],
    });
    const result = await executor.execute(wf, { name: "  ada " });
    expect(result).toMatchObject({
      status: "Completed",
      finalContext: { name: "ada", times: 2, greeting: "hi adahi ada" },
    });
  });

  test("an async schema is awaited before the run is stored", async () => {
    const count = task({ id: "in.count" }, (ctx: { n: number }) => ({ next: ctx.n + 1 }));
    const wf = workflow({ name: "in.async", input: asyncPositive("n"), tasks: [count] });
    expect(await codedError(() => executor.start(wf, { n: -1 }))).toMatchObject({
      code: "INVALID_INPUT",
      details: { issues: [{ path: "n", message: "must be a positive number" }] },
    });
    expect(await executor.execute(wf, { n: 1 })).toMatchObject({ status: "Completed", finalContext: { next: 2 } });
  });

  test("a schedule's context is checked when the schedule is declared", async () => {
    const input = z.object({ name: z.string(), times: z.number().default(1) });
    const wf = workflow({ name: "in.scheduled", input, tasks: [greet()] });
    expect(await codedError(() => executor.schedule(wf, { cron: "0 9 * * *", context: { name: 7 } }))).toMatchObject({
      code: "INVALID_INPUT",
      details: { issues: [{ path: "name", message: expect.any(String) }] },
    });
    expect(await executor.schedules()).toEqual([]);
    await executor.schedule(wf, { cron: "0 9 * * *", context: { name: "ada" } });
    expect(await executor.schedules()).toHaveLength(1);
  });

  test("a schema that throws is INVALID_SCHEMA when the run starts, with the throw as cause; nothing is stored", async () => {
    const wf = workflow({ name: "in.throws", input: throwing, tasks: [task({ id: "in.t" }, () => ({}))] });
    const error = await codedError(() => executor.start(wf, {}));
    expect(error).toMatchObject({ code: "INVALID_SCHEMA", cause: { message: "schema bug" } });
    expect((await executor.listRuns()).runs).toEqual([]);
  });
});

describe("a task's input and output schemas", () => {
  test("an output that fails its schema fails the attempt with INVALID_TASK_OUTPUT and the path; retries apply", async () => {
    let attempts = 0;
    const flaky = task(
      { id: "out.flaky", output: z.object({ score: z.number().max(10) }), retry: { maxAttempts: 2, delayMs: 0 } },
      () => ({ score: ++attempts === 1 ? 99 : 7 }),
    );
    const result = await executor.execute(workflow({ name: "out.retry", tasks: [flaky] }));
    expect(result).toMatchObject({ status: "Completed", finalContext: { score: 7 }, tasks: [{ attempts: 2 }] });

    const bad = task({ id: "out.bad", output: z.object({ score: z.number().max(10) }) }, () => ({ score: 99 }));
    const failed = await executor.execute(workflow({ name: "out.fail", tasks: [bad] }));
    expect(failed.status).toBe("Failed");
    expect(failed.tasks[0]!.error).toMatchObject({
      code: "INVALID_TASK_OUTPUT",
      message: expect.stringContaining("at score:"),
    });
  });

  test("what the output schema makes of the return value is what dependents see", async () => {
    const parse = task({ id: "out.parse", output: z.object({ at: z.string().transform((s) => new Date(s)) }) }, () => ({
      at: "2026-01-02T00:00:00Z",
    }));
    const year = task({ id: "out.year", dependsOn: [parse] }, (ctx) => ({ year: ctx.at.getUTCFullYear() }));
    const result = await executor.execute(workflow({ name: "out.transform", tasks: [parse, year] }));
    expect(result).toMatchObject({ status: "Completed", finalContext: { year: 2026 } });
  });

  test("a context that fails the task's input schema fails the attempt with INVALID_TASK_INPUT", async () => {
    const root = task({ id: "tin.root" }, () => ({ count: -3 }));
    const use = task({ id: "tin.use", dependsOn: [root], input: asyncPositive("count") }, (ctx) => ({ ok: ctx.count }));
    const result = await executor.execute(workflow({ name: "tin.wf", tasks: [root, use] }));
    expect(result.status).toBe("Failed");
    expect(result.tasks.find((t) => t.id === "tin.use")!.error).toMatchObject({
      code: "INVALID_TASK_INPUT",
      message: expect.stringContaining("at count: must be a positive number"),
    });
  });

  test("a task schema that throws fails that task with INVALID_SCHEMA, not the worker", async () => {
    const t = task({ id: "tthrow.t", output: throwing }, () => ({ x: 1 }));
    const result = await executor.execute(workflow({ name: "tthrow.wf", tasks: [t] }));
    expect(result.status).toBe("Failed");
    expect(result.tasks[0]!.error).toMatchObject({
      code: "INVALID_SCHEMA",
      message: expect.stringContaining("schema bug"),
    });
  });
});

describe("bad declarations are coded errors when declared", () => {
  test("a reference to a task that is not in the workflow is DEPENDENCY_OUTSIDE_WORKFLOW", async () => {
    const a = task({ id: "bad.a" }, () => ({ a: 1 }));
    const b = task({ id: "bad.b", dependsOn: [a] }, (ctx) => ({ b: ctx.a }));
    expect(await codedError(() => workflow({ name: "bad.wf", tasks: [b] }))).toMatchObject({
      code: "DEPENDENCY_OUTSIDE_WORKFLOW",
      message: expect.stringContaining('depends on "bad.a", which is not part of this workflow'),
    });
  });

  test("a function that is not a task, in dependsOn or in tasks", async () => {
    const plain = (ctx: { x: number }) => ({ y: ctx.x });
    expect(await codedError(() => task({ id: "bad.dep", dependsOn: [plain] }, () => ({})))).toMatchObject({
      code: "INVALID_TASK_OPTIONS",
      message: expect.stringContaining("dependsOn[0]: the function plain() is not a task"),
    });
    expect(await codedError(() => workflow({ name: "bad.tasks", tasks: [plain] }))).toMatchObject({
      code: "UNKNOWN_TASK",
      message: expect.stringContaining("plain()"),
    });
  });

  test("a schema that is not a Standard Schema is INVALID_SCHEMA, for a task and for a workflow", async () => {
    const notASchema = { parse: (v: unknown) => v };
    expect(
      // @ts-expect-error: the run-time check, for what the types would not let through
      await codedError(() => task({ id: "bad.schema", output: notASchema }, () => ({}))),
    ).toMatchObject({ code: "INVALID_SCHEMA", message: expect.stringContaining('output of task "bad.schema"') });
    const t = task({ id: "bad.schema-wf" }, () => ({}));
    // @ts-expect-error: as above
    expect(await codedError(() => workflow({ name: "bad.wf-schema", input: notASchema, tasks: [t] }))).toMatchObject({
      code: "INVALID_SCHEMA",
      message: expect.stringContaining('input of workflow "bad.wf-schema"'),
    });
  });

  test("executor.get(id, wf) of a run of another workflow is INVALID_WORKFLOW", async () => {
    const one = workflow({ name: "get.one", tasks: [task({ id: "get.a" }, () => ({}))] });
    const two = workflow({ name: "get.two", tasks: [task({ id: "get.b" }, () => ({}))] });
    const handle = await executor.start(one);
    await handle.result();
    expect((await executor.get(handle.executionId, one)).executionId).toBe(handle.executionId);
    expect(await codedError(() => executor.get(handle.executionId, two))).toMatchObject({ code: "INVALID_WORKFLOW" });
  });
});
