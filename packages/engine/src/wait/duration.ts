import { ValidationError } from "../errors.js";

/** A length of time: milliseconds, or text such as `"500ms"`, `"30s"`, `"15m"`, `"2h"`, `"1d"`, `"1h30m"`. */
export type Duration = number | string;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Far past any wait a workflow should make (and inside the range of a stored epoch-ms time). */
export const MAX_DURATION_MS = 10 * 365 * UNIT_MS.d;

/**
 * Milliseconds of a duration, or INVALID_DURATION naming `what`: a typo is an error, never a
 * default.
 */
export function durationMs(value: unknown, what: string): number {
  let ms: number | undefined;
  if (typeof value === "number") ms = Number.isInteger(value) && value >= 0 ? value : undefined;
  else if (typeof value === "string") ms = parse(value.trim());
  if (ms === undefined || ms > MAX_DURATION_MS) {
    throw new ValidationError(
      "INVALID_DURATION",
      `${what} is ${JSON.stringify(value) ?? String(value)}: a duration is a whole number of milliseconds (0 or more) ` +
        `or text such as "500ms", "30s", "15m", "2h", "1d", "1h30m", at most 10 years.`,
      { details: { value: typeof value === "string" || typeof value === "number" ? value : String(value) } },
    );
  }
  return ms;
}

function parse(text: string): number | undefined {
  if (!/^(\d+(ms|s|m|h|d))+$/.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/(\d+)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  }
  return total;
}
