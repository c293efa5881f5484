import { decodeContext } from "../marshal/marshal.js";
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
