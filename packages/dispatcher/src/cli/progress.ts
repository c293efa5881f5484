/**
 * The live progress view of a run. On a terminal: a task list redrawn in place
 * (progress-terminal.ts). Otherwise (a pipe, a CI log): one plain line per change, so the output
 * reads well in a file; a mapped task prints its progress bar as its instances end rather than a
 * line per instance.
 */
import type { ExecutorEvent, WaitKind } from "@cloacina/engine";
import { formatDuration, print } from "./format.js";
import { instanceSummary, progressBar } from "./instance-progress.js";
import type { RunProgress, TaskRow } from "./progress-state.js";
import { TerminalView } from "./progress-terminal.js";

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
      if (event.waitingFor === "map") return `mapped over ${plural(event.instances ?? 0, "element")}`;
      if (event.waitingFor === "child") return `waiting for child run ${event.childRunId ?? "?"}`;
      const until = event.until ? ` until ${event.until.toISOString()}` : "";
      return `${waitText(event.waitingFor ?? "sleep")}${until}`;
    }
    case "task.completed":
      return "completed";
    case "task.failed":
      return `failed after ${plural(attempt, "attempt")}${reason}`;
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

function waitText(kind: WaitKind): string {
  if (kind === "signal") return "waiting for a signal";
  if (kind === "again") return "to be called again";
  return "sleeping";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Instance failures and retries printed per mapped task; past it only the counts show them. */
const LISTED_INSTANCE_PROBLEMS = 10;

class LineView implements ProgressView {
  /** Per mapped task: the tenth of its instances last printed, and the problems listed so far. */
  readonly #mapped = new Map<string, { tenth: number; problems: number }>();

  constructor(readonly progress: RunProgress) {
    print(`run ${progress.executionId} (${progress.workflow.name}): ${progress.tasks.size} tasks`);
  }

  update(event: ExecutorEvent, row: TaskRow | undefined): void {
    if (!row) return;
    if (event.instance !== undefined) return this.#updateInstance(event, event.instance, row);
    let text = describeTaskEvent(event, row.maxAttempts);
    if (text === undefined) return;
    if (event.type === "task.completed" && row.startedAt !== undefined && row.finishedAt !== undefined) {
      text += ` in ${formatDuration(row.finishedAt - row.startedAt)}`;
    }
    print(`  ${row.id}: ${text}`);
  }

  /** A failed or retrying instance gets its own line (up to a cap); the bar is printed every tenth. */
  #updateInstance(event: ExecutorEvent, index: number, row: TaskRow): void {
    const seen = this.#mapped.get(row.id) ?? { tenth: 0, problems: 0 };
    this.#mapped.set(row.id, seen);
    if ((event.type === "task.failed" || event.type === "task.retrying") && seen.problems < LISTED_INSTANCE_PROBLEMS) {
      seen.problems += 1;
      const last = seen.problems === LISTED_INSTANCE_PROBLEMS ? " (further instance failures are only counted)" : "";
      print(`  ${row.id}[${index}]: ${describeTaskEvent(event, row.maxAttempts)}${last}`);
    }
    const instances = row.instances;
    if (!instances || instances.total === 0) return;
    const tenth = Math.floor((instances.finished * 10) / instances.total);
    if (tenth === seen.tenth) return;
    seen.tenth = tenth;
    print(`  ${row.id}: ${progressBar(instances)} ${instanceSummary(instances)}`);
  }

  finish(): void {}
}
