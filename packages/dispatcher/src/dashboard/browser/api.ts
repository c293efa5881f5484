/** Calls to the dashboard's JSON API, relative to where the app is mounted. */
import { base } from "./page.js";

/** A response that was not 2xx: the API's `{ error: { code, message } }`, or the HTTP status. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly code: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** The JSON body of a successful response, typed as the caller says the route returns (see wire.ts). */
export async function api<T>(path: string, options?: RequestInit): Promise<T> {
  const init: RequestInit = { headers: { Accept: "application/json" }, credentials: "same-origin", ...options };
  const res = await fetch(base + path, init);
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    body = null;
  }
  if (!res.ok) {
    const e = (body as { error?: { code: string; message: string } } | null)?.error ?? {
      code: "HTTP_" + res.status,
      message: res.statusText,
    };
    throw new ApiError(e.message, e.code, res.status);
  }
  return body as T;
}

export function post<T>(path: string): Promise<T> {
  return api<T>(path, { method: "POST" });
}

/** A POST with a JSON body (the signal endpoint requires the content type). */
export function postJson<T>(path: string, body: unknown): Promise<T> {
  return api<T>(path, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** What a failed call says: its message (anything thrown, not only an ApiError). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "CODE: message", or the message alone when the error has no code. */
export function describeError(error: unknown): string {
  const code = error instanceof ApiError ? error.code : undefined;
  return (code ? code + ": " : "") + messageOf(error);
}
