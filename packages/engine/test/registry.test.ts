import { globalRegistry, isCloacinaError, resetRegistry, task } from "@cloacina/engine";
import { beforeEach, expect, test, vi } from "vitest";

beforeEach(() => resetRegistry());

test("every registration lands in one registry, even with two copies of the engine loaded", async () => {
  vi.resetModules();
  const copyA = await import("../src/index.js");
  vi.resetModules();
  const copyB = await import("../src/index.js");
  expect(copyA.task).not.toBe(copyB.task); // really two module instances

  copyA.task({ id: "from-a" }, () => ({}));
  copyB.task({ id: "from-b" }, () => ({}));
  expect(copyA.globalRegistry()).toBe(copyB.globalRegistry());
  expect(globalRegistry().taskIds().sort()).toEqual(["from-a", "from-b"]);

  // Errors from one copy are recognised by the other (brand, not instanceof).
  let error: unknown;
  try {
    copyB.task({ id: "from-a" }, () => ({}));
  } catch (e) {
    error = e;
  }
  expect(error).not.toBeInstanceOf(copyA.CloacinaError);
  expect(copyA.isCloacinaError(error)).toBe(true);
  expect(isCloacinaError(error)).toBe(true);
});

test("a duplicate id is DUPLICATE_TASK, naming where the first registration was made", () => {
  task({ id: "dup" }, () => ({})); // first
  let error: unknown;
  try {
    task({ id: "dup" }, () => ({}));
  } catch (e) {
    error = e;
  }
  expect(error).toMatchObject({ code: "DUPLICATE_TASK", name: "WorkflowDefinitionError" });
  expect((error as Error).message).toMatch(/first registered at .*registry\.test\.ts:\d+/);
});

test("tests can reset the registry", () => {
  task({ id: "temp" }, () => ({}));
  resetRegistry();
  expect(globalRegistry().task("temp")).toBeUndefined();
  expect(() => task({ id: "temp" }, () => ({}))).not.toThrow();
});
