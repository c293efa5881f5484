/**
 * The records a store reads and writes (see `driver.ts` for the contract a backend implements).
 * Times are milliseconds since the epoch. Encoded values are strings made by the marshaller.
 */
import type { EventType, WaitKind } from "../events/event.js";
import type { FinalRunStatus, RunStatus, StoredError, TaskStatus } from "../types.js";

export interface NewTaskRow {
  taskId: string;
  /** Index in the workflow's topological order; `getTasks` returns tasks in this order. */
  position: number;
  /** Number of dependencies; 0 makes the task Ready at once. */
  pendingDependencies: number;
  maxAttempts: number;
}

export interface NewRun {
  runId: string;
  workflowName: string;
  workflowVersion: string;
  /** Encoded input context. */
  input: string;
  tasks: readonly NewTaskRow[];
  /** Starting a run with a key that already exists returns the existing run instead. */
  idempotencyKey?: string;
  /** When the run fails with RUN_TIMEOUT if still unfinished (epoch ms). */
  deadline?: number;
  /** A child run: the run and the task row that started it (and that its end wakes). */
  parent?: { runId: string; taskId: string };
}

/** What a task asked to wait for, as a store keeps it. */
export interface TaskWait {
  kind: WaitKind;
  /** When it wakes; null: only a signal wakes it. */
  wakeAt: number | null;
  /** Encoded, kept until it wakes: the state for its next call ("again"). */
  state: string | null;
}

/** What happened to a claimed attempt. Applied only while the claim is still held (fencing). */
export type TaskOutcome =
  | {
      kind: "completed";
      runId: string;
      taskId: string;
      attempt: number;
      /** Encoded output patch. */
      output: string;
      /**
       * Direct dependents: their pending-dependency count drops by one, and at zero they become
       * Ready (their trigger rule is decided when they are claimed).
       */
      children: readonly string[];
    }
  | {
      kind: "failed";
      runId: string;
      taskId: string;
      attempt: number;
      error: StoredError;
      /** Direct dependents: released as for a completion, counting one failed dependency. */
      children: readonly string[];
    }
  | {
      /** The task's trigger rule was false: it did not run. */
      kind: "skipped";
      runId: string;
      taskId: string;
      attempt: number;
      /** Direct dependents: released as for a completion, counting one skipped dependency. */
      children: readonly string[];
    }
  | {
      kind: "retry";
      runId: string;
      taskId: string;
      attempt: number;
      error: StoredError;
      /** The task becomes Ready again, claimable from this time. */
      availableAt: number;
      /**
       * Forget what the task waited for: it waited for a child run that failed, and its next
       * attempt starts a new one. (A recovered attempt, by contrast, reads the same child.)
       */
      forgetWait?: boolean;
    }
  | {
      kind: "cancelled";
      runId: string;
      taskId: string;
      attempt: number;
      error: StoredError;
    }
  | {
      /** The attempt asked to wait: the task holds no worker until it wakes (its attempt is not counted). */
      kind: "wait";
      runId: string;
      taskId: string;
      attempt: number;
      wait: TaskWait;
    }
  | {
      /**
       * A mapped task expands into one instance row per element (`task[i]`), and waits for them
       * (its attempt is not counted): each instance that finishes releases it, the last makes it
       * Ready, and its next attempt collects their outputs.
       */
      kind: "expand";
      runId: string;
      taskId: string;
      attempt: number;
      /** The elements, encoded, in order. */
      elements: readonly string[];
      /**
       * At most this many instances run at once (`maxParallel`): instance i + lanes starts when
       * instance i finishes. Null: all are Ready at once.
       */
      lanes: number | null;
      /** Each instance's attempt budget. */
      maxAttempts: number;
    }
  | {
      /**
       * The task (or an instance) starts a child run and waits for it (its attempt is not
       * counted); the child's end makes it Ready, and its next attempt reads the child's result.
       */
      kind: "startChild";
      runId: string;
      taskId: string;
      attempt: number;
      child: NewRun;
    };

export interface StepRequest {
  /** The executor making the request; claims and fencing use it. */
  owner: string;
  now: number;
  /** Runs to create, each with all its task rows. */
  newRuns: readonly NewRun[];
  outcomes: readonly TaskOutcome[];
  /** Runs to cancel: Pending and Ready tasks become Cancelled; Running ones are left to report. */
  cancelRuns: readonly string[];
  /** After applying the above, claim up to `limit` Ready tasks whose time has come. */
  claim: {
    limit: number;
    leaseMs: number;
    /** Only tasks of runs with one of these workflow versions (the ones this process can run). */
    workflowVersions: readonly string[];
    /**
     * Also report `nextAvailableAt` (a retry delay that ends later). Asked for after start-up and
     * on polls; a step that schedules a retry reports it anyway.
     */
    findNextAvailable?: boolean;
  };
}

export interface ClaimedTask {
  runId: string;
  taskId: string;
  workflowVersion: string;
  /** The attempt now starting (1-based). */
  attempt: number;
  maxAttempts: number;
  /** How many times this task was put back to Ready after its worker vanished. */
  recoveries: number;
  /** How many of its dependencies failed, and how many were skipped (for its trigger rule). */
  failedDependencies: number;
  skippedDependencies: number;
  /** When the task waited before this claim: what for, and what it kept (a signal's payload, a state). */
  woken: { kind: WaitKind; state: string | null; calls: number } | null;
  /** When the task was first claimed (its first call, for bounds on being called again). */
  firstStartedAt: number;
  /** An instance of a mapped task: that task's id, its index, and its element (encoded). */
  instance: { of: string; index: number; element: string } | null;
}

export interface StepResult {
  claimed: ClaimedTask[];
  /**
   * New runs that were not created because their idempotency key already belongs to a run: the
   * existing run's id and workflow name.
   */
  deduplicated: { runId: string; existingRunId: string; existingWorkflow: string }[];
  /** Runs that reached a final status in this step. */
  finishedRuns: { runId: string; status: FinalRunStatus }[];
  /** Runs whose cancellation took effect in this step (a cancel of a finished run does not). */
  cancelled: string[];
  /** Outcomes ignored because the claim they belong to is no longer held (lease lost). */
  staleOutcomes: number;
  /**
   * Earliest time a Ready task of the given versions becomes claimable, when that is after `now`
   * (a retry delay); `null` when there is none or it was not asked for. Only computed when fewer
   * than `limit` were claimed, and `claim.findNextAvailable` was set or the step scheduled a retry.
   */
  nextAvailableAt: number | null;
  /** How many events the step appended to the log. */
  events: number;
  /** How many Waiting tasks this step made Ready (a wake time came, or a signal was already kept). */
  woke: number;
  /**
   * How many tasks became Ready after this step claimed (a child run's end woke its parent
   * task): the next step, here or in another process, claims them.
   */
  lateReady: number;
}

/** What `recoverLeases` did: tasks put back, and runs that finished (a cancelled run's last task). */
export interface RecoveryResult {
  recovered: number;
  finishedRuns: { runId: string; status: FinalRunStatus }[];
  /** Parent tasks the finished (child) runs woke. */
  woke: number;
}

export interface RunRecord {
  runId: string;
  workflowName: string;
  workflowVersion: string;
  status: RunStatus;
  input: string;
  cancelRequested: boolean;
  createdAt: number;
  finishedAt: number | null;
  /** Why the run itself failed, when no task's failure says it (a workflow version mismatch). */
  error: StoredError | null;
  /** A child run: the run and the task row that started it. */
  parent: { runId: string; taskId: string } | null;
}

export interface TaskRecord {
  taskId: string;
  status: TaskStatus;
  /** Attempts started so far. */
  attempt: number;
  maxAttempts: number;
  recoveries: number;
  /** Encoded output, for Completed tasks. */
  output: string | null;
  /** The last attempt's error, if it failed. */
  error: StoredError | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** While Waiting: what for, and until when (null: until a signal). */
  waiting: { for: WaitKind; until: number | null } | null;
  /** How many times it asked to be called again (or waited). */
  calls: number;
  /** An instance row of a mapped task: that task's id and the element's index. */
  instance: { of: string; index: number } | null;
  /** A child workflow task (or instance): the child run it started. */
  childRunId: string | null;
}

/** One instance of a mapped task, as its mapped task collects it and tools show it. */
export interface InstanceRecord {
  index: number;
  status: TaskStatus;
  attempt: number;
  /** Encoded output (any storable value), for Completed instances. */
  output: string | null;
  error: StoredError | null;
  startedAt: number | null;
  finishedAt: number | null;
  /** While it waits for a child run: which (the child run's id is its wait state). */
  childRunId: string | null;
}

/** One attempt that did not complete its task (the completing attempt lives on the task row). */
export interface AttemptRecord {
  taskId: string;
  attempt: number;
  status: "Failed" | "Cancelled";
  error: StoredError;
  finishedAt: number;
}

export interface RunSummary {
  runId: string;
  workflowName: string;
  workflowVersion: string;
  status: RunStatus;
  createdAt: number;
  finishedAt: number | null;
  /** A child run: the run that started it. */
  parentRunId: string | null;
}

/** Filters and keyset pagination for `listRuns`: newest first. */
export interface RunFilter {
  status?: RunStatus;
  workflow?: string;
  /** Created at or after (epoch ms). */
  createdFrom?: number;
  /** Created before (epoch ms). */
  createdTo?: number;
  limit: number;
  /** Only runs with a Waiting task. */
  waiting?: boolean;
  /** Only child runs started by this run's tasks. */
  parent?: string;
  /** Continue after this position (from the previous page's last run). */
  after?: { createdAt: number; runId: string };
}

/** A task to run again in a manual retry, with its dependencies that will run again too. */
export interface TaskReset {
  taskId: string;
  pendingDependencies: number;
  maxAttempts: number;
  /**
   * A mapped task whose unfinished instances are reset too: it waits for them
   * (`pendingDependencies` of them; 0: Ready to collect at once) and keeps its instance rows.
   * Otherwise a task is reset as new and loses its instances (it expands afresh).
   */
  keepsInstances?: boolean;
}

/** A notice from another process sharing the database (stores that support `listen`). */
export type StoreEvent =
  /** Tasks became claimable that executor `from` did not claim itself. */
  | { type: "ready"; from: string }
  /** A run reached a final status. */
  | { type: "finished"; runId: string; status: FinalRunStatus }
  /** A run was cancelled: stop its attempts running here. */
  | { type: "cancelled"; runId: string }
  /** Events were appended to the log. */
  | { type: "events" }
  /** The notice channel was re-established: notices may have been missed meanwhile. */
  | { type: "reconnected" };

/** An event to append to the log (in the transaction of the change it records). */
export interface NewEvent {
  runId: string;
  taskId: string | null;
  type: EventType;
  attempt: number | null;
  at: number;
  /** JSON of the type's extra fields (error, retryAt, workflow, recovered), or null. */
  data: string | null;
}

/** A stored event, with its position in the log. */
export interface EventRecord extends NewEvent {
  /** `"<major>-<minor>"`, increasing in log order (see `ExecutorEvent.seq`). */
  seq: string;
}

/**
 * Where "from now" starts: read after `after`, and skip the events `before(seq)` says were
 * committed before now. (On PostgreSQL, transactions still open now may commit events that sort
 * before the newest committed one: reading from the oldest open transaction and skipping what was
 * already committed delivers exactly the events committed from now on.)
 */
export interface EventHead {
  after: string | null;
  before?: (seq: string) => boolean;
}

/** The shape of one workflow version, stored so that tools can draw runs of it. */
export interface WorkflowVersionRecord {
  version: string;
  name: string;
  /** Task id → its dependencies, in the workflow's topological order. */
  tasks: [taskId: string, dependsOn: string[]][];
  createdAt: number;
}

/** A persisted cron schedule. */
export interface ScheduleRecord {
  id: string;
  workflowName: string;
  cron: string;
  timezone: string;
  /** Encoded input context of the runs it starts. */
  context: string;
  missed: "skip" | "runOnce" | "runAll";
  catchUpLimit: number;
  paused: boolean;
  /** The next fire time not yet handled. */
  nextFireAt: number;
  lastFiredAt: number | null;
  createdAt: number;
}
