/**
 * The contract a backend implements: what `createDriver` of a backend descriptor returns.
 *
 * The engine owns every rule (which tasks depend on which, when to retry, what the context is);
 * a driver owns durability and atomicity. Writes are **one call**: `transact` runs a plan of the
 * engine (`plan.ts`) inside one transaction, performing each operation it yields. Reads are
 * grouped by concern, each a typed part; the engine ships kysely implementations of all but the
 * event log's (`runReads`, `scheduleReads`, `workflowReads`), so a SQL backend composes them:
 *
 *     readonly runs = runReads(this.#db);
 *
 * Everything around a driver (notices after commit, retries of transient failures, turning
 * driver errors into `STORE_FAILURE` with passwords redacted) is the engine's `Store` wrapper.
 * The behaviour is specified once, by `runConformanceSuite` from `@cloacina/engine/conformance`,
 * which every backend runs. See docs/backends.md.
 */
import type { Plan } from "./plan.js";
import type {
  AttemptRecord,
  InstanceRecord,
  EventHead,
  EventRecord,
  RunFilter,
  RunRecord,
  RunSummary,
  ScheduleRecord,
  StoreEvent,
  TaskRecord,
  WorkflowVersionRecord,
} from "./records.js";
import type { RunStatus } from "../types.js";

export interface StoreDriver {
  /** For messages, e.g. "SQLite". */
  readonly name: string;
  /**
   * Optional: which database this is, so that only executors of this process on the same one
   * wake each other (SQLite: the file's absolute path; PostgreSQL: server, database and schema).
   * Without it, every such driver of the process shares one set of wake-ups.
   */
  readonly identity?: string;
  /** Creates or upgrades the schema by the backend's frozen migrations. Safe to call on every open. */
  migrate(): Promise<void>;
  /**
   * Runs a plan in ONE transaction: performs each operation it yields (see `StoreOps`) and
   * commits when it returns; rolls back if it or an operation throws.
   */
  transact<T>(plan: Plan<T>): Promise<T>;
  readonly runs: RunReads;
  readonly schedules: ScheduleReads;
  readonly events: EventReads;
  readonly workflows: WorkflowReads;
  /**
   * Optional: deliver the notices (`notify` operations) of every process's transactions
   * (PostgreSQL: LISTEN/NOTIFY). Without it, an executor hears only its own process's changes,
   * plus its safety poll. Returns a function that stops listening.
   */
  listen?(onNotice: (notice: StoreEvent) => void): Promise<() => Promise<void>>;
  /**
   * Optional, synchronous and cheap: whether another connection has committed since the last
   * call (SQLite: `PRAGMA data_version`). A driver without `listen` that has it lets executors
   * notice other processes' cancels within a fraction of a second instead of a safety poll.
   */
  changedElsewhere?(): boolean;
  /**
   * Optional: which errors are worth trying again. "conflict": the transaction lost a race
   * (deadlock, serialization failure) and can be run again; "connection": the connection went
   * away, so an idempotent read can be run again on another.
   */
  retryable?(error: unknown): "conflict" | "connection" | undefined;
  /** Optional: a cheap round trip, for health checks. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

/** Runs and their tasks. */
export interface RunReads {
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** The run's tasks, in the workflow's topological order (their `position`). */
  getTasks(runId: string): Promise<TaskRecord[]>;
  /** The run and its tasks (in order) in one query: what a result needs. */
  getRunWithTasks(runId: string): Promise<{ run: RunRecord; tasks: TaskRecord[] } | undefined>;
  /** The instances of a mapped task, in element order. */
  getInstances(runId: string, taskId: string): Promise<InstanceRecord[]>;
  /** Attempts that did not complete their task, by task then attempt. */
  getAttempts(runId: string): Promise<AttemptRecord[]>;
  /**
   * Encoded input and outputs of completed tasks (not of instances: their outputs are their
   * mapped task's), for runs whose state is not in memory.
   */
  loadRunStates(runIds: readonly string[]): Promise<Map<string, RunState>>;
  /** Runs not yet finished, oldest first. */
  unfinishedRuns(): Promise<RunSummary[]>;
  /** Owners that hold leases on Running tasks (so an executor can find dead ones). */
  leaseOwners(): Promise<string[]>;
  /** Those of these runs whose cancellation was asked for (by any process). */
  cancelledRuns(runIds: readonly string[]): Promise<string[]>;
  /** Runs matching the filter, newest first (indexed: stays fast with many stored runs). */
  listRuns(filter: RunFilter): Promise<RunSummary[]>;
  /** Runs by status, and tasks waiting (Ready, due or not) and running: for metrics. */
  counts(): Promise<StoreCounts>;
}

export interface RunState {
  input: string;
  outputs: Map<string, string>;
}

export interface StoreCounts {
  runs: Record<RunStatus, number>;
  readyTasks: number;
  runningTasks: number;
  waitingTasks: number;
}

/** Cron schedules (their writes are plan operations). */
export interface ScheduleReads {
  getSchedule(id: string): Promise<ScheduleRecord | undefined>;
  listSchedules(): Promise<ScheduleRecord[]>;
  /** Unpaused schedules of these workflows whose next fire is due at `now`. */
  dueSchedules(now: number, workflowNames: readonly string[]): Promise<ScheduleRecord[]>;
  /** Earliest next fire of the unpaused schedules of these workflows. */
  nextScheduleAt(workflowNames: readonly string[]): Promise<number | null>;
}

/** The event log: positions are the backend's own, so this part is written by each backend. */
export interface EventReads {
  /**
   * Events after `after` (exclusive; null: from the first), in log order, at most `limit`, of one
   * run when given. Only events whose position is final: reading on from the last one returned
   * never skips an event that commits later.
   */
  read(after: string | null, limit: number, runId?: string): Promise<EventRecord[]>;
  /** Where "from now" starts in the log (see {@link EventHead}). */
  head(): Promise<EventHead>;
}

/** Stored workflow shapes, for tools that draw runs. */
export interface WorkflowReads {
  getWorkflowVersion(version: string): Promise<WorkflowVersionRecord | undefined>;
}
