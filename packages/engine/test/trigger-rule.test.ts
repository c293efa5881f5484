import { resetRegistry, task, type TriggerRule } from "@cloacina/engine";
import { beforeEach, describe, expect, test } from "vitest";
import { holds, shouldRun } from "../src/task/trigger-rule.js";

beforeEach(() => resetRegistry());

describe("trigger rules are validated when the task is declared", () => {
  test.each([
    ["a typo in a rule name", "allSuceeded"],
    ["an unknown operator", { path: "x", greaterOrEqual: 1 }],
    ["a condition without a path", { equals: 1 }],
    ["an empty path segment", { path: "a..b", exists: true }],
    ["an empty all", { all: [] }],
    ["two operators at once", { path: "x", equals: 1, exists: true }],
    ["a non-number bound", { path: "x", greaterThan: "10" }],
  ])("%s is INVALID_TASK_OPTIONS", (_what, trigger) => {
    // Deliberately not a TriggerRule: what is checked here is the run-time validation.
    expect(() => task({ id: "t", trigger: trigger as TriggerRule }, () => ({}))).toThrow(
      expect.objectContaining({ code: "INVALID_TASK_OPTIONS" }),
    );
  });

  test("valid rules are kept as given; the default is allSucceeded", () => {
    expect(task({ id: "a" }, () => ({})).definition.trigger).toBe("allSucceeded");
    const rule = { any: [{ path: "a.b", exists: true }, { not: { path: "c", lessThan: 3 } }] };
    expect(task({ id: "b", trigger: rule }, () => ({})).definition.trigger).toEqual(rule);
  });
});

describe("how rules decide", () => {
  const none = { failed: 0, skipped: 0 };
  test("by the dependencies' outcomes", () => {
    expect(shouldRun("allSucceeded", none, () => ({}))).toBe(true);
    expect(shouldRun("allSucceeded", { failed: 0, skipped: 1 }, () => ({}))).toBe(false);
    expect(shouldRun("allDone", { failed: 2, skipped: 1 }, () => ({}))).toBe(true);
    expect(shouldRun("anyFailed", none, () => ({}))).toBe(false);
    expect(shouldRun("anyFailed", { failed: 1, skipped: 0 }, () => ({}))).toBe(true);
    // A condition needs every dependency to have succeeded first.
    expect(shouldRun({ path: "x", exists: true }, { failed: 1, skipped: 0 }, () => ({ x: 1 }))).toBe(false);
  });

  test("by the context", () => {
    const ctx = { n: 5, big: 10n, when: new Date(0), nested: { list: [1, { a: 2 }] }, nothing: undefined, zero: 0 };
    expect(holds({ path: "n", greaterThan: 4 }, ctx)).toBe(true);
    expect(holds({ path: "n", lessThan: 5 }, ctx)).toBe(false);
    expect(holds({ path: "big", greaterThan: 9 }, ctx)).toBe(true);
    expect(holds({ path: "when", equals: new Date(0) }, ctx)).toBe(true);
    expect(holds({ path: "nested.list", equals: [1, { a: 2 }] }, ctx)).toBe(true);
    expect(holds({ path: "nothing", exists: true }, ctx)).toBe(false);
    expect(holds({ path: "zero", exists: true }, ctx)).toBe(true);
    expect(holds({ path: "missing.deeper", equals: undefined }, ctx)).toBe(false);
    expect(holds({ path: "nested.list.0", equals: 1 }, ctx)).toBe(true);
    expect(holds({ path: "toString", exists: true }, ctx)).toBe(false); // own keys only
    expect(holds({ path: "n", greaterThan: 1 }, { n: "7" })).toBe(false); // strings are not numbers
  });
});
