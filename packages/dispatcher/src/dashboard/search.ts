/**
 * `GET /api/runs?search=`: runs whose execution id starts with the text, or whose workflow name
 * contains it (case-insensitive). `listRuns` filters by status, exact workflow and parent only, so this
 * walks its pages (newest first) and filters them here, reading at most {@link MAX_SCANNED} runs
 * a request. Its cursor is its own: the `listRuns` cursor of the page it stopped in and how many
 * runs of that page it had read.
 */
import { type Executor, type ListRunsOptions, ValidationError } from "@cloacina/engine";

type RunSummary = Awaited<ReturnType<Executor["listRuns"]>>["runs"][number];

export const MAX_SCANNED = 5000;
const PAGE = 500;

export interface SearchResult {
  runs: RunSummary[];
  next?: string;
  /** True when the scan stopped at {@link MAX_SCANNED} runs: more may match further back. */
  partial: boolean;
}

interface SearchCursor {
  /** The listRuns cursor of the page being read (absent for the first page). */
  page?: string;
  /** Runs of that page already read. */
  skip: number;
}

export async function searchRuns(
  executor: Executor,
  search: string,
  filter: Omit<ListRunsOptions, "cursor" | "limit">,
  limit: number,
  cursor: string | undefined,
): Promise<SearchResult> {
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ValidationError("INVALID_LIST_OPTIONS", "limit must be an integer from 1 to 1000.");
  }
  const needle = search.trim().toLowerCase();
  const matches = (run: RunSummary): boolean =>
    run.runId.toLowerCase().startsWith(needle) || run.workflowName.toLowerCase().includes(needle);

  // An exact execution id is found directly, however old the run.
  if (cursor === undefined && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(needle)) {
    const exact = await findExact(executor, needle, filter);
    if (exact) return { runs: [exact], partial: false };
  }

  let position = decodeSearchCursor(cursor);
  const found: RunSummary[] = [];
  let scanned = 0;
  for (;;) {
    const page = await executor.listRuns({
      ...filter,
      limit: PAGE,
      ...(position.page === undefined ? {} : { cursor: position.page }),
    });
    const rows = page.runs.slice(position.skip);
    for (const [i, run] of rows.entries()) {
      scanned += 1;
      if (matches(run)) found.push(run);
      const read = position.skip + i + 1;
      if (found.length === limit) {
        const more = read < page.runs.length || page.next !== undefined;
        return {
          runs: found,
          partial: false,
          ...(more ? { next: encodeSearchCursor({ ...position, skip: read }) } : {}),
        };
      }
      if (scanned >= MAX_SCANNED) {
        const next =
          read < page.runs.length ? { ...position, skip: read } : page.next ? { page: page.next, skip: 0 } : undefined;
        return { runs: found, partial: next !== undefined, ...(next ? { next: encodeSearchCursor(next) } : {}) };
      }
    }
    if (page.next === undefined) return { runs: found, partial: false };
    position = { page: page.next, skip: 0 };
  }
}

async function findExact(
  executor: Executor,
  executionId: string,
  filter: Omit<ListRunsOptions, "cursor" | "limit">,
): Promise<RunSummary | undefined> {
  let detail;
  try {
    detail = await executor.inspect(executionId);
  } catch {
    return undefined;
  }
  if (filter.status !== undefined && detail.status !== filter.status) return undefined;
  if (filter.workflow !== undefined && detail.workflow !== filter.workflow) return undefined;
  if (filter.parent !== undefined && detail.parent?.executionId !== filter.parent) return undefined;
  return {
    runId: detail.executionId,
    workflowName: detail.workflow,
    workflowVersion: detail.workflowVersion,
    status: detail.status,
    parentRunId: detail.parent?.executionId ?? null,
    createdAt: detail.createdAt.getTime(),
    finishedAt: detail.finishedAt?.getTime() ?? null,
  };
}

function encodeSearchCursor(cursor: SearchCursor): string {
  return "s." + Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeSearchCursor(cursor: string | undefined): SearchCursor {
  if (cursor === undefined) return { skip: 0 };
  try {
    if (cursor.startsWith("s.")) {
      const parsed = JSON.parse(Buffer.from(cursor.slice(2), "base64url").toString("utf8")) as SearchCursor;
      if (
        (parsed.page === undefined || typeof parsed.page === "string") &&
        Number.isInteger(parsed.skip) &&
        parsed.skip >= 0
      ) {
        return parsed.page === undefined ? { skip: parsed.skip } : { page: parsed.page, skip: parsed.skip };
      }
    }
  } catch {
    // falls through to the error below
  }
  throw new ValidationError(
    "INVALID_LIST_OPTIONS",
    "Invalid cursor: pass the `next` value of a previous page of the same search.",
  );
}
