import { globalRegistry, resetRegistry, task, workflow } from "@cloacina/engine";
import { beforeEach, describe, expect, test } from "vitest";

const noop = () => ({});

beforeEach(() => resetRegistry());

describe("workflow() validates the DAG before anything runs", () => {
  test("an unknown task id is UNKNOWN_TASK, with a did-you-mean", () => {
    task({ id: "extract" }, noop);
    expect(() => workflow({ name: "w", tasks: ["extrct"] })).toThrow(
      expect.objectContaining({ code: "UNKNOWN_TASK", message: expect.stringContaining('Did you mean "extract"?') }),
    );
  });

  test("a dependency outside the workflow is DEPENDENCY_OUTSIDE_WORKFLOW", () => {
    task({ id: "a" }, noop);
    const b = task({ id: "b", dependsOn: ["a"] }, noop);
    expect(() => workflow({ name: "w", tasks: [b] })).toThrow(
      expect.objectContaining({
        code: "DEPENDENCY_OUTSIDE_WORKFLOW",
        message: expect.stringContaining('depends on "a", which is not part of this workflow'),
      }),
    );
    const c = task({ id: "c", dependsOn: ["nowhere"] }, noop);
    expect(() => workflow({ name: "w2", tasks: [c] })).toThrow(
      expect.objectContaining({
        code: "DEPENDENCY_OUTSIDE_WORKFLOW",
        message: expect.stringContaining("not a registered task"),
      }),
    );
  });

  test("a task listed twice is DUPLICATE_TASK", () => {
    const a = task({ id: "a" }, noop);
    expect(() => workflow({ name: "w", tasks: [a, "a"] })).toThrow(expect.objectContaining({ code: "DUPLICATE_TASK" }));
  });

  test("an empty workflow is EMPTY_WORKFLOW", () => {
    expect(() => workflow({ name: "w", tasks: [] })).toThrow(expect.objectContaining({ code: "EMPTY_WORKFLOW" }));
  });

  test("a cycle is WORKFLOW_CYCLE and the message shows the cycle path", () => {
    const refs = [
      task({ id: "start" }, noop),
      task({ id: "a", dependsOn: ["start", "c"] }, noop),
      task({ id: "b", dependsOn: ["a"] }, noop),
      task({ id: "c", dependsOn: ["b"] }, noop),
    ];
    let error: unknown;
    try {
      workflow({ name: "w", tasks: refs });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "WORKFLOW_CYCLE", message: expect.stringContaining("a → b → c → a") });
    expect((error as { details: { cycle: string[] } }).details.cycle).toEqual(["a", "b", "c", "a"]);
  });

  test("a task depending on itself is a cycle", () => {
    const self = task({ id: "self", dependsOn: ["self"] }, noop);
    expect(() => workflow({ name: "w", tasks: [self] })).toThrow(
      expect.objectContaining({ code: "WORKFLOW_CYCLE", message: expect.stringContaining("self → self") }),
    );
  });

  test("a bad workflow name is INVALID_WORKFLOW", () => {
    const a = task({ id: "a" }, noop);
    expect(() => workflow({ name: "", tasks: [a] })).toThrow(expect.objectContaining({ code: "INVALID_WORKFLOW" }));
    expect(() => workflow({ name: "has space", tasks: [a] })).toThrow(
      expect.objectContaining({ code: "INVALID_WORKFLOW" }),
    );
  });
});

describe("a workflow's shape", () => {
  test("orders tasks topologically, ties broken by id", () => {
    const refs = [
      task({ id: "z" }, noop),
      task({ id: "m" }, noop),
      task({ id: "b", dependsOn: ["z"] }, noop),
      task({ id: "a", dependsOn: ["b", "m"] }, noop),
    ];
    expect(workflow({ name: "w", tasks: refs }).order).toEqual(["m", "z", "b", "a"]);
  });

  test("has a stable SHA-256 version hash over its name, task ids and edges", () => {
    const a = task({ id: "a" }, noop);
    const b = task({ id: "b", dependsOn: ["a"] }, noop);
    const first = workflow({ name: "w", tasks: [a, b] });
    const sameShapeOtherOrder = workflow({ name: "w", tasks: [b, a] });
    expect(first.version).toMatch(/^[0-9a-f]{64}$/);
    expect(sameShapeOtherOrder.version).toBe(first.version);
    // Pinned: changing how the hash is computed would orphan every stored run.
    expect(first.version).toBe("f3c5582c7bf5976e14dc6d973c6027ec67c0a6b2ed9842295fea242be7c62a01");
    resetRegistry();
    const a2 = task({ id: "a" }, noop);
    const c = task({ id: "c", dependsOn: ["a"] }, noop);
    expect(workflow({ name: "w", tasks: [a2, c] }).version).not.toBe(first.version);
  });

  test("is registered by name; the same name with another shape is DUPLICATE_WORKFLOW", () => {
    const a = task({ id: "a" }, noop);
    const b = task({ id: "b" }, noop);
    const wf = workflow({ name: "w", tasks: [a] });
    expect(globalRegistry().workflow("w")).toBe(wf);
    expect(() => workflow({ name: "w", tasks: [a, b] })).toThrow(
      expect.objectContaining({ code: "DUPLICATE_WORKFLOW" }),
    );
  });
});
