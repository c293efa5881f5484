/**
 * The state behind the live progress view: one row per task of a run, updated by each event.
 * Pure, so both views (terminal and plain lines) share it.
 */
import type {
  ExecutorEvent,
  RunResult,
  RunStatus,
  StoredError,
  TaskEventType,
  TaskStatus,
  WaitKind,
  Workflow,
} from "@cloacina/engine";

export interface TaskRow {
  id: string;
  status: TaskStatus;
  /** The attempt running or last run (0 before the first). */
  attempt: number;
  maxAttempts: number;
  /** When its current or last attempt started (ms). */
  startedAt?: number;
  finishedAt?: number;
  /** Set while a retry waits. */
  retryAt?: number;
  /** Set while the task waits without a worker: what for, and until when (none: a signal). */
  waiting?: { for: WaitKind; until?: number };
  error?: StoredError | { message: string };
}

export class RunProgress {
  readonly tasks = new Map<string, TaskRow>();
  status: RunStatus = "Running";
  readonly startedAt = Date.now();
  finishedAt: number | undefined;

  constructor(
    readonly workflow: Workflow,
    readonly executionId: string,
  ) {
    for (const id of workflow.order) {
      const maxAttempts = workflow.tasks.get(id)?.retry.maxAttempts ?? 1;
      this.tasks.set(id, { id, status: "Pending", attempt: 0, maxAttempts });
    }
  }

  /** Applies one event; returns the task row it changed, if any. */
  apply(event: ExecutorEvent): TaskRow | undefined {
    const at = event.at.getTime();
    switch (event.type) {
      case "run.started":
      case "run.retried":
        this.status = "Running";
        this.finishedAt = undefined;
        return undefined;
      case "run.completed":
        return this.#finish("Completed", at);
      case "run.failed":
        return this.#finish("Failed", at);
      case "run.cancelled":
        return this.#finish("Cancelled", at);
      case "task.ready":
      case "task.started":
      case "task.retrying":
      case "task.waiting":
      case "task.completed":
      case "task.failed":
      case "task.skipped":
      case "task.cancelled":
        return this.#applyTask(event as ExecutorEvent & { type: TaskEventType }, at);
    }
  }

  #finish(status: RunStatus, at: number): undefined {
    this.status = status;
    this.finishedAt = at;
    return undefined;
  }

  #applyTask(event: ExecutorEvent & { type: TaskEventType }, at: number): TaskRow | undefined {
    const row = event.taskId === undefined ? undefined : this.tasks.get(event.taskId);
    if (!row) return undefined;
    if (event.attempt !== undefined) row.attempt = event.attempt;
    if (event.error) row.error = event.error;
    delete row.retryAt;
    delete row.waiting;
    switch (event.type) {
      case "task.ready":
        row.status = "Ready";
        break;
      case "task.started":
        row.status = "Running";
        row.startedAt = at;
        delete row.error;
        break;
      case "task.retrying":
        row.status = "Ready";
        if (event.retryAt) row.retryAt = event.retryAt.getTime();
        break;
      case "task.waiting":
        row.status = "Waiting";
        row.waiting = {
          for: event.waitingFor ?? "sleep",
          ...(event.until === undefined ? {} : { until: event.until.getTime() }),
        };
        break;
      case "task.completed":
      case "task.failed":
      case "task.skipped":
      case "task.cancelled":
        row.status = FINAL_STATUS[event.type];
        row.finishedAt = at;
        break;
    }
    return row;
  }

  /** The stored result is the truth: rows end as it says, whatever events were seen. */
  settle(result: RunResult): void {
    this.status = result.status;
    this.finishedAt ??= Date.now();
    for (const task of result.tasks) {
      const row = this.tasks.get(task.id);
      if (!row) continue;
      row.status = task.status;
      row.attempt = Math.max(row.attempt, task.attempts);
      if (task.startedAt) row.startedAt ??= task.startedAt.getTime();
      if (task.finishedAt) row.finishedAt = task.finishedAt.getTime();
      if (task.error) row.error = { message: task.error.message };
      delete row.retryAt;
      delete row.waiting;
    }
  }
}

const FINAL_STATUS = {
  "task.completed": "Completed",
  "task.failed": "Failed",
  "task.skipped": "Skipped",
  "task.cancelled": "Cancelled",
} as const satisfies Record<string, TaskStatus>;
