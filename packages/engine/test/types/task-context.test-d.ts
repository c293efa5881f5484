// What a task's `ctx` is, as a user's editor shows it. Checked by `tsc` (vitest typecheck mode
// in `npm test`, and `npm run typecheck`): every @ts-expect-error line must fail to compile.
import { task, type Context } from "@cloacina/engine";
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";

const extract = task({ id: "types.extract" }, (_ctx: { source: string }) => ({
  rows: [1, 2, 3],
  fetchedAt: new Date(),
}));
const transform = task({ id: "types.transform", dependsOn: [extract] }, (ctx) => ({
  total: ctx.rows.reduce((a, b) => a + b, 0),
}));

describe("with references in dependsOn, ctx is inferred", () => {
  test("from the ancestors' outputs and the input keys they read, transitively", () => {
    task({ id: "types.load", dependsOn: [transform] }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<{ source: string; rows: number[]; fetchedAt: Date; total: number }>();
    });
  });

  test("a key no ancestor writes does not compile", () => {
    task({ id: "types.typo", dependsOn: [extract, transform] }, (ctx) => {
      // @ts-expect-error: "rowz" is written by no ancestor
      void ctx.rowz;
      return { n: ctx.rows.length };
    });
  });

  test("an annotation that contradicts a dependency's output does not compile", () => {
    // @ts-expect-error: transform writes total as a number
    task({ id: "types.wrong", dependsOn: [transform] }, (ctx: { total: string }) => ({ t: ctx.total }));
  });

  test("an annotation may narrow to what the task reads, and add input keys (a need of the workflow)", () => {
    const _ref = task({ id: "types.narrow", dependsOn: [transform] }, (ctx: { total: number; region: string }) => ({
      label: `${ctx.region}: ${ctx.total}`,
    }));
    expectTypeOf<NonNullable<(typeof _ref)["~types"]>["needs"]>().toEqualTypeOf<{ source: string; region: string }>();
  });

  test("two dependencies writing one key: the union of their types (their merge order is not a type)", () => {
    const a = task({ id: "types.a" }, () => ({ shared: 1 }));
    const b = task({ id: "types.b" }, () => ({ shared: "one" }));
    task({ id: "types.ab", dependsOn: [a, b] }, (ctx) => {
      expectTypeOf(ctx.shared).toEqualTypeOf<number | string>();
    });
  });

  test("a later task's output overrides an ancestor's key of the same name", () => {
    const first = task({ id: "types.first" }, () => ({ value: 1 }));
    const second = task({ id: "types.second", dependsOn: [first] }, () => ({ value: "text" }));
    task({ id: "types.third", dependsOn: [second] }, (ctx) => {
      expectTypeOf(ctx.value).toEqualTypeOf<string>();
    });
  });

  test("under allDone and anyFailed a dependency may have failed: its outputs are optional, the input is not", () => {
    task({ id: "types.cleanup", dependsOn: [transform], trigger: "allDone" }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<{ source: string; rows?: number[]; fetchedAt?: Date; total?: number }>();
    });
  });

  test("a task that may return nothing contributes optional keys", () => {
    const maybe = task({ id: "types.maybe" }, (ctx: { flag: boolean }) => (ctx.flag ? { found: 1 } : undefined));
    task({ id: "types.after-maybe", dependsOn: [maybe] }, (ctx) => {
      expectTypeOf(ctx.found).toEqualTypeOf<number | undefined>();
    });
  });
});

describe("ids stay untyped, as before", () => {
  test("a root task reads the run's input: Context unless annotated", () => {
    task({ id: "types.root" }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<Context>();
    });
  });

  test("an id among the dependencies opens ctx: known keys keep their types, others are unknown", () => {
    task({ id: "types.mixed", dependsOn: ["types.extract", transform] }, (ctx) => {
      expectTypeOf(ctx.total).toEqualTypeOf<number>();
      expectTypeOf(ctx.anything).toEqualTypeOf<unknown>();
    });
  });
});

describe("schemas type the edges", () => {
  test("an input schema types ctx as its output, and must fit what the dependencies provide", () => {
    task(
      { id: "types.in", dependsOn: [transform], input: z.object({ total: z.number(), note: z.string() }) },
      (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<{ total: number; note: string }>();
      },
    );
    // @ts-expect-error: transform writes total as a number, the schema wants a string
    task({ id: "types.in-wrong", dependsOn: [transform], input: z.object({ total: z.string() }) }, () => ({}));
  });

  test("with an output schema the function returns its input type, and dependents see its output type", () => {
    const parsed = task(
      { id: "types.out", output: z.object({ at: z.string().transform((s) => new Date(s)) }) },
      () => ({ at: "2026-01-01" }),
    );
    task({ id: "types.after-out", dependsOn: [parsed] }, (ctx) => {
      expectTypeOf(ctx.at).toEqualTypeOf<Date>();
    });
    // @ts-expect-error: the schema takes a string
    task({ id: "types.out-wrong", output: z.object({ at: z.string() }) }, () => ({ at: 1 }));
  });
});
