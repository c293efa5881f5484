import { decodeContext, encode } from "../marshal/marshal.js";
import type { Context } from "../types.js";

/**
 * The context rule, in one place: the input, then each listed output patch merged key by key in
 * the order given (the workflow's topological order, ties by task id). Every value is decoded
 * from its stored text, so each caller gets its own copy and a first run sees exactly what a
 * resumed run would.
 */
export function mergeContext(encodedInput: string, encodedOutputs: Iterable<string>): Context {
  const context = decodeContext(encodedInput);
  for (const output of encodedOutputs) Object.assign(context, decodeContext(output));
  return context;
}

/** Below this many outputs to merge, decoding each is cheaper than keeping a merged copy. */
const CACHE_FROM_OUTPUTS = 8;

/**
 * The last merged context of a run, kept encoded: a task whose ancestors extend those of the
 * previous one (a chain, and most deep DAGs) decodes it once and merges only the outputs that
 * came since, instead of decoding every ancestor's output again. Decoding the merged text gives
 * the same object as merging afresh (devalue keeps key order, shared references and every type),
 * so the rule above is unchanged: each task still gets its own fresh copy.
 */
export interface MergedContext {
  /** The ancestors merged, in merge order. */
  ids: readonly string[];
  text: string;
}

/**
 * {@link mergeContext} of `input` and the outputs of `ids` (completed ancestors, in merge order),
 * reusing and updating `cache` (the run's last merge) when it covers a prefix of `ids`.
 */
export function mergeAncestors(
  input: string,
  ids: readonly string[],
  outputs: ReadonlyMap<string, string>,
  cache: { merged?: MergedContext },
): Context {
  if (ids.length < CACHE_FROM_OUTPUTS)
    return mergeContext(
      input,
      ids.map((id) => outputs.get(id)!),
    );
  const merged = cache.merged;
  const reuse = merged !== undefined && isPrefix(merged.ids, ids);
  const context = reuse ? decodeContext(merged.text) : decodeContext(input);
  for (let i = reuse ? merged.ids.length : 0; i < ids.length; i++) {
    Object.assign(context, decodeContext(outputs.get(ids[i]!)!));
  }
  // Encoded before the task sees (and may change) its copy. Values came from stored text, so
  // they encode again; the size limit was enforced when each was stored.
  cache.merged = { ids, text: encode(context, "a merged context", Number.MAX_SAFE_INTEGER) };
  return context;
}

function isPrefix(prefix: readonly string[], list: readonly string[]): boolean {
  if (prefix.length > list.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== list[i]) return false;
  return true;
}

/** The context the instances of a mapped task share in this process: decoded once, frozen. */
export interface SharedContext {
  taskId: string;
  context: Context;
}

/**
 * The context of `taskId`'s instances, decoded once per run and mapped task in this process and
 * deeply frozen, so that an instance that changes it fails instead of changing another's.
 */
export function sharedContext(
  cache: { instanceContext?: SharedContext },
  taskId: string,
  merge: () => Context,
): Context {
  if (cache.instanceContext?.taskId !== taskId) cache.instanceContext = { taskId, context: deepFreeze(merge()) };
  return cache.instanceContext.context;
}

function deepFreeze<T>(value: T): T {
  // A typed array's elements cannot be frozen (freezing one throws): it stays as it is.
  if (typeof value !== "object" || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
  }
  if (value instanceof Set) for (const v of value) deepFreeze(v);
  return value;
}
