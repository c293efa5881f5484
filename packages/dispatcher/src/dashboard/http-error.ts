/**
 * Errors as the API returns them: `{ "error": { "code", "message" } }` with an HTTP status that
 * fits the code. Cloacina errors keep their stable code; anything else is `INTERNAL_ERROR`.
 */
import { CloacinaError, type ErrorCode, isCloacinaError, redactUrls } from "@cloacina/engine";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Codes the dashboard itself answers with (HTTP-level, never thrown by the engine). */
export type DashboardHttpCode =
  | "DASHBOARD_UNAUTHORIZED"
  | "FORBIDDEN_HOST"
  | "CROSS_ORIGIN_REQUEST"
  | "NOT_FOUND"
  | "TASK_NOT_FOUND"
  | "INTERNAL_ERROR";

const STATUS_BY_CODE: Partial<Record<ErrorCode, ContentfulStatusCode>> = {
  RUN_NOT_FOUND: 404,
  SCHEDULE_NOT_FOUND: 404,
  RUN_NOT_RETRYABLE: 409,
  // Retrying a run whose workflow this process does not register (a dashboard started by the CLI).
  UNKNOWN_WORKFLOW: 409,
  WORKFLOW_VERSION_MISMATCH: 409,
  EXECUTOR_CLOSED: 503,
  STORE_FAILURE: 503,
  CORRUPT_CONTEXT: 500,
  DASHBOARD_UNAUTHORIZED: 401,
};

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

export function errorResponse(c: Context, error: unknown): Response {
  if (isCloacinaError(error)) {
    const status = STATUS_BY_CODE[error.code] ?? (error.code.startsWith("INVALID_") ? 400 : 500);
    return c.json(errorBody(error.code, error.message), status);
  }
  const message = error instanceof Error ? error.message : String(error);
  return c.json(errorBody("INTERNAL_ERROR", redactUrls(message)), 500);
}

/**
 * Invalid dashboard options (a non-loopback host without a token, a bad port...).
 * The code is `INVALID_DASHBOARD_OPTIONS`.
 */
export class DashboardOptionsError extends CloacinaError {
  override name = "DashboardOptionsError";
  constructor(message: string) {
    super("INVALID_DASHBOARD_OPTIONS", message);
  }
}
