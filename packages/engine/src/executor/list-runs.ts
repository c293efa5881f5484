import { z } from "zod";
import { ValidationError } from "../errors.js";
import type { RunFilter, RunSummary } from "../store/records.js";

const time = z.union([z.date(), z.int().min(0)]).transform((t) => (t instanceof Date ? t.getTime() : t));

const listRunsSchema = z.strictObject({
  status: z.enum(["Running", "Completed", "Failed", "Cancelled"]).optional(),
  workflow: z.string().min(1).optional(),
  /** Created at or after. */
  from: time.optional(),
  /** Created before. */
  to: time.optional(),
  limit: z.int().min(1).max(1000).default(50),
  /** The `next` of the previous page. */
  cursor: z.string().optional(),
  /** Only runs with a task Waiting (for a time, a signal or a later call). */
  waiting: z.boolean().optional(),
  /** Only the child runs started by this run's tasks. */
  parent: z.string().min(1).optional(),
});

export type ListRunsOptions = z.input<typeof listRunsSchema>;

export function parseListRunsOptions(options: ListRunsOptions): RunFilter {
  const parsed = listRunsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError("INVALID_LIST_OPTIONS", `Invalid listRuns options:\n${z.prettifyError(parsed.error)}`);
  }
  const { status, workflow, from, to, limit, cursor, waiting, parent } = parsed.data;
  const filter: RunFilter = { limit };
  if (status !== undefined) filter.status = status;
  if (workflow !== undefined) filter.workflow = workflow;
  if (from !== undefined) filter.createdFrom = from;
  if (to !== undefined) filter.createdTo = to;
  if (cursor !== undefined) filter.after = decodeCursor(cursor);
  if (waiting === true) filter.waiting = true;
  if (parent !== undefined) filter.parent = parent;
  return filter;
}

/** An opaque cursor: the last run's position in the (created_at, run_id) order. */
export function encodeCursor(run: RunSummary): string {
  return Buffer.from(JSON.stringify([run.createdAt, run.runId])).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: number; runId: string } {
  try {
    const [createdAt, runId] = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown[];
    if (typeof createdAt === "number" && typeof runId === "string") return { createdAt, runId };
  } catch {
    // falls through to the error below
  }
  throw new ValidationError(
    "INVALID_LIST_OPTIONS",
    "Invalid cursor: pass the `next` value of a previous listRuns page.",
  );
}
