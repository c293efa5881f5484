/**
 * The live progress view of a run. On a terminal: a task list redrawn in place (log-update) as
 * events arrive, with a spinner on running tasks. Otherwise (a pipe, a CI log): one plain line
 * per change, so the output reads well in a file.
 */
import type { ExecutorEvent, TaskStatus } from "@cloacina/engine";
import { createLogUpdate } from "log-update";
import pc from "picocolors";
import { colorStatus, formatDuration, print } from "./format.js";
import type { RunProgress, TaskRow } from "./progress-state.js";

export interface ProgressView {
  /** Shows the change an event made (already applied to the state). */
  update(event: ExecutorEvent, row: TaskRow | undefined): void;
  /** Shows the final state and stops redrawing. */
  finish(): void;
}

/**
 * The terminal view when stdout is a terminal with a known size that fits the task list (a
 * redrawn list taller than the screen would scroll away), else plain lines.
 */
export function progressView(progress: RunProgress, out: NodeJS.WriteStream = process.stdout): ProgressView {
  const fits = (out.rows ?? 0) > progress.tasks.size + 1 && (out.columns ?? 0) >= 40;
  return out.isTTY === true && fits ? new TerminalView(progress, out) : new LineView(progress);
}

/** What happened to a task, in words: `completed in 12ms`, `failed after 3 attempts: boom`. */
export function describeTaskEvent(event: ExecutorEvent, maxAttempts = 1): string | undefined {
  const attempt = event.attempt ?? 0;
  const of = maxAttempts > 1 ? `${attempt}/${maxAttempts}` : `${attempt}`;
  const reason = event.error ? `: ${event.error.message}` : "";
  switch (event.type) {
    case "task.ready":
      return event.recovered ? "ready again (its worker vanished)" : undefined;
    case "task.started":
      return `started (attempt ${of})`;
    case "task.retrying": {
      const wait = event.retryAt ? `; retrying in ${formatDuration(event.retryAt.getTime() - Date.now())}` : "";
      return `attempt ${of} failed${reason}${wait}`;
    }
    case "task.waiting": {
      const what =
        event.waitingFor === "signal"
          ? "waiting for a signal"
          : event.waitingFor === "again"
            ? "to be called again"
            : "sleeping";
      const until = event.until ? ` until ${event.until.toISOString()}` : "";
      return `${what}${until}`;
    }
    case "task.completed":
      return "completed";
    case "task.failed":
      return `failed after ${attempt} attempt${attempt === 1 ? "" : "s"}${reason}`;
    case "task.skipped":
      return "skipped";
    case "task.cancelled":
      return "cancelled";
    case "run.started":
    case "run.retried":
    case "run.completed":
    case "run.failed":
    case "run.cancelled":
      return undefined;
  }
}

class LineView implements ProgressView {
  constructor(readonly progress: RunProgress) {
    print(`run ${progress.executionId} (${progress.workflow.name}): ${progress.tasks.size} tasks`);
  }

  update(event: ExecutorEvent, row: TaskRow | undefined): void {
    if (!row) return;
    let text = describeTaskEvent(event, row.maxAttempts);
    if (text === undefined) return;
    if (event.type === "task.completed" && row.startedAt !== undefined && row.finishedAt !== undefined) {
      text += ` in ${formatDuration(row.finishedAt - row.startedAt)}`;
    }
    print(`  ${row.id}: ${text}`);
  }

  finish(): void {}
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

class TerminalView implements ProgressView {
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
    if (row.maxAttempts > 1 && row.attempt > 0) parts.push(pc.dim(`attempt ${row.attempt}/${row.maxAttempts}`));
    if (
      row.startedAt !== undefined &&
      row.status !== "Skipped" &&
      (row.status === "Running" || row.finishedAt !== undefined)
    ) {
      parts.push(pc.dim(formatDuration((row.status === "Running" ? Date.now() : row.finishedAt!) - row.startedAt)));
    }
    if (row.retryAt !== undefined) parts.push(pc.dim(`retry in ${formatDuration(row.retryAt - Date.now())}`));
    if (row.waiting !== undefined) {
      const what =
        row.waiting.for === "signal"
          ? "waiting for a signal"
          : row.waiting.for === "again"
            ? "called again"
            : "sleeping";
      const until = row.waiting.until === undefined ? "" : ` · in ${formatDuration(row.waiting.until - Date.now())}`;
      parts.push(pc.cyan(`${what}${until}`));
    }
    if (row.error && row.status !== "Completed") parts.push(pc.red(row.error.message.split("\n")[0] ?? ""));
    return parts.join("  ");
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
