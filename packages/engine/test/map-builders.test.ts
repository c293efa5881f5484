// The builders of maps and child workflows: what they refuse when declared, and the specs they
// leave for the runtime (mapSpecOf / childSpecOf). Running them is the conformance suite's part.
import {
  childWorkflow,
  globalRegistry,
  mapTask,
  resetRegistry,
  task,
  workflow,
  type Context,
  type TaskRunInfo,
  type Workflow,
} from "@cloacina/engine";
import { beforeEach, describe, expect, test } from "vitest";
import { assertNoChildCycle, findChildCycle } from "../src/map/child-cycle.js";
import { childSpecOf, mapSpecOf, type MapRunInfo } from "../src/map/specs.js";

beforeEach(() => resetRegistry());

const noop = () => null;
const invalidOptions = (mentions: RegExp) =>
  expect.objectContaining({ code: "INVALID_TASK_OPTIONS", message: expect.stringMatching(mentions) });

describe("mapTask refuses bad options when declared", () => {
  const invalid: [string, unknown, RegExp][] = [
    ["an unknown option", { id: "m", over: "files", maxParalel: 4 }, /unknown option "maxParalel"/],
    ["an input schema", { id: "m", over: "files", input: {} }, /no input schema/],
    ["an output schema", { id: "m", over: "files", output: {} }, /no output schema/],
    ["no over", { id: "m" }, /over is required/],
    ["over a number", { id: "m", over: 3 }, /over must be a context path .* not 3/],
    ["over an empty path", { id: "m", over: "" }, /over must be a context path/],
    ["over a path with an empty segment", { id: "m", over: "a..b" }, /over must be .* not "a\.\.b"/],
    ["over a path ending in a dot", { id: "m", over: "a." }, /over must be/],
    ["maxParallel 0", { id: "m", over: "f", maxParallel: 0 }, /maxParallel is 0/],
    ["a fractional maxParallel", { id: "m", over: "f", maxParallel: 1.5 }, /maxParallel is 1\.5/],
    ["maxParallel above 10,000", { id: "m", over: "f", maxParallel: 10_001 }, /maxParallel is 10001.*1 to 10000/],
    ["maxParallel as a string", { id: "m", over: "f", maxParallel: "4" }, /maxParallel is "4"/],
    ["an empty into", { id: "m", over: "f", into: "" }, /into is ""/],
    ["into a number", { id: "m", over: "f", into: 1 }, /into is 1/],
    ["options that are not an object", null, /options must be an object/],
    // The options it shares with task() are task()'s to check.
    ["a bad id", { id: "", over: "f" }, /id/],
    ["a bad retry", { id: "m", over: "f", retry: { maxAttempts: 0 } }, /maxAttempts/],
  ];
  test.each(invalid)("%s is INVALID_TASK_OPTIONS", (_what, options, mentions) => {
    expect(() => mapTask(options as never, noop)).toThrow(invalidOptions(mentions));
  });

  test("a function that is not a function", () => {
    expect(() => mapTask({ id: "m", over: "f" }, "count" as never)).toThrow(invalidOptions(/fn must be a function/));
  });

  test("a refused declaration registers nothing: the id stays free", () => {
    expect(() => mapTask({ id: "m", over: "f", maxParallel: 0 }, noop)).toThrow();
    expect(globalRegistry().task("m")).toBeUndefined();
    expect(() => mapTask({ id: "m", over: "f" }, noop)).not.toThrow();
  });
});

describe("mapTask's spec", () => {
  test("into defaults to the id; maxParallel is absent unless given", () => {
    const ref = mapTask({ id: "count", over: "files" }, noop);
    expect(mapSpecOf(ref.definition)).toMatchObject({ into: "count", overLabel: 'path "files"' });
    expect(mapSpecOf(ref.definition)).not.toHaveProperty("maxParallel");
    const named = mapTask({ id: "count2", over: "files", into: "counts", maxParallel: 4 }, noop);
    expect(mapSpecOf(named.definition)).toMatchObject({ into: "counts", maxParallel: 4 });
  });

  test("the options shared with task() reach the registered definition", () => {
    const list = task({ id: "list" }, () => ({ files: ["a"] }));
    const ref = mapTask(
      { id: "count", dependsOn: [list], over: "files", retry: { maxAttempts: 3 }, timeout: 500, trigger: "allDone" },
      noop,
    );
    expect(globalRegistry().task("count")).toBe(ref.definition);
    expect(ref.definition).toMatchObject({ dependsOn: ["list"], timeout: 500, trigger: "allDone" });
    expect(ref.definition.retry.maxAttempts).toBe(3);
  });

  test("over as a function is used as given, and labelled for messages", () => {
    const over = (ctx: Context) => ctx.rows as number[];
    const ref = mapTask({ id: "m", over }, noop);
    expect(mapSpecOf(ref.definition)).toMatchObject({ over, overLabel: "the function given to over" });
  });

  test("each gets the element, the context and the run, and stores nothing as null", async () => {
    const seen: unknown[] = [];
    const ref = mapTask({ id: "m", over: "files" }, (file, ctx, run) => {
      seen.push([file, ctx, run.index]);
      return file === "skip" ? undefined : { length: String(file).length };
    });
    const each = mapSpecOf(ref.definition)!.each!;
    const run = { index: 2 } as MapRunInfo;
    await expect(each("abc", { files: [] }, run)).resolves.toEqual({ length: 3 });
    await expect(each("skip", { files: [] }, run)).resolves.toBeNull();
    expect(seen).toEqual([
      ["abc", { files: [] }, 2],
      ["skip", { files: [] }, 2],
    ]);
  });

  test("the reference's each is the element function; its fn, called directly, says it is a map", () => {
    const fn = (file: unknown) => String(file).length;
    const ref = mapTask({ id: "m", over: "files" }, fn);
    expect(ref.each).toBe(fn);
    expect(() => ref.fn({}, {} as TaskRunInfo)).toThrow(invalidOptions(/"m" is a map task.*ref\.each/));
  });
});

describe("over as a path", () => {
  // A fresh registry each time: every case declares its own "count".
  const over = (path: string, taskId = "count") => {
    resetRegistry();
    return mapSpecOf(mapTask({ id: taskId, over: path }, noop).definition)!.over;
  };

  test("a key or a dotted path is read from the context", () => {
    expect(over("files")({ files: ["a", "b"] })).toEqual(["a", "b"]);
    expect(over("a.b.c", "deep")({ a: { b: { c: [1, 2] } } })).toEqual([1, 2]);
    expect(over("rows.0", "first")({ rows: [[1], [2]] })).toEqual([1]);
  });

  test("it only finds the value: whether it is an array is the engine's check (MAP_NOT_ARRAY)", () => {
    expect(over("files")({ files: 3 })).toBe(3);
    expect(over("files")({ files: null })).toBeNull();
  });

  test("a missing key is MAP_PATH_MISSING, naming the task, the path and the context's keys", () => {
    expect(() => over("files")({ a: 1, b: 2 })).toThrow(
      expect.objectContaining({
        name: "ValidationError",
        code: "MAP_PATH_MISSING",
        message: 'Task "count" maps over path "files", but the context has no "files" (it has: a, b).',
        details: expect.objectContaining({ taskId: "count", path: "files", missing: "files" }),
      }),
    );
    expect(() => over("files")({})).toThrow(/the context has no "files" \(it has no keys\)/);
  });

  test("a missing segment on the way is named, and so is a value that is not an object", () => {
    const read = over("a.b.c");
    expect(() => read({ a: { x: 1 } })).toThrow(
      'Task "count" maps over path "a.b.c", but the context has no "a.b" ("a" has no "b") (it has: a).',
    );
    expect(() => read({ a: "text" })).toThrow(/no "a\.b" \("a" is a string, not an object\)/);
    expect(() => read({ a: { b: null } })).toThrow(/no "a\.b\.c" \("a\.b" is null, not an object\)/);
    expect(() => read({ a: { b: { c: undefined } } })).toThrow(/no "a\.b\.c" \("a\.b" has no "c"\)/);
  });

  test("at most 20 of the context's keys are listed", () => {
    const ctx = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, i]));
    expect(() => over("files")(ctx)).toThrow(/\(it has: k0, k1, .*, k19, … 5 more\)\.$/);
  });

  test("only the context's own keys count: an object's inherited members are not data", () => {
    expect(() => over("constructor")({})).toThrow(expect.objectContaining({ code: "MAP_PATH_MISSING" }));
  });
});

describe("childWorkflow refuses bad options when declared", () => {
  const child = () => workflow({ name: "child", tasks: [task({ id: "child.t" }, () => ({}))] });
  const invalid: [string, (wf: Workflow) => unknown, RegExp][] = [
    ["an unknown option", (wf) => ({ id: "c", workflow: wf, inputs: () => ({}) }), /unknown option "inputs"/],
    ["an output schema", (wf) => ({ id: "c", workflow: wf, output: {} }), /no output schema/],
    ["no workflow", () => ({ id: "c" }), /workflow must be a workflow .* not undefined/],
    ["a workflow that is not one", () => ({ id: "c", workflow: { name: "child" } }), /workflow must be .* not object/],
    ["a workflow's name instead", () => ({ id: "c", workflow: "child" }), /workflow must be .* not "child"/],
    [
      "an input that is not a function",
      (wf) => ({ id: "c", workflow: wf, input: { a: 1 } }),
      /input must be a function/,
    ],
    ["a bad over", (wf) => ({ id: "c", workflow: wf, over: "a..b" }), /over must be a context path/],
    ["maxParallel without over", (wf) => ({ id: "c", workflow: wf, maxParallel: 2 }), /maxParallel .* give over too/],
    ["a bad maxParallel", (wf) => ({ id: "c", workflow: wf, over: "xs", maxParallel: -1 }), /maxParallel is -1/],
    ["an empty into", (wf) => ({ id: "c", workflow: wf, into: "" }), /into is ""/],
    ["a bad id", (wf) => ({ id: "a b", workflow: wf }), /id/],
    ["a timeout (it runs no code to time out)", (wf) => ({ id: "c", workflow: wf, timeout: 5 }), /no timeout/],
  ];
  test.each(invalid)("%s is INVALID_TASK_OPTIONS", (_what, options, mentions) => {
    const wf = child();
    expect(() => childWorkflow(options(wf) as never)).toThrow(invalidOptions(mentions));
    expect(globalRegistry().task("c")).toBeUndefined();
  });

  test("a workflow function is resolved later, and what it returns is checked then", () => {
    const ref = childWorkflow({ id: "c", workflow: () => ({ name: "nope" }) as never });
    expect(() => childSpecOf(ref.definition)!.workflow()).toThrow(
      invalidOptions(/childWorkflow\("c"\): the function given as workflow returned object, not a workflow/),
    );
    const early = childWorkflow({ id: "c2", workflow: () => undefined as never });
    expect(() => childSpecOf(early.definition)!.workflow()).toThrow(/returned undefined \(is the workflow declared/);
  });
});

describe("childWorkflow's spec", () => {
  const ctx = { month: "2026-01", customers: [{ name: "a" }, { name: "b" }] };

  test("one child: into defaults to the id, the input to the whole context, and no map spec", () => {
    const child = workflow({ name: "child", tasks: [task({ id: "child.t" }, () => ({}))] });
    const ref = childWorkflow({ id: "report", workflow: child });
    const spec = childSpecOf(ref.definition)!;
    expect(spec.into).toBe("report");
    expect(spec.workflow()).toBe(child);
    expect(spec.input(ctx)).toBe(ctx);
    expect(mapSpecOf(ref.definition)).toBeUndefined();
  });

  test("one child: input(ctx) gives its input", () => {
    const child = workflow({ name: "child", tasks: [task({ id: "child.t" }, () => ({}))] });
    const ref = childWorkflow({ id: "report", workflow: child, into: "out", input: (c) => ({ month: c.month }) });
    expect(childSpecOf(ref.definition)).toMatchObject({ into: "out" });
    expect(childSpecOf(ref.definition)!.input(ctx)).toEqual({ month: "2026-01" });
  });

  test("mapped: a map spec with no each, the input defaulting to the element", () => {
    const ref = childWorkflow({ id: "perCustomer", workflow: () => later, over: "customers", maxParallel: 10 });
    // Declared after the task: the function resolves it when the engine asks.
    const later = workflow({ name: "later", tasks: [task({ id: "later.t" }, () => ({}))] });
    const map = mapSpecOf(ref.definition)!;
    expect(map).toMatchObject({ into: "perCustomer", maxParallel: 10, overLabel: 'path "customers"' });
    expect(map.each).toBeUndefined();
    expect(map.over(ctx)).toBe(ctx.customers);
    const spec = childSpecOf(ref.definition)!;
    expect(spec.into).toBe("perCustomer");
    expect(spec.workflow()).toBe(later);
    expect(spec.input(ctx, { element: ctx.customers[1], index: 1 })).toBe(ctx.customers[1]);
  });

  test("mapped: input(element, ctx, index) gives each child's input, into names both specs' key", () => {
    const child = workflow({ name: "child", tasks: [task({ id: "child.t" }, () => ({}))] });
    const ref = childWorkflow({
      id: "perCustomer",
      workflow: child,
      over: (c) => c.customers as { name: string }[],
      input: (customer, c, index) => ({ customer: customer.name, month: c.month, index }),
      into: "invoices",
    });
    expect(mapSpecOf(ref.definition)).toMatchObject({ into: "invoices", overLabel: "the function given to over" });
    expect(childSpecOf(ref.definition)!.into).toBe("invoices");
    expect(childSpecOf(ref.definition)!.input(ctx, { element: { name: "b" }, index: 1 })).toEqual({
      customer: "b",
      month: "2026-01",
      index: 1,
    });
  });

  test("its fn, called directly, says it starts a child workflow", () => {
    const child = workflow({ name: "child", tasks: [task({ id: "child.t" }, () => ({}))] });
    const ref = childWorkflow({ id: "report", workflow: child });
    expect(() => ref.fn({}, {} as TaskRunInfo)).toThrow(invalidOptions(/"report" starts a child workflow/));
  });
});

describe("cycles through child workflows", () => {
  const leaf = (name: string) => workflow({ name, tasks: [task({ id: `${name}.t` }, () => ({}))] });

  test("none: parent → child, and a diamond (two paths to one child) is not a cycle", () => {
    const d = leaf("d");
    const b = workflow({ name: "b", tasks: [childWorkflow({ id: "b.d", workflow: d })] });
    const c = workflow({ name: "c", tasks: [childWorkflow({ id: "c.d", workflow: d })] });
    const a = workflow({
      name: "a",
      tasks: [childWorkflow({ id: "a.b", workflow: b }), childWorkflow({ id: "a.c", workflow: c })],
    });
    expect(findChildCycle(a)).toBeNull();
    expect(findChildCycle(d)).toBeNull();
    expect(() => assertNoChildCycle(a)).not.toThrow();
  });

  test("a workflow that starts itself (through a function: its own reference)", () => {
    const a: Workflow = workflow({ name: "a", tasks: [childWorkflow({ id: "a.self", workflow: () => a })] });
    expect(findChildCycle(a)).toEqual(["a", "a"]);
  });

  test("a → b → a is CHILD_WORKFLOW_CYCLE, with the cycle in the message and the details", () => {
    const a: Workflow = workflow({ name: "a", tasks: [childWorkflow({ id: "a.b", workflow: () => b })] });
    const b: Workflow = workflow({ name: "b", tasks: [childWorkflow({ id: "b.a", workflow: () => a, over: "xs" })] });
    expect(findChildCycle(a)).toEqual(["a", "b", "a"]);
    expect(findChildCycle(b)).toEqual(["b", "a", "b"]);
    expect(() => assertNoChildCycle(a)).toThrow(
      expect.objectContaining({
        name: "WorkflowDefinitionError",
        code: "CHILD_WORKFLOW_CYCLE",
        message:
          'Workflow "a" starts itself through child workflows: a → b → a. ' +
          "A child workflow cannot (directly or not) start its own parent.",
        details: { workflow: "a", cycle: ["a", "b", "a"] },
      }),
    );
  });

  test("a cycle below the workflow checked is found, and the message says where it was reached from", () => {
    const a: Workflow = workflow({ name: "a", tasks: [childWorkflow({ id: "a.b", workflow: () => b })] });
    const b: Workflow = workflow({ name: "b", tasks: [childWorkflow({ id: "b.a", workflow: () => a })] });
    const top = workflow({
      name: "top",
      tasks: [task({ id: "top.t" }, () => ({})), childWorkflow({ id: "top.a", workflow: a })],
    });
    expect(findChildCycle(top)).toEqual(["a", "b", "a"]);
    expect(() => assertNoChildCycle(top)).toThrow(/^Workflow "a" \(a child workflow of "top"\) starts itself/);
  });

  test("a child's function that throws propagates", () => {
    const a = workflow({ name: "a", tasks: [childWorkflow({ id: "a.x", workflow: () => 42 as never })] });
    expect(() => findChildCycle(a)).toThrow(invalidOptions(/returned number, not a workflow/));
  });
});
