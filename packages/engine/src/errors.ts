/**
 * Every error Cloacina throws is a {@link CloacinaError} with a stable string `code`.
 *
 * Errors are recognised by a brand rather than `instanceof`, so an error thrown by one copy of
 * the engine (say, a backend's nested install) is still recognised by another copy.
 *
 * The engine's codes are {@link ErrorCode}. A package built on the engine (the CLI, the dashboard)
 * owns its codes: it subclasses `CloacinaError<ItsCode>`, and its errors are Cloacina errors too.
 */
import { redactUrls } from "./redact.js";

/** Stable error codes. Never renamed once released: users match on them. */
export type ErrorCode =
  | "INVALID_TASK_OPTIONS"
  | "INVALID_TASK_DECORATOR"
  | "DUPLICATE_TASK"
  | "DUPLICATE_WORKFLOW"
  | "UNKNOWN_TASK"
  | "UNKNOWN_WORKFLOW"
  | "EMPTY_WORKFLOW"
  | "DEPENDENCY_OUTSIDE_WORKFLOW"
  | "WORKFLOW_CYCLE"
  | "CHILD_WORKFLOW_CYCLE"
  | "INVALID_WORKFLOW"
  | "UNSERIALIZABLE_CONTEXT"
  | "CONTEXT_TOO_LARGE"
  | "CONTEXT_TOO_DEEP"
  | "CORRUPT_CONTEXT"
  | "INVALID_CONTEXT"
  | "INVALID_TASK_OUTPUT"
  | "INVALID_TASK_INPUT"
  | "INVALID_INPUT"
  | "INVALID_SCHEMA"
  | "INVALID_DATABASE_URL"
  | "UNSUPPORTED_DATABASE_SCHEME"
  | "BACKEND_NOT_INSTALLED"
  | "BACKEND_LOAD_FAILED"
  | "INVALID_BACKEND"
  | "INVALID_EXECUTOR_OPTIONS"
  | "EXECUTOR_CLOSED"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INVALID_START_OPTIONS"
  | "WORKFLOW_VERSION_MISMATCH"
  | "RUN_NOT_RETRYABLE"
  | "INVALID_SCHEDULE"
  | "INVALID_CRON"
  | "INVALID_TIMEZONE"
  | "CRON_NEVER_FIRES"
  | "SCHEDULE_NOT_FOUND"
  | "INVALID_LIST_OPTIONS"
  | "RUN_NOT_FOUND"
  | "INVALID_EVENT_POSITION"
  | "INVALID_EVENTS_OPTIONS"
  | "INVALID_EVENTS_TRANSPORT"
  | "EVENTS_TRANSPORT_FAILED"
  | "TASK_FAILED"
  | "TASK_TIMEOUT"
  | "TASK_CANCELLED"
  | "TASK_RECOVERY_EXHAUSTED"
  | "INVALID_DURATION"
  | "INVALID_WAIT"
  | "INVALID_SIGNAL"
  | "SIGNAL_NOT_ACCEPTED"
  | "SIGNAL_TIMEOUT"
  | "CALL_AGAIN_LIMIT"
  | "MAP_PATH_MISSING"
  | "RUN_TIMEOUT"
   
  | "MAP_NOT_ARRAY"
  | "MAP_TOO_LARGE"
  | "MAP_ELEMENT_NOT_STORABLE"
  | "MAP_INSTANCE_FAILED"
  | "CHILD_WORKFLOW_NOT_REGISTERED"
   
  | "INVALID_CHILD_INPUT"
  | "CHILD_RUN_FAILED"
  | "CHILD_RUN_CANCELLED"
  | "STORE_FAILURE"
  | "INTERNAL_ERROR";

const BRAND = Symbol.for("cloacina.error");

export interface CloacinaErrorOptions {
  cause?: unknown;
  /** Structured details for programs (key path, cycle, accepted forms...). */
  details?: Record<string, unknown>;
}

/**
 * The base of every Cloacina error. `Code` is the engine's {@link ErrorCode} unless a subclass
 * outside the engine names its own codes (`class CliError extends CloacinaError<CliErrorCode>`).
 */
export class CloacinaError<Code extends string = ErrorCode> extends Error {
  override name = "CloacinaError";
  readonly code: Code;
  readonly details: Record<string, unknown>;

  constructor(code: Code, message: string, options: CloacinaErrorOptions = {}) {
    // Messages may quote user input such as a database URL: never let a password through.
    super(redactUrls(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True for any Cloacina error, from this copy of the engine or another one, and from packages
 * that own codes of their own (so `code` is a `string`: an {@link ErrorCode} or one of theirs).
 */
export function isCloacinaError(value: unknown): value is CloacinaError<string> {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A task or workflow declaration is invalid (bad options, unknown ids, cycles...). */
export class WorkflowDefinitionError extends CloacinaError {
  override name = "WorkflowDefinitionError";
}

/** A context or task output cannot be stored or restored. */
export class MarshalError extends CloacinaError {
  override name = "MarshalError";
}

/** A database URL is missing, malformed, or has no installed backend. */
export class DatabaseUrlError extends CloacinaError {
  override name = "DatabaseUrlError";
}

/** The backend package for a URL scheme is not installed. */
export class BackendNotInstalledError extends CloacinaError {
  override name = "BackendNotInstalledError";
}

/** Options given to an API are invalid. */
export class ValidationError extends CloacinaError {
  override name = "ValidationError";
}

/** A task failed for good (its retries are spent); `cause` is what it threw. */
export class TaskFailedError extends CloacinaError {
  override name = "TaskFailedError";
}

/** A task attempt ran longer than its `timeout`. Used as the abort reason of its signal. */
export class TaskTimeoutError extends CloacinaError {
  override name = "TaskTimeoutError";
}

/** A task attempt was stopped because its run was cancelled. Used as the abort reason. */
export class TaskCancelledError extends CloacinaError {
  override name = "TaskCancelledError";
}

/** The executor or its store cannot do what was asked (closed, run not found, I/O failure). */
export class ExecutorError extends CloacinaError {
  override name = "ExecutorError";
}
