/** `cloacina show <id>`: one run as an operator sees it (`executor.inspect`). */
import type { RunDetail, TaskDetail } from "@cloacina/engine";
import type { Command } from "commander";
import pc from "picocolors";
import { colorStatus, formatDuration, formatTime, print, table, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";
import { instancesLine, instancesSection } from "./show-instances.js";

/** Child runs listed; `cloacina runs --parent <id>` lists them all. */
const LISTED_CHILDREN = 20;

export function registerShow(program: Command): void {
  program
    .command("show")
    .description("show a run: its tasks, attempts, errors and contexts")
    .argument("<id>", "the run's execution id")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (id: string, flags: { db: string; json?: boolean }) => {
      const detail = await withAdminExecutor(flags.db, (executor) => executor.inspect(id));
      print(flags.json ? toJson(detail) : describe(detail));
    });
}

function describe(run: RunDetail): string {
  const took = run.finishedAt ? ` (${formatDuration(run.finishedAt.getTime() - run.createdAt.getTime())})` : "";
  const lines = [
    `${pc.bold(`run ${run.executionId}`)}  ${run.workflow} ${pc.dim(`version ${run.workflowVersion.slice(0, 12)}`)}`,
    `status    ${colorStatus(run.status)}${run.cancelRequested && run.status === "Running" ? pc.dim(" (cancel requested)") : ""}`,
    ...(run.parent ? [`parent    ${parentText(run.parent)}`] : []),
    `created   ${formatTime(run.createdAt)}`,
    `finished  ${formatTime(run.finishedAt)}${took}`,
    `input     ${toJson(run.input, 0)}`,
  ];
  if (run.error) lines.push(`error     ${pc.red(run.error.message)}`);
  // Only runs with maps or child workflows get the column, so other tables read as before.
  const shaped = run.tasks.some((t) => t.instances || t.childRunId !== undefined);
  lines.push(
    "",
    table(
      ["TASK", "STATUS", "ATTEMPTS", "DURATION", "DEPENDS ON", ...(shaped ? ["RUNS"] : [])],
      run.tasks.map((t) => [
        t.id,
        colorStatus(t.status),
        `${t.attempts}/${t.maxAttempts}${t.recoveries > 0 ? ` (+${t.recoveries} recovered)` : ""}`,
        t.durationMs === undefined ? "-" : formatDuration(t.durationMs),
        t.dependsOn.join(", ") || "-",
        ...(shaped ? [runsText(t)] : []),
      ]),
    ),
  );
  for (const task of run.tasks)
    if (task.instances) lines.push(...instancesSection(run.executionId, { ...task, instances: task.instances }));
  for (const task of run.tasks) lines.push(...problems(task));
  if (run.children.length > 0) lines.push(...childrenSection(run));
  return lines.join("\n");
}

/** `5b1f… (task fan, instance 3)`. */
function parentText(parent: NonNullable<RunDetail["parent"]>): string {
  const instance = parent.instance === undefined ? "" : `, instance ${parent.instance}`;
  return `${parent.executionId} ${pc.dim(`(task ${parent.taskId}${instance})`)}`;
}

/** What a task ran besides itself: its instances, or its child run. */
function runsText(task: TaskDetail): string {
  if (task.instances) return instancesLine(task.instances);
  if (task.childRunId !== undefined) return `child run ${task.childRunId}`;
  return "-";
}

function childrenSection(run: RunDetail): string[] {
  const shown = run.children.slice(0, LISTED_CHILDREN);
  const lines = ["", pc.bold(`child runs (${run.children.length}${run.moreChildren ? "+" : ""})`)];
  const rows = shown.map((c) => [c.executionId, c.workflow, colorStatus(c.status)]);
  lines.push(
    ...table(["EXECUTION ID", "WORKFLOW", "STATUS"], rows)
      .split("\n")
      .map((line) => `  ${line}`),
  );
  const left = run.children.length - shown.length;
  if (left > 0 || run.moreChildren) {
    const more = run.moreChildren ? `${left}+` : `${left}`;
    lines.push(pc.dim(`  … ${more} more: cloacina runs --parent ${run.executionId}`));
  }
  return lines;
}

/** A task's error and its failed attempts, for tasks that have any. */
function problems(task: TaskDetail): string[] {
  if (!task.error && task.failedAttempts.length === 0) return [];
  const lines = [
    "",
    `${pc.bold(task.id)} ${colorStatus(task.status)}${task.error ? `: ${pc.red(task.error.message)}` : ""}`,
  ];
  for (const a of task.failedAttempts) {
    const code = a.error.code ? ` [${a.error.code}]` : "";
    lines.push(
      `  attempt ${a.attempt} ${a.status} at ${formatTime(a.finishedAt)}: ${a.error.name}${code}: ${a.error.message}`,
    );
  }
  return lines;
}
