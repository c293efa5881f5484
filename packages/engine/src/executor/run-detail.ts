/**
 * A run as an operator sees it (the CLI's `show`, the dashboard's run page): every task with its
 * dependencies, attempts, errors and decoded contexts.
 */
import type { WaitKind } from "../events/event.js";
import { parseInstanceId } from "../map/specs.js";
import { decodeContext } from "../marshal/marshal.js";
import type { AttemptRecord, RunRecord, RunSummary, TaskRecord } from "../store/records.js";
import type { Context, RunStatus, StoredError, TaskStatus } from "../types.js";

export interface AttemptDetail {
  attempt: number;
  status: "Failed" | "Cancelled";
  error: StoredError;
  finishedAt: Date;
}

export interface TaskDetail {
  id: string;
  status: TaskStatus;
  /** The task's dependencies in the run's workflow version (empty for a root). */
  dependsOn: string[];
  /** Attempts started so far. */
  attempts: number;
  maxAttempts: number;
  /** Times it was put back to Ready after its worker vanished. */
  recoveries: number;
  startedAt?: Date;
  finishedAt?: Date;
  /** From the first attempt's start to the task's end. */
  durationMs?: number;
  /** The output patch it returned (Completed tasks), decoded. */
  output?: Context;
  /** The last attempt's error (Failed, Cancelled, or a Ready task waiting to retry). */
  error?: StoredError;
  /** Attempts that did not complete it, oldest first. */
  failedAttempts: AttemptDetail[];
  /** While Waiting: what for (its sleep, a signal, its next call) and until when (absent: a signal). */
  waiting?: { for: WaitKind; until?: Date };
  /** How many times it waited (slept, waited for a signal, or asked to be called again). */
  calls: number;
  /** A child workflow task: the child run it started (the latest, after retries). */
  childRunId?: string;
  /** A mapped task that expanded: its instances' counts, and each instance in element order. */
  instances?: InstancesDetail;
}

/** A mapped task's instances. */
export interface InstancesDetail {
  total: number;
  /** How many are in each status (only statuses some instance has). */
  counts: Partial<Record<TaskStatus, number>>;
  list: InstanceDetail[];
}

export interface InstanceDetail {
  index: number;
  status: TaskStatus;
  attempts: number;
  durationMs?: number;
  /** The last attempt's error (Failed, or Ready to retry). */
  error?: StoredError;
  /** Mapped child workflows: the child run of this element. */
  childRunId?: string;
}

/** A run started by another run's task, as its parent lists it. */
export interface ChildRunDetail {
  executionId: string;
  workflow: string;
  status: RunStatus;
}

export interface RunDetail {
  executionId: string;
  workflow: string;
  workflowVersion: string;
  status: RunStatus;
  cancelRequested: boolean;
  createdAt: Date;
  finishedAt?: Date;
  /** The input context, decoded. */
  input: Context;
  /** The run-level error (a workflow version mismatch), when no task's failure says it. */
  error?: StoredError;
  /** Tasks in the workflow's topological order. */
  tasks: TaskDetail[];
  /** A child run: the run and task that started it (`instance`: the element, for a mapped task). */
  parent?: { executionId: string; taskId: string; instance?: number };
  /** The runs this run's tasks started (child workflows), newest first: the first 1,000. */
  children: ChildRunDetail[];
  /** Set when it has more children than listed (`listRuns({ parent })` pages through all). */
  moreChildren?: true;
}

export function buildRunDetail(
  run: RunRecord,
  tasks: readonly TaskRecord[],
  attempts: readonly AttemptRecord[],
  dependencies: ReadonlyMap<string, readonly string[]>,
  children: readonly RunSummary[] = [],
): RunDetail {
  const instancesOf = new Map<string, TaskRecord[]>();
  for (const task of tasks) {
    if (!task.instance) continue;
    const list = instancesOf.get(task.instance.of) ?? [];
    list.push(task);
    instancesOf.set(task.instance.of, list);
  }
  const detail: RunDetail = {
    executionId: run.runId,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status: run.status,
    cancelRequested: run.cancelRequested,
    createdAt: new Date(run.createdAt),
    input: decodeContext(run.input),
    children: children.map((c) => ({ executionId: c.runId, workflow: c.workflowName, status: c.status })),
    tasks: tasks.flatMap((task) => {
      if (task.instance) return [];
      const t: TaskDetail = {
        id: task.taskId,
        status: task.status,
        dependsOn: [...(dependencies.get(task.taskId) ?? [])],
        attempts: task.attempt,
        maxAttempts: task.maxAttempts,
        recoveries: task.recoveries,
        calls: task.calls,
        failedAttempts: attempts
          .filter((a) => a.taskId === task.taskId)
          .sort((a, b) => a.attempt - b.attempt)
          .map((a) => ({ attempt: a.attempt, status: a.status, error: a.error, finishedAt: new Date(a.finishedAt) })),
      };
      if (task.startedAt !== null) t.startedAt = new Date(task.startedAt);
      if (task.finishedAt !== null) t.finishedAt = new Date(task.finishedAt);
      if (task.startedAt !== null && task.finishedAt !== null) t.durationMs = task.finishedAt - task.startedAt;
      if (task.status === "Completed" && task.output !== null) t.output = decodeContext(task.output);
      if (task.error && task.status !== "Completed") t.error = task.error;
      if (task.waiting) {
        t.waiting = {
          for: task.waiting.for,
          ...(task.waiting.until === null ? {} : { until: new Date(task.waiting.until) }),
        };
      }
      if (task.childRunId !== null) t.childRunId = task.childRunId;
      const instances = instancesOf.get(task.taskId);
      if (instances) t.instances = instancesDetail(instances);
      return [t];
    }),
  };
  const parent = run.parent && parseParent(run.parent);
  if (parent) detail.parent = parent;
  if (run.finishedAt !== null) detail.finishedAt = new Date(run.finishedAt);
  if (run.error) detail.error = run.error;
  return detail;
}

function instancesDetail(rows: readonly TaskRecord[]): InstancesDetail {
  const counts: Partial<Record<TaskStatus, number>> = {};
  const list = rows.map((row): InstanceDetail => {
    counts[row.status] = (counts[row.status] ?? 0) + 1;
    const instance: InstanceDetail = { index: row.instance!.index, status: row.status, attempts: row.attempt };
    if (row.startedAt !== null && row.finishedAt !== null) instance.durationMs = row.finishedAt - row.startedAt;
    if (row.error && row.status !== "Completed") instance.error = row.error;
    if (row.childRunId !== null) instance.childRunId = row.childRunId;
    return instance;
  });
  return { total: rows.length, counts, list };
}

function parseParent(parent: { runId: string; taskId: string }): RunDetail["parent"] {
  const instance = parseInstanceId(parent.taskId);
  return instance
    ? { executionId: parent.runId, taskId: instance.taskId, instance: instance.index }
    : { executionId: parent.runId, taskId: parent.taskId };
}
