/** The dashboard's errors are Cloacina errors with codes the dashboard owns, not the engine's. */
import { CloacinaError, type ErrorCode, isCloacinaError } from "cloacina";
import { DashboardError, type DashboardErrorCode, DashboardOptionsError } from "cloacina/dashboard";
import { describe, expect, expectTypeOf, test } from "vitest";
import { statusOf } from "../../src/dashboard/http-error.js";

describe("dashboard errors", () => {
  test("DashboardOptionsError is a CloacinaError with code INVALID_DASHBOARD_OPTIONS", () => {
    const error: unknown = new DashboardOptionsError("port must be an integer from 0 to 65535, not 70000.");
    expect(isCloacinaError(error)).toBe(true);
    expect(error).toBeInstanceOf(DashboardError);
    expect(error).toBeInstanceOf(CloacinaError);
    expect(error).toMatchObject({ name: "DashboardOptionsError", code: "INVALID_DASHBOARD_OPTIONS" });
  });

  test("DashboardError takes any of the dashboard's codes", () => {
    const error: unknown = new DashboardError("TASK_NOT_FOUND", 'Run 5b1f has no task "nope".');
    expect(isCloacinaError(error)).toBe(true);
    expect(error).toMatchObject({ name: "DashboardError", code: "TASK_NOT_FOUND" });
  });

  test("the dashboard's codes are not in the engine's ErrorCode", () => {
    expectTypeOf<DashboardError["code"]>().toEqualTypeOf<DashboardErrorCode>();
    expectTypeOf<Extract<DashboardErrorCode, ErrorCode>>().toEqualTypeOf<never>();
    expectTypeOf<"DASHBOARD_UNAUTHORIZED">().not.toExtend<ErrorCode>();
    expectTypeOf<"INVALID_DASHBOARD_OPTIONS">().not.toExtend<ErrorCode>();
  });

  test("each code answers with its HTTP status", () => {
    const statuses: Record<DashboardErrorCode, number> = {
      INVALID_DASHBOARD_OPTIONS: 400,
      DASHBOARD_UNAUTHORIZED: 401,
      FORBIDDEN_HOST: 403,
      CROSS_ORIGIN_REQUEST: 403,
      NOT_FOUND: 404,
      TASK_NOT_FOUND: 404,
      INVALID_SIGNAL_REQUEST: 400,
    };
    for (const [code, status] of Object.entries(statuses))
      expect({ code, status: statusOf(code) }).toEqual({ code, status });
    expect(statusOf("RUN_NOT_FOUND")).toBe(404);
    expect(statusOf("INTERNAL_ERROR")).toBe(500); // the engine's code, for anything unexpected
    expect(statusOf("INVALID_LIST_OPTIONS")).toBe(400);
    expect(statusOf("toString")).toBe(500); // not an inherited property of the table
  });

  test("the engine's errors about a signal are the sender's fault (4xx), never 500", () => {
    const statuses: Partial<Record<ErrorCode, number>> = {
      INVALID_SIGNAL: 400, // the task's schema refused the payload; the task waits on
      UNSERIALIZABLE_CONTEXT: 400,
      CONTEXT_TOO_DEEP: 400,
      CONTEXT_TOO_LARGE: 413,
      SIGNAL_NOT_ACCEPTED: 409, // finished run or task, or no such task
      RUN_NOT_FOUND: 404,
    };
    for (const [code, status] of Object.entries(statuses))
      expect({ code, status: statusOf(code) }).toEqual({ code, status });
  });
});
