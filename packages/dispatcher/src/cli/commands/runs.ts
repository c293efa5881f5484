/** `cloacina runs`: stored runs, newest first, filtered and paged (`executor.listRuns`). */
import type { RunStatus, RunSummary } from "@cloacina/engine";
import type { Command } from "commander";
import pc from "picocolors";
import { colorStatus, formatDuration, formatTime, print, table, toJson } from "../format.js";
import { dbOption, integer, jsonOption, runStatus } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

const DEFAULT_LIMIT = 50;

interface RunsFlags {
  db: string;
  status?: RunStatus;
  workflow?: string;
  parent?: string;
  limit: number;
  cursor?: string;
  json?: boolean;
}

export function registerRuns(program: Command): void {
  program
    .command("runs")
    .description("list stored runs, newest first")
    .addOption(dbOption())
    .option("--status <status>", "only runs with this status: Running, Completed, Failed or Cancelled", runStatus)
    .option("--workflow <name>", "only runs of this workflow")
    .option("--parent <id>", "only the child runs that run's tasks started")
    .option("--limit <n>", "runs per page (1-1000)", integer(1, 1000), DEFAULT_LIMIT)
    .option("--cursor <cursor>", "the next page: the cursor a previous page printed")
    .addOption(jsonOption())
    .action(async (flags: RunsFlags) => {
      const page = await withAdminExecutor(flags.db, (executor) =>
        executor.listRuns({
          limit: flags.limit,
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.workflow ? { workflow: flags.workflow } : {}),
          ...(flags.parent ? { parent: flags.parent } : {}),
          ...(flags.cursor ? { cursor: flags.cursor } : {}),
        }),
      );
      if (flags.json) {
        print(toJson({ runs: page.runs.map(runJson), ...(page.next ? { next: page.next } : {}) }));
        return;
      }
      if (page.runs.length === 0) {
        print(flags.cursor ? "no more runs" : "no runs");
        return;
      }
      // A page without child runs keeps the usual columns.
      const children = page.runs.some((run) => run.parentRunId !== null);
      print(
        table(
          ["EXECUTION ID", "WORKFLOW", "STATUS", "CREATED", "DURATION", ...(children ? ["PARENT"] : [])],
          page.runs.map((run) => [
            run.runId,
            run.workflowName,
            colorStatus(run.status),
            formatTime(run.createdAt),
            run.finishedAt === null ? "-" : formatDuration(run.finishedAt - run.createdAt),
            ...(children ? [run.parentRunId === null ? "-" : `↳ child of ${run.parentRunId.slice(0, 8)}`] : []),
          ]),
        ),
      );
      if (page.next) print(pc.dim(`more: cloacina runs ${pageFlags(flags)}--cursor ${page.next}`));
    });
}

function runJson(run: RunSummary) {
  return {
    executionId: run.runId,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status: run.status,
    parentRunId: run.parentRunId,
    createdAt: new Date(run.createdAt),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt),
  };
}

/** The flags a next page repeats: a cursor is a position, valid only with the same filters. */
function pageFlags(flags: RunsFlags): string {
  const shell = (value: string) => (/^[\w.:@/-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);
  const parts: string[] = [];
  if (flags.status) parts.push(`--status ${flags.status}`);
  if (flags.workflow) parts.push(`--workflow ${shell(flags.workflow)}`);
  if (flags.parent) parts.push(`--parent ${shell(flags.parent)}`);
  if (flags.limit !== DEFAULT_LIMIT) parts.push(`--limit ${flags.limit}`);
  return parts.map((p) => `${p} `).join("");
}
