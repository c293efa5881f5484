/**
 * The JSON the page gets for runs: times as ISO strings, contexts in their display form (see
 * display.ts), and the DAG's layout.
 */
import type { Context, Executor, RunDetail, StoredError, TaskDetail, WaitKind } from "@cloacina/engine";
import { type DisplayValue, toDisplay } from "./display.js";
import { childrenView, type InstancesView, instancesView } from "./instances-view.js";
import { type DagLayout, layoutDag } from "./layout.js";

/** One row of `executor.listRuns()`. */
type RunSummary = Awaited<ReturnType<Executor["listRuns"]>>["runs"][number];

export interface RunSummaryView {
  executionId: string;
  workflow: string;
  workflowVersion: string;
  status: RunSummary["status"];
  createdAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** A child run: the run whose task started it. */
  parentRunId?: string;
}

export interface TaskView {
  id: string;
  status: TaskDetail["status"];
  dependsOn: string[];
  attempts: number;
  maxAttempts: number;
  recoveries: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  output?: DisplayValue;
  error?: StoredError;
  failedAttempts: { attempt: number; status: string; error: StoredError; finishedAt: string }[];
  /** While Waiting: what for, and until when (a sleep's wake time, a signal's timeout). */
  waiting?: { for: WaitKind; until?: string };
  /** A child workflow task: the child run it started. */
  childRunId?: string;
  /** A mapped task that expanded: its counts and some of its instances. */
  instances?: InstancesView;
}

export interface RunView {
  executionId: string;
  workflow: string;
  workflowVersion: string;
  status: RunDetail["status"];
  cancelRequested: boolean;
  createdAt: string;
  finishedAt?: string;
  durationMs?: number;
  input: DisplayValue;
  error?: StoredError;
  tasks: TaskView[];
  /** A child run: the run, task and element (a mapped task's) that started it. */
  parent?: RunDetail["parent"];
  /** The child runs its tasks started, newest first, the first of them. */
  children: RunDetail["children"];
  /** How many child runs it has (inspect lists up to 1000). */
  childCount: number;
}

export function summaryView(run: RunSummary): RunSummaryView {
  const view: RunSummaryView = {
    executionId: run.runId,
    workflow: run.workflowName,
    workflowVersion: run.workflowVersion,
    status: run.status,
    createdAt: new Date(run.createdAt).toISOString(),
  };
  if (run.parentRunId !== null) view.parentRunId = run.parentRunId;
  if (run.finishedAt !== null) {
    view.finishedAt = new Date(run.finishedAt).toISOString();
    view.durationMs = run.finishedAt - run.createdAt;
  }
  return view;
}

export function runView(detail: RunDetail): { run: RunView; layout: DagLayout } {
  const run: RunView = {
    executionId: detail.executionId,
    workflow: detail.workflow,
    workflowVersion: detail.workflowVersion,
    status: detail.status,
    cancelRequested: detail.cancelRequested,
    createdAt: detail.createdAt.toISOString(),
    input: toDisplay(detail.input),
    tasks: detail.tasks.map(taskView),
    ...childrenView(detail),
  };
  if (detail.parent) run.parent = detail.parent;
  if (detail.finishedAt) {
    run.finishedAt = detail.finishedAt.toISOString();
    run.durationMs = detail.finishedAt.getTime() - detail.createdAt.getTime();
  }
  if (detail.error) run.error = detail.error;
  const boxes = detail.tasks.map((t) => ({
    id: t.id,
    dependsOn: t.dependsOn,
    wide: t.instances !== undefined || t.childRunId !== undefined,
  }));
  return { run, layout: layoutDag(boxes) };
}

function taskView(task: TaskDetail): TaskView {
  const view: TaskView = {
    id: task.id,
    status: task.status,
    dependsOn: task.dependsOn,
    attempts: task.attempts,
    maxAttempts: task.maxAttempts,
    recoveries: task.recoveries,
    failedAttempts: task.failedAttempts.map((a) => ({
      attempt: a.attempt,
      status: a.status,
      error: a.error,
      finishedAt: a.finishedAt.toISOString(),
    })),
  };
  if (task.startedAt) view.startedAt = task.startedAt.toISOString();
  if (task.finishedAt) view.finishedAt = task.finishedAt.toISOString();
  if (task.durationMs !== undefined) view.durationMs = task.durationMs;
  if (task.output !== undefined) view.output = toDisplay(task.output);
  if (task.error) view.error = task.error;
  if (task.waiting) {
    view.waiting = {
      for: task.waiting.for,
      ...(task.waiting.until ? { until: task.waiting.until.toISOString() } : {}),
    };
  }
  if (task.childRunId !== undefined) view.childRunId = task.childRunId;
  if (task.instances) view.instances = instancesView(task.instances);
  return view;
}

/**
 * The context a task sees (or saw): the run's input, then the outputs of its completed
 * ancestors merged in the workflow's order, the engine's rule (runtime/task-context.ts).
 * `detail.tasks` is in that order. Undefined for an unknown task id.
 */
export function taskInputContext(detail: RunDetail, taskId: string): Context | undefined {
  const byId = new Map(detail.tasks.map((t) => [t.id, t]));
  if (!byId.has(taskId)) return undefined;
  const ancestors = new Set<string>();
  const stack = [...(byId.get(taskId)?.dependsOn ?? [])];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (ancestors.has(id)) continue;
    ancestors.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  const context: Context = { ...detail.input };
  for (const t of detail.tasks) if (ancestors.has(t.id) && t.output) Object.assign(context, t.output);
  return context;
}
