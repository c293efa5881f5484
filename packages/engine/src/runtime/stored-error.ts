import { isCloacinaError } from "../errors.js";
import type { StoredError } from "../types.js";

const MAX_CAUSE_DEPTH = 5;

/** What is kept of a thrown value: name, message, stack, code and cause chain. */
export function toStoredError(thrown: unknown, depth = 0): StoredError {
  if (thrown instanceof Error || (typeof thrown === "object" && thrown !== null && "message" in thrown)) {
    const error = thrown as Error & { code?: unknown };
    const stored: StoredError = { name: String(error.name ?? "Error"), message: String(error.message) };
    if (typeof error.stack === "string") stored.stack = error.stack;
    if (typeof error.code === "string" || typeof error.code === "number") stored.code = String(error.code);
    else if (isCloacinaError(error)) stored.code = error.code;
    if (error.cause !== undefined && depth < MAX_CAUSE_DEPTH) stored.cause = toStoredError(error.cause, depth + 1);
    return stored;
  }
  return { name: "NonErrorThrown", message: `A task threw a non-Error value: ${describe(thrown)}` };
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}

/** An `Error` rebuilt from its stored form, for results and `cause` chains. */
export function fromStoredError(stored: StoredError): Error {
  const error = new Error(
    stored.message,
    stored.cause ? { cause: fromStoredError(stored.cause) } : undefined,
  ) as Error & {
    code?: string;
  };
  error.name = stored.name;
  if (stored.stack !== undefined) error.stack = stored.stack;
  if (stored.code !== undefined) error.code = stored.code;
  return error;
}
