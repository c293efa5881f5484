import * as devalue from "devalue";
import { MarshalError } from "../errors.js";
import type { Context } from "../types.js";
import { findUnstorable, MAX_CONTEXT_DEPTH } from "./storable.js";

/**
 * Contexts and outputs are stored as text made by devalue (a maintained codec that round-trips
 * Date, BigInt, Map, Set, typed arrays, undefined, NaN and -0), behind a format tag so the codec
 * can change later without misreading stored data. Node Buffers come back as Buffers.
 */
const FORMAT = "v1:";

// A reducer must return a truthy value to match: wrap the base64 text, which is "" for an empty Buffer.
const reducers = {
  Buffer: (value: unknown) => Buffer.isBuffer(value) && [value.toString("base64")],
};
const revivers = {
  Buffer: ([base64]: [string]) => Buffer.from(base64, "base64"),
};

export const DEFAULT_MAX_CONTEXT_BYTES = 16 * 1024 * 1024;
export { MAX_CONTEXT_DEPTH };

/**
 * Encodes `value` for storage, or throws a {@link MarshalError} that names the offending key
 * path (CONTEXT_TOO_DEEP past {@link MAX_CONTEXT_DEPTH} levels of nesting). `what` names the value in messages ("the input context", "the output of task \"x\"").
 */
export function encode(value: unknown, what: string, maxBytes: number = DEFAULT_MAX_CONTEXT_BYTES): string {
  const problem = findUnstorable(value);
  if (problem) {
    const path = shortPath(problem.path);
    throw new MarshalError(problem.code, `Cannot store ${what}: ${path} is ${problem.reason}. ${problem.hint}`, {
      details:
        problem.code === "CONTEXT_TOO_DEEP"
          ? { path, reason: problem.reason, maxDepth: MAX_CONTEXT_DEPTH }
          : { path: problem.path, reason: problem.reason },
    });
  }
  let text: string;
  try {
    text = FORMAT + devalue.stringify(value, reducers);
  } catch (cause) {
    throw new MarshalError("UNSERIALIZABLE_CONTEXT", `Cannot store ${what}: ${(cause as Error).message}`, { cause });
  }
  // Cheap upper bound first: a UTF-16 string never takes more than 3 bytes a unit in UTF-8.
  if (text.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > maxBytes) {
      throw new MarshalError(
        "CONTEXT_TOO_LARGE",
        `Cannot store ${what}: it encodes to ${bytes} bytes, over the limit of ${maxBytes}. ` +
          `Store large data elsewhere and pass a reference, or raise the executor's \`maxContextBytes\`.`,
        { details: { bytes, maxBytes } },
      );
    }
  }
  return text;
}

/** A key path a thousand levels long is of no use in a message: keep its two ends. */
function shortPath(path: string): string {
  return path.length <= 200 ? path : `${path.slice(0, 100)}…${path.slice(-60)}`;
}

/** Decodes a value made by {@link encode}. Every call returns a fresh copy. */
export function decode(text: string): unknown {
  if (!text.startsWith(FORMAT)) {
    throw new MarshalError("CORRUPT_CONTEXT", `Stored context has an unknown format tag "${text.slice(0, 8)}".`);
  }
  try {
    return devalue.parse(text.slice(FORMAT.length), revivers);
  } catch (cause) {
    throw new MarshalError("CORRUPT_CONTEXT", `Stored context cannot be decoded: ${(cause as Error).message}`, {
      cause,
    });
  }
}

/** Decodes a stored context (a plain object). */
export function decodeContext(text: string): Context {
  return decode(text) as Context;
}

/** The encoded form of `{}`, the output of a task that returned nothing. */
export const EMPTY_CONTEXT = encode({}, "an empty context");
