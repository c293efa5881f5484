// What `mapTask()` and `childWorkflow()` infer: the element from `over`, what dependents see, and
// the child's input checked against the child workflow's input type. Checked by tsc (vitest
// typecheck mode in `npm test`, and `npm run typecheck`): every @ts-expect-error line must fail.
import {
  childWorkflow,
  mapTask,
  task,
  workflow,
  type Context,
  type Executor,
  type MapRunInfo,
  type Workflow,
} from "@cloacina/engine";
import { describe, expectTypeOf, test } from "vitest";
import { z } from "zod";

declare const executor: Executor;

const listFiles = task({ id: "map.types.list" }, () => ({
  files: ["a.txt", "b.txt"],
  folder: { name: "docs", sizes: [1, 2] },
  total: 2,
}));

describe("mapTask: the element comes from over", () => {
  test("a context key: the array's element type, with the context typed as task() types it", () => {
    mapTask({ id: "map.types.key", dependsOn: [listFiles], over: "files" }, (file, ctx, run) => {
      expectTypeOf(file).toEqualTypeOf<string>();
      expectTypeOf(ctx.total).toEqualTypeOf<number>();
      expectTypeOf(run).toEqualTypeOf<MapRunInfo>();
      expectTypeOf(run.index).toEqualTypeOf<number>();
    });
  });

  test("a dotted path", () => {
    mapTask({ id: "map.types.dotted", dependsOn: [listFiles], over: "folder.sizes" }, (size) => {
      expectTypeOf(size).toEqualTypeOf<number>();
    });
  });

  test("a function of the context: its return type's element", () => {
    mapTask(
      { id: "map.types.fn", dependsOn: [listFiles], over: (ctx) => ctx.files.map((name) => ({ name })) },
      (entry) => {
        expectTypeOf(entry).toEqualTypeOf<{ name: string }>();
      },
    );
  });

  test("a path the typed context does not have, or that is not an array, does not compile", () => {
    // @ts-expect-error: no "filez" in the context
    mapTask({ id: "map.types.typo", dependsOn: [listFiles], over: "filez" }, () => 1);
    // @ts-expect-error: folder has no "size"
    mapTask({ id: "map.types.typo2", dependsOn: [listFiles], over: "folder.size" }, () => 1);
    // @ts-expect-error: total is a number, not an array
    mapTask({ id: "map.types.scalar", dependsOn: [listFiles], over: "total" }, () => 1);
    // @ts-expect-error: the function must return an array
    mapTask({ id: "map.types.fn-scalar", dependsOn: [listFiles], over: (ctx) => ctx.total }, () => 1);
  });

  test("an element annotation that contradicts the path does not compile", () => {
    // @ts-expect-error: files holds strings
    mapTask({ id: "map.types.wrong-element", dependsOn: [listFiles], over: "files" }, (file: number) => file);
  });

  test("an open context (a root task, or an id among the dependencies) takes any path: unknown elements", () => {
    mapTask({ id: "map.types.root", over: "rows.items" }, (row, ctx) => {
      expectTypeOf(row).toEqualTypeOf<unknown>();
      expectTypeOf(ctx).toEqualTypeOf<Context>();
    });
    mapTask({ id: "map.types.mixed", dependsOn: ["map.types.list", listFiles], over: "other" }, (x, ctx) => {
      expectTypeOf(x).toEqualTypeOf<unknown>();
      expectTypeOf(ctx.files).toEqualTypeOf<string[]>();
    });
  });

  test("annotating ctx on a root task types the path (and is a need of the workflow's input)", () => {
    const _ref = mapTask({ id: "map.types.annotated", over: "urls" }, (url, _ctx: { urls: URL[] }) => url.href);
    expectTypeOf<NonNullable<(typeof _ref)["~types"]>["needs"]>().toEqualTypeOf<{ urls: URL[] }>();
    // @ts-expect-error: the annotated context has no "links"
    mapTask({ id: "map.types.annotated-typo", over: "links" }, (url, _ctx: { urls: URL[] }) => url);
  });
});

describe("mapTask: what dependents see", () => {
  const count = mapTask(
    { id: "map.types.count", dependsOn: [listFiles], over: "files", into: "counts" },
    async (file) => file.length,
  );

  test("the results, in element order, under into", () => {
    task({ id: "map.types.sum", dependsOn: [count] }, (ctx) => {
      expectTypeOf(ctx.counts).toEqualTypeOf<number[]>();
      expectTypeOf(ctx.files).toEqualTypeOf<string[]>();
      // @ts-expect-error: the results are under into, not the id
      void ctx["map.types.count"];
    });
  });

  test("into defaults to the id", () => {
    const sizes = mapTask({ id: "sizes", dependsOn: [listFiles], over: "files" }, (file) => ({ file, size: 1 }));
    task({ id: "map.types.after-sizes", dependsOn: [sizes] }, (ctx) => {
      expectTypeOf(ctx.sizes).toEqualTypeOf<{ file: string; size: number }[]>();
    });
  });

  test("an element that returns nothing is stored as null", () => {
    const touch = mapTask({ id: "touch", dependsOn: [listFiles], over: "files" }, async () => {});
    task({ id: "map.types.after-touch", dependsOn: [touch] }, (ctx) => {
      expectTypeOf(ctx.touch).toEqualTypeOf<null[]>();
    });
  });

  test("a completed run's finalContext holds the results; each is the element function", async () => {
    const wf = workflow({ name: "map.types.wf", tasks: [listFiles, count] });
    const result = await executor.execute(wf);
    if (result.status === "Completed") expectTypeOf(result.finalContext.counts).toEqualTypeOf<number[]>();
    expectTypeOf(count.each).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(count.each).returns.resolves.toEqualTypeOf<number>();
  });
});

const sumMonth = task({ id: "map.types.child.sum" }, (ctx: { month: string }) => ({ total: ctx.month.length }));
/** A typed child: takes { month: string }, completes with { month: string; total: number }. */
const reportWorkflow = workflow({
  name: "map.types.report",
  input: z.object({ month: z.string() }),
  tasks: [sumMonth],
});
type ReportFinal = { month: string; total: number };
const prepare = task({ id: "map.types.prepare" }, () => ({
  month: "2026-01",
  customers: [{ name: "acme", month: "2026-01" }],
  count: 1,
}));

describe("childWorkflow: one child run", () => {
  test("dependents see the child's final context under the id, or into", () => {
    const report = childWorkflow({
      id: "report",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      input: (ctx) => {
        expectTypeOf(ctx.count).toEqualTypeOf<number>();
        return { month: ctx.month };
      },
    });
    const named = childWorkflow({ id: "map.types.named", dependsOn: [prepare], workflow: reportWorkflow, into: "out" });
    task({ id: "map.types.after-report", dependsOn: [report, named] }, (ctx) => {
      expectTypeOf(ctx.report).toEqualTypeOf<ReportFinal>();
      expectTypeOf(ctx.out).toEqualTypeOf<ReportFinal>();
    });
  });

  test("input must give what the child workflow's input takes", () => {
    childWorkflow({
      id: "map.types.bad-input",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      // @ts-expect-error: month is a string
      input: (ctx) => ({ month: ctx.count }),
    });
    // @ts-expect-error: month is missing
    childWorkflow({ id: "map.types.no-month", dependsOn: [prepare], workflow: reportWorkflow, input: () => ({}) });
    childWorkflow({
      id: "map.types.no-index",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      // @ts-expect-error: without over, input takes the context only
      input: (_ctx, _element, _index) => ({ month: "x" }),
    });
  });

  test("an untyped child completes with a Context; a function resolves a later (or its own) workflow", () => {
    const untyped = workflow({ name: "map.types.untyped", tasks: ["map.types.child.sum"] });
    const later = childWorkflow({ id: "map.types.later", workflow: () => untyped });
    task({ id: "map.types.after-later", dependsOn: [later] }, (ctx) => {
      expectTypeOf(ctx["map.types.later"]).toEqualTypeOf<Context>();
    });
    // A workflow that refers to itself needs its type written (TypeScript cannot infer a cycle).
    const self: Workflow = workflow({
      name: "map.types.self",
      tasks: [childWorkflow({ id: "map.types.self.again", workflow: (): Workflow => self })],
    });
    childWorkflow({ id: "map.types.typed-thunk", workflow: () => reportWorkflow, input: () => ({ month: "x" }) });
    // @ts-expect-error: the thunk's workflow takes a month
    childWorkflow({ id: "map.types.typed-thunk-bad", workflow: () => reportWorkflow, input: () => ({ day: 1 }) });
  });
});

describe("childWorkflow with over: one child run per element", () => {
  test("input gets the element, the context and the index; dependents see an array of final contexts", () => {
    const perCustomer = childWorkflow({
      id: "perCustomer",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      over: "customers",
      input: (customer, ctx, index) => {
        expectTypeOf(customer).toEqualTypeOf<{ name: string; month: string }>();
        expectTypeOf(ctx.month).toEqualTypeOf<string>();
        expectTypeOf(index).toEqualTypeOf<number>();
        return { month: customer.month };
      },
      maxParallel: 10,
    });
    task({ id: "map.types.after-per", dependsOn: [perCustomer] }, (ctx) => {
      expectTypeOf(ctx.perCustomer).toEqualTypeOf<ReportFinal[]>();
    });
  });

  test("over a function of the context, with into", () => {
    const monthly = childWorkflow({
      id: "map.types.monthly",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      over: (ctx) => [ctx.month, ctx.month],
      input: (month) => ({ month }),
      into: "reports",
    });
    task({ id: "map.types.after-monthly", dependsOn: [monthly] }, (ctx) => {
      expectTypeOf(ctx.reports).toEqualTypeOf<ReportFinal[]>();
    });
  });

  test("a path the context does not have does not compile, nor an input that does not fit", () => {
    childWorkflow({
      id: "map.types.per-typo",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      // @ts-expect-error: no "customerz" in the context
      over: "customerz",
    });
    childWorkflow({
      id: "map.types.per-bad",
      dependsOn: [prepare],
      workflow: reportWorkflow,
      over: "customers",
      // @ts-expect-error: the child takes a month, not a customer
      input: (customer) => ({ customer }),
    });
  });

  test("workflows declaring child tasks type their finalContext from them", async () => {
    const parent = workflow({
      name: "map.types.parent",
      tasks: [
        prepare,
        childWorkflow({ id: "reports", dependsOn: [prepare], workflow: reportWorkflow, over: "customers" }),
      ],
    });
    const result = await executor.execute(parent);
    if (result.status === "Completed") expectTypeOf(result.finalContext.reports).toEqualTypeOf<ReportFinal[]>();
  });
});
