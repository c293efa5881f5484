/**
 * The JSON the page reads from the dashboard's API (see docs/dashboard.md, "JSON API"). The
 * server's types (run-view.ts, display.ts) are written for Node; these describe the same shapes as
 * the browser receives them, and `api()` trusts the server to send them.
 */

/** A context value in its display form (the server's display.ts): JSON, with tagged objects. */
export type DisplayValue = null | boolean | number | string | DisplayValue[] | { [key: string]: DisplayValue };

/** A tagged display value's fields; which ones are present depends on its tag. */
export interface TaggedFields {
  $number: string;
  $bigint: string;
  $date: string;
  $regexp: string;
  $more: number;
  $symbol: string;
  $function: string;
  $string: string;
  $bytes: string;
  /** The typed array's class name, with `$bytes`. */
  type: string;
  /** The full string's or the byte array's length, with `$string` and `$bytes`. */
  length: number;
  truncated?: boolean;
  $map: [DisplayValue, DisplayValue][];
  $set: DisplayValue[];
  $object: { [key: string]: DisplayValue };
}

export interface ErrorView {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  cause?: ErrorView;
}

export interface RunSummary {
  executionId: string;
  workflow: string;
  workflowVersion: string;
  status: string;
  createdAt: string;
  finishedAt?: string;
  durationMs?: number;
  /** A child run: the run whose task started it. */
  parentRunId?: string;
}

export interface RunsPage {
  runs: RunSummary[];
  next: string | null;
  partial: boolean;
}

export interface FailedAttempt {
  attempt: number;
  status: string;
  error: ErrorView;
  finishedAt: string;
}

export interface TaskView {
  id: string;
  status: string;
  dependsOn: string[];
  attempts: number;
  maxAttempts: number;
  recoveries: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  output?: DisplayValue;
  error?: ErrorView;
  failedAttempts: FailedAttempt[];
  /** While Waiting: "sleep", "signal", "again" (a later call), "map" or "child", and until when (ISO). */
  waiting?: { for: string; until?: string };
  /** A child workflow task: the child run it started. */
  childRunId?: string;
  /** A mapped task that expanded. */
  instances?: InstancesView;
}

export interface InstanceView {
  index: number;
  status: string;
  attempts: number;
  durationMs?: number;
  error?: ErrorView;
  childRunId?: string;
}

/** A mapped task's instances: counts of all, a list of some (the first, then failed ones). */
export interface InstancesView {
  total: number;
  counts: Partial<Record<string, number>>;
  list: InstanceView[];
  /** Instances left out of `list` (`GET /api/runs/:id/tasks/:task/instances` lists all). */
  omitted: number;
}

export interface ChildRunView {
  executionId: string;
  workflow: string;
  status: string;
}

export interface RunView extends RunSummary {
  cancelRequested: boolean;
  input: DisplayValue;
  error?: ErrorView;
  tasks: TaskView[];
  /** A child run: the run, task and (a mapped task's) element that started it. */
  parent?: { executionId: string; taskId: string; instance?: number };
  /** Its child runs, newest first (the first of them). */
  children: ChildRunView[];
  childCount: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface DagLayout {
  width: number;
  height: number;
  nodes: { id: string; x: number; y: number; width: number; height: number }[];
  edges: { from: string; to: string; points: Point[] }[];
}

export interface RunBody {
  run: RunView;
  layout: DagLayout;
}

export interface TaskContextBody {
  taskId: string;
  input: DisplayValue;
  output?: DisplayValue;
}

/** `POST /api/runs/:id/cancel` and `/retry`. */
export interface ActionBody {
  executionId: string;
  status: string;
}

/** `POST /api/runs/:id/tasks/:task/signal`. */
export interface SignalBody {
  executionId: string;
  taskId: string;
  /** False: a signal with the same key was sent before (nothing changed). */
  delivered: boolean;
}

export interface ScheduleView {
  id: string;
  workflow: string;
  cron: string;
  timezone: string;
  missed: string;
  catchUpLimit: number;
  paused: boolean;
  nextFireAt: string;
  lastFiredAt?: string;
}

/** One message of `GET /api/events`. */
export interface EventView {
  seq: string;
  type: string;
  executionId: string;
  taskId?: string;
  /** An event of one instance of the mapped task `taskId`. */
  instance?: number;
}
