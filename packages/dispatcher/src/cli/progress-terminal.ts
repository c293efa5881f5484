/** The live view on a terminal: a task list redrawn in place (log-update), a spinner on running tasks. */
import type { TaskStatus } from "@cloacina/engine";
import { createLogUpdate } from "log-update";
import pc from "picocolors";
import { colorStatus, formatDuration } from "./format.js";
import { instanceSummary, progressBar } from "./instance-progress.js";
import type { ProgressView } from "./progress.js";
import type { RunProgress, TaskRow } from "./progress-state.js";

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class TerminalView implements ProgressView {
  readonly #log: ReturnType<typeof createLogUpdate>;
  readonly #timer: NodeJS.Timeout;
  #frame = 0;

  constructor(
    readonly progress: RunProgress,
    out: NodeJS.WriteStream,
  ) {
    this.#log = createLogUpdate(out, { showCursor: false });
    this.#timer = setInterval(() => this.#draw(), 80);
    this.#timer.unref();
    this.#draw();
  }

  update(): void {
    this.#draw();
  }

  finish(): void {
    clearInterval(this.#timer);
    this.#draw();
    this.#log.done();
  }

  #draw(): void {
    this.#frame = (this.#frame + 1) % SPINNER.length;
    const p = this.progress;
    const elapsed = formatDuration((p.finishedAt ?? Date.now()) - p.startedAt);
    const width = Math.max(...[...p.tasks.keys()].map((id) => id.length));
    const lines = [`${pc.bold(p.workflow.name)} ${pc.dim(p.executionId)}  ${colorStatus(p.status)}  ${elapsed}`];
    for (const row of p.tasks.values())
      lines.push(`  ${this.#glyph(row)} ${row.id.padEnd(width)}  ${this.#detail(row)}`);
    this.#log(lines.join("\n"));
  }

  #glyph(row: TaskRow): string {
    if (row.status === "Running") return pc.yellow(SPINNER[this.#frame] ?? "*");
    return GLYPHS[row.status];
  }

  #detail(row: TaskRow): string {
    const parts = [colorStatus(row.status)];
    if (row.instances) {
      const bar = progressBar(row.instances);
      const running = row.instances.count("Running");
      parts.push(`${bar} ${instanceSummary(row.instances)}${running > 0 ? pc.dim(`, ${running} running`) : ""}`);
    }
    if (row.maxAttempts > 1 && row.attempt > 0 && !row.instances) {
      parts.push(pc.dim(`attempt ${row.attempt}/${row.maxAttempts}`));
    }
    if (
      row.startedAt !== undefined &&
      row.status !== "Skipped" &&
      (row.status === "Running" || row.status === "Waiting" || row.finishedAt !== undefined)
    ) {
      const end = row.status === "Running" || row.status === "Waiting" ? Date.now() : row.finishedAt!;
      parts.push(pc.dim(formatDuration(end - row.startedAt)));
    }
    if (row.retryAt !== undefined) parts.push(pc.dim(`retry in ${formatDuration(row.retryAt - Date.now())}`));
    if (row.waiting !== undefined) {
      const text = waitingText(row.waiting, row.childRunId);
      if (text) parts.push(pc.cyan(text));
    } else if (row.childRunId !== undefined) {
      parts.push(pc.dim(`child run ${row.childRunId}`));
    }
    if (row.error && row.status !== "Completed") parts.push(pc.red(row.error.message.split("\n")[0] ?? ""));
    return parts.join("  ");
  }
}

/** What a waiting row waits for; nothing for a map (its bar says it). */
function waitingText(waiting: NonNullable<TaskRow["waiting"]>, childRunId: string | undefined): string | undefined {
  const until = waiting.until === undefined ? "" : ` · in ${formatDuration(waiting.until - Date.now())}`;
  switch (waiting.for) {
    case "map":
      return undefined;
    case "child":
      return `waiting for child run ${childRunId ?? "?"}`;
    case "signal":
      return `waiting for a signal${until}`;
    case "again":
      return `called again${until}`;
    case "sleep":
      return `sleeping${until}`;
  }
}

const GLYPHS: Record<TaskStatus, string> = {
  Pending: pc.dim("○"),
  Ready: pc.yellow("…"),
  Running: pc.yellow("⠋"),
  Waiting: pc.cyan("◷"),
  Completed: pc.green("✔"),
  Failed: pc.red("✖"),
  Skipped: pc.dim("↷"),
  Cancelled: pc.dim("⊘"),
};
