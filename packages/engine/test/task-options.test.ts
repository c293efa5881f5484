import { resetRegistry, task } from "@cloacina/engine";
// Internal: the retry policy the runtime applies (not part of the public API).
import { isRetryable, retryDelay } from "../src/task/retry-policy.js";
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
      retry: { maxAttempts: 3, backoff: "exponential", delayMs: 1000, maxDelayMs: 60_000, jitter: 0, when: "always" },
    });
    expect(ref.definition.timeout).toBeUndefined();
  });
});

describe("retry delays", () => {
  const policy = {
    maxAttempts: 5,
    backoff: "exponential" as const,
    delayMs: 100,
    maxDelayMs: 500,
    jitter: 0,
    when: "always" as const,
  };
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

describe("retry conditions (retry.when)", () => {
  class RateLimited extends Error {
    override name = "RateLimited";
  }
  const base = { maxAttempts: 3, backoff: "fixed" as const, delayMs: 1, maxDelayMs: 1, jitter: 0 };
  const withCode = (code: string) => Object.assign(new Error("x"), { code });

  test("always (default) and never", () => {
    expect(isRetryable({ ...base, when: "always" }, new Error("x"))).toBe(true);
    expect(isRetryable({ ...base, when: "never" }, new Error("x"))).toBe(false);
  });

  test("a filter retries an error that matches any of its kinds: class, name, code or predicate", () => {
    const policy = {
      ...base,
      when: {
        errors: [RateLimited],
        names: ["FetchError"],
        codes: ["ECONNRESET"],
        predicate: (e: unknown) => (e as Error).message === "try again",
      },
    };
    expect(isRetryable(policy, new RateLimited("slow down"))).toBe(true);
    expect(isRetryable(policy, Object.assign(new Error("x"), { name: "FetchError" }))).toBe(true);
    expect(isRetryable(policy, withCode("ECONNRESET"))).toBe(true);
    expect(isRetryable(policy, new Error("try again"))).toBe(true);
    expect(isRetryable(policy, new TypeError("bug"))).toBe(false);
    expect(isRetryable(policy, "a string")).toBe(false);
  });

  test("a predicate that throws means no retry", () => {
    const policy = {
      ...base,
      when: {
        predicate: () => {
          throw new Error("oops");
        },
      },
    };
    expect(isRetryable(policy, new Error("x"))).toBe(false);
  });

  test.each([
    ["an unknown word", "sometimes"],
    ["an empty filter", {}],
    ["a class that is not an Error", { errors: [Map] }],
    ["an unknown key", { names: ["X"], classes: [Error] }],
  ])("%s is INVALID_TASK_OPTIONS", (_what, when) => {
    expect(() => task({ id: "t", retry: { maxAttempts: 2, when } } as never, () => ({}))).toThrow(
      expect.objectContaining({ code: "INVALID_TASK_OPTIONS" }),
    );
  });
});
