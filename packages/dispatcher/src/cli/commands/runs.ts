/** `cloacina runs`: stored runs, newest first, filtered and paged (`executor.listRuns`). */
import type { RunStatus, RunSummary } from "@cloacina/engine";
import type { Command } from "commander";
import pc from "picocolors";
import { colorStatus, formatDuration, formatTime, print, table, toJson } from "../format.js";
import { dbOption, integer, jsonOption, runStatus } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

interface RunsFlags {
  db: string;
  status?: RunStatus;
  workflow?: string;
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
    .option("--limit <n>", "runs per page (1-1000)", integer(1, 1000), 50)
    .option("--cursor <cursor>", "the next page: the cursor a previous page printed")
    .addOption(jsonOption())
    .action(async (flags: RunsFlags) => {
      const page = await withAdminExecutor(flags.db, (executor) =>
        executor.listRuns({
          limit: flags.limit,
          ...(flags.status ? { status: flags.status } : {}),
          ...(flags.workflow ? { workflow: flags.workflow } : {}),
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
      print(
        table(
          ["EXECUTION ID", "WORKFLOW", "STATUS", "CREATED", "DURATION"],
          page.runs.map((run) => [
            run.runId,
            run.workflowName,
            colorStatus(run.status),
            formatTime(run.createdAt),
            run.finishedAt === null ? "-" : formatDuration(run.finishedAt - run.createdAt),
          ]),
        ),
      );
      if (page.next) print(pc.dim(`more: cloacina runs --cursor ${page.next}`));
    });
}

function runJson(run: RunSummary) {
  return {
    executionId: run.runId,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status: run.status,
    createdAt: new Date(run.createdAt),
    finishedAt: run.finishedAt === null ? null : new Date(run.finishedAt),
  };
}
