/** `cloacina show <id>`: one run as an operator sees it (`executor.inspect`). */
import type { RunDetail, TaskDetail } from "@cloacina/engine";
import type { Command } from "commander";
import pc from "picocolors";
import { colorStatus, formatDuration, formatTime, print, table, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

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
    `created   ${formatTime(run.createdAt)}`,
    `finished  ${formatTime(run.finishedAt)}${took}`,
    `input     ${toJson(run.input, 0)}`,
  ];
  if (run.error) lines.push(`error     ${pc.red(run.error.message)}`);
  lines.push(
    "",
    table(
      ["TASK", "STATUS", "ATTEMPTS", "DURATION", "DEPENDS ON"],
      run.tasks.map((t) => [
        t.id,
        colorStatus(t.status),
        `${t.attempts}/${t.maxAttempts}${t.recoveries > 0 ? ` (+${t.recoveries} recovered)` : ""}`,
        t.durationMs === undefined ? "-" : formatDuration(t.durationMs),
        t.dependsOn.join(", ") || "-",
      ]),
    ),
  );
  for (const task of run.tasks) lines.push(...problems(task));
  return lines.join("\n");
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
