import { closestMatch } from "./workflow/did-you-mean.js";

/**
 * What is wrong with the query's parameter names, if anything: an unknown name (with a
 * did-you-mean) or a name given twice, which would otherwise be last-one-wins. A name that does
 * not look like one is not quoted: it may be the tail of a password typed in the wrong place.
 */
export function queryParameterProblem(search: URLSearchParams, known: readonly string[]): string | undefined {
  const keys = [...search.keys()];
  const unknown = keys.find((key) => !known.includes(key));
  if (unknown !== undefined) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(unknown))
      return `a query parameter has a malformed name (accepted: ${known.join(", ")})`;
    const suggestion = closestMatch(unknown, known);
    const hint = suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`;
    return `unknown query parameter "${unknown}"${hint} (accepted: ${known.join(", ")})`;
  }
  const repeated = keys.find((key, i) => keys.indexOf(key) !== i);
  return repeated === undefined ? undefined : `the parameter "${repeated}" is given more than once; give it once`;
}
