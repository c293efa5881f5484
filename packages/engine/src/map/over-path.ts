/**
 * `over: "a.b.c"`: the value a map task maps over, read from its context by a dotted path. The
 * engine checks that the value is an array (MAP_NOT_ARRAY); this only finds it.
 */
import { ValidationError } from "../errors.js";
import type { Context } from "../types.js";

/** How many of the context's keys a MAP_PATH_MISSING message lists. */
const LISTED_KEYS = 20;

/** The segments of a path, or null when it is not one (empty, or with an empty segment). */
export function pathSegments(path: string): string[] | null {
  const segments = path.split(".");
  return path !== "" && segments.every((s) => s !== "") ? segments : null;
}

/** A function reading `path` (valid: see {@link pathSegments}) from a context, for task `taskId`. */
export function overPath(taskId: string, path: string): (ctx: Context) => unknown {
  const segments = pathSegments(path) ?? [path];
  return (ctx) => {
    let value: unknown = ctx;
    for (let i = 0; i < segments.length; i++) {
      const segment = segments[i]!;
      // Own keys only: a context is plain data, and "constructor" should not find Object's.
      const holder = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
      const next = holder !== undefined && Object.hasOwn(holder, segment) ? holder[segment] : undefined;
      if (next === undefined) throw missingSegment(taskId, path, segments, i, value, ctx);
      value = next;
    }
    return value;
  };
}

function missingSegment(
  taskId: string,
  path: string,
  segments: readonly string[],
  at: number,
  parent: unknown,
  ctx: Context,
): ValidationError {
  const parentPath = segments.slice(0, at).join(".");
  const missing = segments.slice(0, at + 1).join(".");
  const where =
    at === 0
      ? `the context has no "${missing}"`
      : typeof parent === "object" && parent !== null
        ? `the context has no "${missing}" ("${parentPath}" has no "${segments[at]}")`
        : `the context has no "${missing}" ("${parentPath}" is ${describe(parent)}, not an object)`;
  const keys = Object.keys(ctx);
  const listed = keys.length === 0 ? "it has no keys" : `it has: ${listKeys(keys)}`;
  return new ValidationError(
    "MAP_PATH_MISSING",
    `Task "${taskId}" maps over path "${path}", but ${where} (${listed}).`,
    {
      details: { taskId, path, missing, contextKeys: keys.slice(0, LISTED_KEYS) },
    },
  );
}

function listKeys(keys: readonly string[]): string {
  const shown = keys.slice(0, LISTED_KEYS).join(", ");
  return keys.length > LISTED_KEYS ? `${shown}, … ${keys.length - LISTED_KEYS} more` : shown;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? "a string" : `a ${typeof value}`;
}
