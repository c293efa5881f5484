import { ValidationError, WorkflowDefinitionError } from "../errors.js";
import type { StandardSchemaV1 } from "./standard-schema.js";

/**
 * Whether `value` implements Standard Schema v1, checked structurally: schema libraries are
 * separate packages (and may be separate copies), so no `instanceof` could tell.
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== "object" && typeof value !== "function") || value === null) return false;
  const props = (value as { "~standard"?: unknown })["~standard"];
  return (
    typeof props === "object" &&
    props !== null &&
    (props as { version?: unknown }).version === 1 &&
    typeof (props as { validate?: unknown }).validate === "function"
  );
}

/** One failed check: where (a dotted path, "" for the value itself) and what. */
export interface SchemaIssue {
  path: string;
  message: string;
}

export type Checked = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/**
 * Runs a schema. `validate` may return a Promise (the spec allows async refinements); a schema
 * that throws instead of returning issues rejects with what it threw, for the caller to wrap.
 */
export async function check(schema: StandardSchemaV1, value: unknown): Promise<Checked> {
  const result = await schema["~standard"].validate(value);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return { ok: false, issues: result.issues.map((issue) => ({ path: pathOf(issue), message: issue.message })) };
}

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? [])
    .map((segment) => String(typeof segment === "object" && segment !== null ? segment.key : segment))
    .join(".");
}

/** "  - at rows.1: Expected number" lines for an error message. */
export function formatIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((i) => `  - ${i.path === "" ? "the value" : `at ${i.path}`}: ${i.message}`).join("\n");
}

/** What a failed check is called where it happened. */
export type SchemaCheckCode = "INVALID_INPUT" | "INVALID_TASK_INPUT" | "INVALID_TASK_OUTPUT" | "INVALID_SIGNAL";

/**
 * The value `schema` makes of `value` (its output: defaults and transforms applied), or a coded
 * error: `code` with every issue's path when it fails, `INVALID_SCHEMA` when it throws (a schema
 * must return issues; one that throws is a bug in it, never an unhandled rejection here).
 */
export async function parseWith(
  schema: StandardSchemaV1,
  value: unknown,
  code: SchemaCheckCode,
  subject: string,
): Promise<unknown> {
  let checked: Checked;
  try {
    checked = await check(schema, value);
  } catch (error) {
    throw new ValidationError(
      "INVALID_SCHEMA",
      `The schema of ${subject} threw instead of returning issues: ${error instanceof Error ? error.message : String(error)}. ` +
        `A Standard Schema reports a bad value as issues; fix or wrap the schema.`,
      { cause: error },
    );
  }
  if (checked.ok) return checked.value;
  throw new ValidationError(
    code,
    `${capitalise(subject)} does not match its schema:\n${formatIssues(checked.issues)}`,
    {
      details: { issues: checked.issues },
    },
  );
}

/** Throws INVALID_SCHEMA unless `value` is a Standard Schema (or absent). */
export function assertSchema(value: unknown, subject: string): void {
  if (value === undefined || isStandardSchema(value)) return;
  throw new WorkflowDefinitionError(
    "INVALID_SCHEMA",
    `The schema given for ${subject} is not a Standard Schema (no "~standard" with version 1 and a validate function). ` +
      `Pass a zod 4, valibot or arktype schema, or anything implementing https://standardschema.dev.`,
  );
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
