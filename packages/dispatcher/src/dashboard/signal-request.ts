/**
 * The body of `POST /api/runs/:id/tasks/:task/signal`: `{ "payload": <any JSON>, "key"?: "…" }`,
 * sent as `application/json`. Checked before the executor is asked anything, so a malformed
 * request never reaches the database. Requiring the JSON content type also keeps plain HTML forms
 * of other sites out (they cannot send it without a CORS preflight), on top of the origin check.
 */
import type { Context } from "hono";
import { DashboardError } from "./http-error.js";

export interface SignalRequest {
  payload: unknown;
  key?: string;
}

export async function readSignalRequest(c: Context): Promise<SignalRequest> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw invalid(`Send the signal as Content-Type: application/json (got ${type ? JSON.stringify(type) : "none"}).`);
  }
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (error) {
    throw invalid(`The body is not valid JSON: ${(error as Error).message}.`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw invalid('The body must be a JSON object: { "payload": …, "key"?: "…" }.');
  }
  const { payload, key, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    // A typo ("paylaod") is an error, never a signal with an undefined payload.
    throw invalid(`Unknown field ${unknown.map((k) => JSON.stringify(k)).join(", ")}: the body takes payload and key.`);
  }
  if (!Object.hasOwn(body, "payload")) throw invalid('The body has no "payload" (send "payload": null for none).');
  if (key !== undefined && typeof key !== "string") throw invalid('"key" must be a string.');
  return key === undefined ? { payload } : { payload, key };
}

function invalid(message: string): DashboardError {
  return new DashboardError("INVALID_SIGNAL_REQUEST", message);
}
