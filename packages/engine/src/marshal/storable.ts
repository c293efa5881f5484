/**
 * Finds the first value in a context that cannot be stored and restored faithfully, with its key
 * path. devalue alone would accept circular references and some values we do not want to
 * promise; this walk makes the rules ours and the messages precise.
 */
export interface Unstorable {
  /** CONTEXT_TOO_DEEP past {@link MAX_CONTEXT_DEPTH}, else UNSERIALIZABLE_CONTEXT. */
  code: "UNSERIALIZABLE_CONTEXT" | "CONTEXT_TOO_DEEP";
  /** Key path from the root, e.g. `ctx.user.tags[2]`. */
  path: string;
  reason: string;
  hint: string;
}

/**
 * How many objects, arrays, maps and sets may nest inside each other in a context or an output,
 * counting the outer object. The walk here and devalue's codec both recurse, and Node's stack
 * holds about 1,700 levels of devalue's: deeper data would crash with a RangeError instead.
 */
export const MAX_CONTEXT_DEPTH = 1000;

const TYPED_ARRAYS: ReadonlySet<unknown> = new Set([
  Int8Array.prototype,
  Uint8Array.prototype,
  Uint8ClampedArray.prototype,
  Int16Array.prototype,
  Uint16Array.prototype,
  Int32Array.prototype,
  Uint32Array.prototype,
  Float32Array.prototype,
  Float64Array.prototype,
  BigInt64Array.prototype,
  BigUint64Array.prototype,
  Buffer.prototype,
]);

const LEAF_OBJECTS: ReadonlySet<unknown> = new Set([
  Date.prototype,
  RegExp.prototype,
  URL.prototype,
  URLSearchParams.prototype,
  ArrayBuffer.prototype,
]);

export function findUnstorable(root: unknown): Unstorable | undefined {
  const ancestors = new Set<object>();

  function visit(value: unknown, path: string, depth: number): Unstorable | undefined {
    switch (typeof value) {
      case "string":
      case "number":
      case "boolean":
      case "bigint":
      case "undefined":
        return undefined;
      case "function":
        return {
          code: "UNSERIALIZABLE_CONTEXT",
          path,
          reason: "a function",
          hint: "Contexts hold data only: return the data the function would compute.",
        };
      case "symbol":
        return { code: "UNSERIALIZABLE_CONTEXT", path, reason: "a symbol", hint: "Use a string instead." };
      case "object":
        break;
    }
    if (value === null) return undefined;
    const object = value;
    const proto: unknown = Object.getPrototypeOf(object);
    if (LEAF_OBJECTS.has(proto) || TYPED_ARRAYS.has(proto)) return undefined;
    if (ancestors.has(object)) {
      return {
        code: "UNSERIALIZABLE_CONTEXT",
        path,
        reason: "a circular reference",
        hint: "Contexts must be trees: remove the back-reference.",
      };
    }
    if (depth > MAX_CONTEXT_DEPTH) {
      return {
        code: "CONTEXT_TOO_DEEP",
        path,
        reason: `nested ${depth} levels deep, past the limit of ${MAX_CONTEXT_DEPTH} levels`,
        hint: "Flatten the data (a list of nodes with parent ids, say), or store it elsewhere and pass a reference.",
      };
    }
    ancestors.add(object);
    try {
      if (Array.isArray(object)) {
        for (let i = 0; i < object.length; i++) {
          const problem = visit(object[i], `${path}[${i}]`, depth + 1);
          if (problem) return problem;
        }
        return undefined;
      }
      if (proto === Map.prototype) {
        let i = 0;
        for (const [key, entry] of object as Map<unknown, unknown>) {
          const problem =
            visit(key, `${path}.<map key ${i}>`, depth + 1) ??
            visit(entry, `${path}.get(${describeKey(key)})`, depth + 1);
          if (problem) return problem;
          i++;
        }
        return undefined;
      }
      if (proto === Set.prototype) {
        let i = 0;
        for (const entry of object as Set<unknown>) {
          const problem = visit(entry, `${path}.<set entry ${i}>`, depth + 1);
          if (problem) return problem;
          i++;
        }
        return undefined;
      }
      if (proto !== Object.prototype && proto !== null) {
        const name = (object as { constructor?: { name?: string } }).constructor?.name ?? "unknown class";
        return {
          code: "UNSERIALIZABLE_CONTEXT",
          path,
          reason: `an instance of ${name}`,
          hint: "Only plain objects, arrays, Date, Map, Set, BigInt, typed arrays, Buffer, RegExp and URL can be stored: convert it to plain data.",
        };
      }
      for (const key of Reflect.ownKeys(object)) {
        if (typeof key === "symbol") {
          return {
            code: "UNSERIALIZABLE_CONTEXT",
            path: `${path}[${String(key)}]`,
            reason: "a symbol key",
            hint: "Use string keys.",
          };
        }
        if (key === "__proto__") {
          // Decoding or merging it would set a prototype instead of a key.
          return {
            code: "UNSERIALIZABLE_CONTEXT",
            path: `${path}["__proto__"]`,
            reason: "a reserved key",
            hint: 'Rename the "__proto__" key.',
          };
        }
        const problem = visit((object as Record<string, unknown>)[key], `${path}${propertyPath(key)}`, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    } finally {
      ancestors.delete(object);
    }
  }

  return visit(root, "ctx", 1);
}

function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describeKey(key: unknown): string {
  return typeof key === "string" ? JSON.stringify(key) : typeof key === "bigint" ? `${key}n` : String(key);
}
