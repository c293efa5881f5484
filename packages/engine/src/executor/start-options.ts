import { z } from "zod";
import { ValidationError } from "../errors.js";
import { closestMatch } from "../workflow/did-you-mean.js";

/**
 * The options of one `start`/`execute`, checked before anything is stored: a misspelt key
 * (`idempotencykey`) would otherwise be dropped, and a second start would store a second run.
 */
const startOptionsSchema = z.strictObject({
  idempotencyKey: z.string().min(1).max(500).optional(),
  deadline: z
    .union([z.date(), z.int().min(0)])
    .refine((d) => Number.isFinite(d instanceof Date ? d.getTime() : d), "an invalid Date")
    .transform((d) => (d instanceof Date ? d.getTime() : d))
    .optional(),
});

export type ParsedStartOptions = z.output<typeof startOptionsSchema>;

const KNOWN = Object.keys(startOptionsSchema.shape);

/** Validates the options of a start; throws INVALID_START_OPTIONS naming what is wrong. */
export function parseStartOptions(options: unknown): ParsedStartOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw invalid(
      `Start options must be an object such as { idempotencyKey: "order-42" }, not ${describe(options)}.`,
      {},
    );
  }
  const unknown = Object.keys(options).filter((key) => !KNOWN.includes(key));
  if (unknown.length > 0) {
    const named = unknown.map((key) => {
      const suggestion = closestMatch(key, KNOWN);
      return suggestion === undefined ? `"${key}"` : `"${key}" (did you mean "${suggestion}"?)`;
    });
    throw invalid(`Unknown start option ${named.join(", ")}. Start options are: ${KNOWN.join(", ")}.`, {
      unknown,
    });
  }
  const parsed = startOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const bad = parsed.error.issues[0]?.path[0];
    throw invalid(
      bad === "deadline"
        ? "deadline must be a valid Date (or epoch milliseconds)."
        : "idempotencyKey must be a non-empty string of at most 500 characters.",
      {},
    );
  }
  return parsed.data;
}

function invalid(message: string, details: Record<string, unknown>): ValidationError {
  return new ValidationError("INVALID_START_OPTIONS", message, { details: { ...details, accepted: KNOWN } });
}

// The value itself is not quoted: it may be anything, a secret included.
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}
