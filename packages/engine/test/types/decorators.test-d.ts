// Decorated methods as references, under TC39 standard decorators (the repository's tsconfig).
// The same under experimentalDecorators: fixtures/legacy/decorator-types.ts.
import { task, workflow } from "@cloacina/engine";
import { describe, expectTypeOf, test } from "vitest";

class Source {
  @task({ id: "deco-types.extract" })
  static extract(_ctx: { source: string }) {
    return { rows: [1, 2, 3] };
  }
}

class Etl {
  // A decorator checks the method's ctx against its references (it cannot change the method's type).
  @task({ id: "deco-types.transform", dependsOn: [Source.extract] })
  static transform(ctx: { rows: number[] }) {
    return { total: ctx.rows.length };
  }

  // @ts-expect-error: Source.extract writes rows as number[]
  @task({ id: "deco-types.wrong", dependsOn: [Source.extract] })
  static wrong(ctx: { rows: string[] }) {
    return { n: ctx.rows.length };
  }
}

describe("a decorated method is a reference too", () => {
  test("its dependents see its annotated ctx and its return type", () => {
    task({ id: "deco-types.load", dependsOn: [Etl.transform] }, (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<{ rows: number[]; total: number }>();
      // @ts-expect-error: not written by transform, nor read by it
      void ctx.source;
    });
  });
});

describe("what a decorator cannot infer", () => {
  test("a workflow of decorated methods types its outputs, not its input needs: give it an input schema", () => {
    const _wf = workflow({ name: "deco-types.wf", tasks: [Source.extract, Etl.transform] });
    type Input = NonNullable<(typeof _wf)["~types"]>["input"];
    // source is read by Source.extract, but a method's annotation may be its dependencies' outputs.
    expectTypeOf<Input>().toEqualTypeOf<Record<string, unknown>>();
    type Final = NonNullable<(typeof _wf)["~types"]>["context"];
    expectTypeOf<Final["total"]>().toEqualTypeOf<number>();
  });
});
