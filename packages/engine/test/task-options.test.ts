import { resetRegistry, retryDelay, task } from "@cloacina/engine";
import { beforeEach, describe, expect, test } from "vitest";

beforeEach(() => resetRegistry());

describe("task options are validated when the task is declared", () => {
  const invalid: [string, unknown, RegExp][] = [
    ["a typo in a backoff name", { id: "t", retry: { maxAttempts: 3, backoff: "exponentail" } }, /backoff/],
    ["a negative delay", { id: "t", retry: { delayMs: -5 } }, /delayMs/],
    ["zero attempts", { id: "t", retry: { maxAttempts: 0 } }, /maxAttempts/],
    ["an unknown option", { id: "t", retires: 3 }, /retires/],
    ["an unknown retry option", { id: "t", retry: { attempts: 3 } }, /attempts/],
    ["a missing id", {}, /id/],
    ["an empty id", { id: "" }, /id/],
    ["a non-integer timeout", { id: "t", timeout: 1.5 }, /timeout/],
    ["jitter above 1", { id: "t", retry: { jitter: 2 } }, /jitter/],
    ["maxDelayMs below delayMs", { id: "t", retry: { delayMs: 500, maxDelayMs: 100 } }, /maxDelayMs/],
    ["dependsOn listing an id twice", { id: "t", dependsOn: ["a", "a"] }, /twice/],
  ];
  test.each(invalid)("%s is INVALID_TASK_OPTIONS", (_what, options, mentions) => {
    expect(() => task(options as never, () => ({}))).toThrow(
      expect.objectContaining({ code: "INVALID_TASK_OPTIONS", message: expect.stringMatching(mentions) }),
    );
  });

  test("valid options get documented defaults", () => {
    const ref = task({ id: "t", retry: { maxAttempts: 3 } }, () => ({}));
    expect(ref.definition).toMatchObject({
      id: "t",
      dependsOn: [],
      retry: { maxAttempts: 3, backoff: "exponential", delayMs: 1000, maxDelayMs: 60_000, jitter: 0 },
    });
    expect(ref.definition.timeout).toBeUndefined();
  });
});

describe("retry delays", () => {
  const policy = { maxAttempts: 5, backoff: "exponential" as const, delayMs: 100, maxDelayMs: 500, jitter: 0 };
  test("maxAttempts counts every run, the first one included", () => {
    expect(retryDelay({ ...policy, maxAttempts: 1 }, 1)).toBeUndefined();
    expect(retryDelay(policy, 4)).toBeDefined();
    expect(retryDelay(policy, 5)).toBeUndefined();
  });
  test("exponential doubles up to maxDelayMs; fixed stays", () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(policy, n))).toEqual([100, 200, 400, 500]);
    expect([1, 2, 3].map((n) => retryDelay({ ...policy, backoff: "fixed" }, n))).toEqual([100, 100, 100]);
  });
  test("jitter spreads a delay by up to ±jitter", () => {
    const jittered = { ...policy, jitter: 0.5 };
    expect(retryDelay(jittered, 1, () => 0)).toBe(50);
    expect(retryDelay(jittered, 1, () => 1)).toBe(150);
    expect(retryDelay(jittered, 1, () => 0.5)).toBe(100);
  });
});
