/**
 * Live events: every state change of a run and of its tasks, persisted in the same transaction
 * as the change, with a position in the event log.
 */
import type { FinalRunStatus, StoredError } from "../types.js";

export const RUN_EVENT_TYPES = ["run.started", "run.retried", "run.completed", "run.failed", "run.cancelled"] as const;
export const TASK_EVENT_TYPES = [
  "task.ready",
  "task.started",
  "task.retrying",
  "task.waiting",
  "task.completed",
  "task.failed",
  "task.skipped",
  "task.cancelled",
] as const;

export type RunEventType = (typeof RUN_EVENT_TYPES)[number];
export type TaskEventType = (typeof TASK_EVENT_TYPES)[number];
export type EventType = RunEventType | TaskEventType;

/** One state change, as subscribers see it. */
export interface ExecutorEvent {
  /**
   * Position in the event log, `"<major>-<minor>"` (two decimal integers, like a Redis stream id):
   * events are delivered in increasing order of it (compare with `compareSeq`). Pass the last one
   * you saw as `after` to resume without gaps or duplicates.
   */
  seq: string;
  type: EventType;
  executionId: string;
  /** For task events. */
  taskId?: string;
  /** For task events: the attempt it concerns (1-based). */
  attempt?: number;
  at: Date;
  /** For `run.started`. */
  workflow?: string;
  /** For `task.failed`, `task.retrying`, `task.cancelled` and `run.failed`. */
  error?: StoredError;
  /** For `task.retrying`: when the next attempt may start. */
  retryAt?: Date;
  /** For `task.ready`: the task was put back after its worker vanished. */
  recovered?: boolean;
  /** For `task.waiting`: what the task waits for (a time, a signal, or its next call). */
  waitingFor?: WaitKind;
  /** For `task.waiting`: when it wakes (absent: only a signal wakes it). */
  until?: Date;
  /** For events of one instance of a mapped task (`taskId` is the mapped task's): its element's index. */
  instance?: number;
  /** For `task.waiting` of a mapped task: how many instances it was expanded into. */
  instances?: number;
  /** For `task.waiting` of a child workflow task: the child run it started. */
  childRunId?: string;
}

/**
 * What a Waiting task waits for: its sleep to end, a signal, the time of its next call, its
 * instances (a map), or its child run.
 */
export type WaitKind = "sleep" | "signal" | "again" | "map" | "child";

/** The run status a run event announces. */
export function runStatusOf(type: RunEventType): FinalRunStatus | "Running" {
  switch (type) {
    case "run.started":
    case "run.retried":
      return "Running";
    case "run.completed":
      return "Completed";
    case "run.failed":
      return "Failed";
    case "run.cancelled":
      return "Cancelled";
  }
}

/** Orders two `seq` values: negative, zero or positive. */
export function compareSeq(a: string, b: string): number {
  const [aMajor, aMinor] = splitSeq(a);
  const [bMajor, bMinor] = splitSeq(b);
  if (aMajor !== bMajor) return aMajor < bMajor ? -1 : 1;
  return aMinor < bMinor ? -1 : aMinor > bMinor ? 1 : 0;
}

export function splitSeq(seq: string): [bigint, bigint] {
  const match = /^(\d{1,20})-(\d{1,20})$/.exec(seq);
  if (!match) throw new TypeError(`Not an event position: "${seq}" (expected "<major>-<minor>")`);
  return [BigInt(match[1]!), BigInt(match[2]!)];
}

/** Options of `executor.events()`. */
export interface EventsOptions {
  /** Only this run's events. Without `after`, from the run's first event. */
  executionId?: string;
  /**
   * Start after this position (exclusive). Without it: from the run's first event when
   * `executionId` is given, else from now (only events that happen after subscribing).
   */
  after?: string;
  /**
   * Redis transport only: the consumer group. Subscribers sharing a group share its events (each
   * event goes to one of them) and the group remembers its position across reconnects. Default:
   * a group of one, private to this subscription.
   */
  group?: string;
}

/** A live subscription: iterate it with `for await`; `close()` (or `break`) ends it. */
export interface EventStream extends AsyncIterable<ExecutorEvent> {
  close(): Promise<void>;
}
