/**
 * Errors as the API returns them: `{ "error": { "code", "message" } }` with an HTTP status that
 * fits the code. Cloacina errors keep their stable code; anything else is `INTERNAL_ERROR`.
 *
 * The dashboard owns its codes ({@link DashboardErrorCode}): they are not the engine's, which never
 * raises them. Its errors are Cloacina errors all the same (`isCloacinaError` is true, `code` set).
 */
import { CloacinaError, type ErrorCode, isCloacinaError, redactUrls } from "@cloacina/engine";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Codes of the dashboard's own errors and HTTP answers. Never renamed once released. */
export type DashboardErrorCode =
  /** `serveDashboard` options are invalid (a non-loopback host without a token, a bad port...). */
  | "INVALID_DASHBOARD_OPTIONS"
  /** 401: a token is required and the request did not carry it. */
  | "DASHBOARD_UNAUTHORIZED"
  /** 403: a loopback dashboard asked for by another host name (DNS rebinding). */
  | "FORBIDDEN_HOST"
  /** 403: a request sent by another site. */
  | "CROSS_ORIGIN_REQUEST"
  /** 404: no such route. */
  | "NOT_FOUND"
  /** 404: the run has no task of that id. */
  | "TASK_NOT_FOUND"
  /** 400: a signal request whose body is not `{ "payload": …, "key"?: "…" }` as JSON. */
  | "INVALID_SIGNAL_REQUEST";
// 500 for anything unexpected is the engine's own INTERNAL_ERROR.

/** An error of the dashboard, with one of its own codes. */
export class DashboardError extends CloacinaError<DashboardErrorCode> {
  override name = "DashboardError";
}

/**
 * Invalid dashboard options (a non-loopback host without a token, a bad port...).
 * The code is `INVALID_DASHBOARD_OPTIONS`.
 */
export class DashboardOptionsError extends DashboardError {
  override name = "DashboardOptionsError";
  constructor(message: string) {
    super("INVALID_DASHBOARD_OPTIONS", message);
  }
}

const STATUS_BY_CODE: { readonly [code in ErrorCode | DashboardErrorCode]?: ContentfulStatusCode } = {
  RUN_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  RUN_NOT_RETRYABLE: 409,
  // Retrying a run whose workflow this process does not register (a dashboard started by the CLI).
  UNKNOWN_WORKFLOW: 409,
  WORKFLOW_VERSION_MISMATCH: 409,
  EXECUTOR_CLOSED: 503,
  STORE_FAILURE: 503,
  CORRUPT_CONTEXT: 500,
  // A signal's payload: refused by the task's schema, not storable, or too big to store.
  INVALID_SIGNAL: 400,
  UNSERIALIZABLE_CONTEXT: 400,
  CONTEXT_TOO_DEEP: 400,
  CONTEXT_TOO_LARGE: 413,
  // The run or the task has finished (or has no such task): it can never take the signal.
  SIGNAL_NOT_ACCEPTED: 409,
  DASHBOARD_UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  CROSS_ORIGIN_REQUEST: 403,
  NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
};

/** The HTTP status of an error code: from the table, else 400 for `INVALID_*`, else 500. */
export function statusOf(code: string): ContentfulStatusCode {
  const known = Object.hasOwn(STATUS_BY_CODE, code) ? STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE] : undefined;
  return known ?? (code.startsWith("INVALID_") ? 400 : 500);
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

export function errorResponse(c: Context, error: unknown): Response {
  if (isCloacinaError(error)) return c.json(errorBody(error.code, error.message), statusOf(error.code));
  const message = error instanceof Error ? error.message : String(error);
  return c.json(errorBody("INTERNAL_ERROR", redactUrls(message)), 500);
}
