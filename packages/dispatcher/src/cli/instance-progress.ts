/**
 * A mapped task's instances as the live view follows them: the latest status of each element,
 * with counts kept as statuses change (an instance that failed and is retried stops counting as
 * failed). Instances no event has mentioned yet count as pending.
 */
import type { TaskDetail, TaskStatus } from "@cloacina/engine";

export class InstanceProgress {
  readonly #statuses = new Map<number, TaskStatus>();
  readonly #counts = new Map<TaskStatus, number>();

  /** @param total how many instances the task was expanded into (its `task.waiting` event's `instances`). */
  constructor(public total: number) {}

  /** Records the status an instance's event gave it. */
  set(index: number, status: TaskStatus): void {
    const before = this.#statuses.get(index);
    if (before === status) return;
    if (before !== undefined) this.#counts.set(before, this.count(before) - 1);
    this.#counts.set(status, this.count(status) + 1);
    this.#statuses.set(index, status);
    // An event of an instance can only precede its task's expansion event if events were lost.
    if (index >= this.total) this.total = index + 1;
  }

  /** Replaces what events said with the stored instances (`executor.inspect`). */
  settle(stored: NonNullable<TaskDetail["instances"]>): void {
    this.total = stored.total;
    for (const instance of stored.list) this.set(instance.index, instance.status);
  }

  count(status: TaskStatus): number {
    return this.#counts.get(status) ?? 0;
  }

  get done(): number {
    return this.count("Completed");
  }

  get failed(): number {
    return this.count("Failed");
  }

  /** Instances that will not run again unless retried: completed, failed, skipped or cancelled. */
  get finished(): number {
    return this.done + this.failed + this.count("Skipped") + this.count("Cancelled");
  }
}

/** `6/10 done, 1 failed` (and how many were cancelled, when any were). */
export function instanceSummary(progress: InstanceProgress): string {
  const parts = [`${progress.done}/${progress.total} done`];
  if (progress.failed > 0) parts.push(`${progress.failed} failed`);
  const cancelled = progress.count("Cancelled") + progress.count("Skipped");
  if (cancelled > 0) parts.push(`${cancelled} cancelled`);
  return parts.join(", ");
}

/**
 * `[██████▒░░░]`: done cells, then failed (and cancelled) cells, then what is left. A finished
 * share that rounds to zero still shows one cell, so a started map never looks untouched.
 */
export function progressBar(progress: InstanceProgress, width = 10): string {
  const { total } = progress;
  if (total === 0) return `[${"█".repeat(width)}]`;
  const cells = (n: number) => (n === 0 ? 0 : Math.max(1, Math.floor((n * width) / total)));
  const done = Math.min(width, cells(progress.done));
  const stopped = Math.min(width - done, cells(progress.finished - progress.done));
  return `[${"█".repeat(done)}${"▒".repeat(stopped)}${"░".repeat(width - done - stopped)}]`;
}
