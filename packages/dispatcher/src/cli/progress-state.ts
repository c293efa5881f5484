/**
 * The state behind the live progress view: one row per task of a run, updated by each event.
 * Pure, so both views (terminal and plain lines) share it.
 */
import type {
  ExecutorEvent,
  RunDetail,
  RunResult,
  RunStatus,
  StoredError,
  TaskEventType,
  TaskStatus,
  WaitKind,
  Workflow,
} from "@cloacina/engine";
import { InstanceProgress } from "./instance-progress.js";

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
  /**
   * A mapped task, once expanded: its instances' progress. Instance events update only this,
   * never the row's own status (the task waits until its instances end).
   */
  instances?: InstanceProgress;
  /** A child workflow task: the child run it started (kept after it ends). */
  childRunId?: string;
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
    if (event.instance !== undefined) {
      row.instances ??= new InstanceProgress(0);
      row.instances.set(event.instance, STATUS_AFTER[event.type]);
      return row;
    }
    // A task woken from a wait (its sleep, its instances, its child run) goes on with the same attempt.
    if (event.type === "task.started" && (event.attempt !== row.attempt || row.startedAt === undefined)) {
      row.startedAt = at;
    }
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
        if (event.waitingFor === "map") {
          row.instances ??= new InstanceProgress(0);
          row.instances.total = event.instances ?? 0;
        }
        if (event.childRunId !== undefined) row.childRunId = event.childRunId;
        break;
      case "task.completed":
      case "task.failed":
      case "task.skipped":
      case "task.cancelled":
        row.status = STATUS_AFTER[event.type];
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

  /** Instances and child runs as stored: the counts end right even if the stream missed events. */
  settleDetail(detail: RunDetail): void {
    for (const task of detail.tasks) {
      const row = this.tasks.get(task.id);
      if (!row) continue;
      if (task.instances) (row.instances ??= new InstanceProgress(0)).settle(task.instances);
      if (task.childRunId !== undefined) row.childRunId = task.childRunId;
    }
  }
}

/** The status a task event leaves its task (or instance) in. */
const STATUS_AFTER = {
  "task.ready": "Ready",
  "task.started": "Running",
  "task.retrying": "Ready",
  "task.waiting": "Waiting",
  "task.completed": "Completed",
  "task.failed": "Failed",
  "task.skipped": "Skipped",
  "task.cancelled": "Cancelled",
} as const satisfies Record<TaskEventType, TaskStatus>;
