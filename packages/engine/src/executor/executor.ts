import { randomUUID } from "node:crypto";
import { ExecutorError, ValidationError } from "../errors.js";
import { encode } from "../marshal/marshal.js";
import { globalRegistry } from "../registry/registry.js";
import { waitSpecOf } from "../wait/wait-tasks.js";
import { redactUrls } from "../redact.js";
import { Tracing } from "../metrics/tracing.js";
import { Runtime } from "../runtime/runtime.js";
import { Scheduler, type ScheduleInfo } from "../schedule/scheduler.js";
import type { ScheduleOptions } from "../schedule/schedule-options.js";
import { toStoredError } from "../runtime/stored-error.js";
import { assertNoChildCycle } from "../map/child-cycle.js";
import type { NewRun, RunSummary, StoreEvent, TaskRecord, TaskReset } from "../store/records.js";
import { Store } from "../store/store.js";
import type { StoreDriver } from "../store/driver.js";
import { StoreEventLog } from "../events/event-log.js";
import { LogTransport } from "../events/log-transport.js";
import { parseEventsOptions } from "../events/log-stream.js";
import type { EventTransport } from "../events/transport.js";
import { encodeCursor, type ListRunsOptions, parseListRunsOptions } from "./list-runs.js";
import type { Context, RunStatus } from "../types.js";
import type { DurationSummary, OutcomeCounts } from "../metrics/attempt-stats.js";
import { isWorkflow, type Workflow } from "../workflow/workflow.js";
import { type ExecutorOptions, parseExecutorOptions, type ResolvedExecutorOptions } from "./executor-options.js";
import { deadLocalOwners, newOwnerId } from "./owner.js";
import { parseStartOptions } from "./start-options.js";
import { parseWith } from "../schema/validate.js";
import { buildResult, readResult, runNotFound, type RunResult } from "./result.js";
import { buildRunDetail, type RunDetail } from "./run-detail.js";
import type { EventsOptions, EventStream } from "../events/event.js";

/** `inspect` lists at most this many child runs (`listRuns({ parent })` pages through all). */
const MAX_LISTED_CHILDREN = 1000;
/** How often an executor without notices between processes checks whether another process committed. */
const CHANGE_CHECK_MS = 100;

/** A run that was started, found by `get`, or resumed. */
export interface RunHandle<Ctx extends Context = Context> {
  readonly executionId: string;
  /** The stored status now. */
  status(): Promise<RunStatus>;
  /** Waits for the run to finish and returns its result. */
  result(): Promise<RunResult<Ctx>>;
  /** Stops running attempts (their signals abort), starts nothing more; the run ends Cancelled. */
  cancel(): Promise<void>;
}

/** What `executor.metrics()` reports. */
export interface Metrics {
  /** Stored runs by status (all processes). */
  runs: Record<RunStatus, number>;
  /**
   * Queue depth: tasks Ready (including ones waiting for a retry delay), tasks Running, and tasks
   * Waiting (for a time, a signal or a later call: they hold no worker).
   */
  tasks: { ready: number; running: number; waiting: number };
  /** Attempts this executor ran since it opened, by outcome, and how many run now. */
  attempts: OutcomeCounts & { active: number };
  /** Durations (ms) of this executor's recent attempts, over all tasks and per task. */
  durations: { all: DurationSummary; byTask: Record<string, DurationSummary> };
}

/** Options of one `start`/`execute`. */
export interface StartOptions {
  /**
   * Makes the start idempotent: the first start with this key creates the run; every later start
   * with the same key (from any process) returns that run instead of creating another. A key
   * used by a run of another workflow is `IDEMPOTENCY_KEY_REUSED`.
   */
  idempotencyKey?: string;
  /**
   * When the run must have finished: still unfinished then, it ends Failed with RUN_TIMEOUT (its
   * running attempts aborted, its waiting tasks cancelled, in one transaction).
   */
  deadline?: Date | number;
}

/** Options of `executor.signal`. */
export interface SignalOptions {
  /** A second signal with the same key, for the same task, is a no-op (default: each signal is new). */
  key?: string;
}

/**
 * What follows the workflow in `start`/`execute`: the input, required when the workflow's input
 * type has required keys (an untyped workflow takes any object, or none).
 */
export type StartArgs<W> =
  Record<never, never> extends InputOf<W>
    ? [input?: InputOf<W>, options?: StartOptions]
    : [input: InputOf<W>, options?: StartOptions];

/** A workflow's input type (`Context` for an untyped one). */
export type InputOf<W> = W extends Workflow<infer Input, any> ? Input : never;
/** A workflow's completed `finalContext` type (`Context` for an untyped one). */
export type ContextOf<W> = W extends Workflow<any, infer Ctx> ? Ctx : never;

export interface Executor {
  /**
   * Runs a workflow to the end and returns its result. Same as `start(...)` then `result()`.
   * A typed workflow takes only its input type, and types `finalContext`.
   */
  execute<W extends Workflow<any, any>>(wf: W, ...args: StartArgs<W>): Promise<RunResult<ContextOf<W>>>;
  /**
   * Stores a new run and returns at once with its handle. A workflow with an input schema checks
   * the input first: `INVALID_INPUT` (each issue's path in `details.issues`), nothing stored.
   */
  start<W extends Workflow<any, any>>(wf: W, ...args: StartArgs<W>): Promise<RunHandle<ContextOf<W>>>;
  /**
   * The handle of any stored run, started by this process or another: untyped, unless given the
   * run's workflow (its name is checked; its types are this process's version of it).
   */
  get(executionId: string): Promise<RunHandle>;
  get<Ctx extends Context>(executionId: string, wf: Workflow<any, Ctx>): Promise<RunHandle<Ctx>>;
  /** Stops claiming work, lets running attempts finish (up to `closeGraceMs`), closes the store. */
  close(): Promise<void>;
  /**
   * Works until `close()`: for a worker process that only executes tasks. Every executor works
   * as soon as it opens (unless `runTasks: false`); this just gives a worker something to await.
   */
  work(): Promise<void>;
  /**
   * Stored runs, newest first, filtered by status, workflow and creation time; `next` is the
   * cursor for the following page (absent on the last page).
   */
  listRuns(filter?: ListRunsOptions): Promise<{ runs: RunSummary[]; next?: string }>;
  /**
   * Runs a Failed or Cancelled run again from its unfinished tasks; completed tasks are kept and
   * not re-run. Each task gets its retry budget again. The workflow's version must be registered.
   */
  retry<Ctx extends Context = Context>(executionId: string): Promise<RunHandle<Ctx>>;
  /**
   * Creates (or, with the same id, updates) a persisted cron schedule that starts runs of `wf`.
   * Validated when declared: the expression, the time zone, and that it ever fires.
   */
  schedule(wf: Workflow, options: ScheduleOptions): Promise<ScheduleInfo>;
  schedules(): Promise<ScheduleInfo[]>;
  pauseSchedule(id: string): Promise<void>;
  /** Resumes a paused schedule from its next fire after now (fires during the pause are skipped). */
  resumeSchedule(id: string): Promise<void>;
  removeSchedule(id: string): Promise<void>;
  /**
   * Starts the runs of due schedule fires now. The executor does this on its own timer (and on
   * its safety poll); call it when driving time yourself (tests with the `now` option).
   */
  fireDueSchedules(): Promise<number>;
  /** Counts by status, queue depth, and this executor's attempt outcomes and durations. */
  metrics(): Promise<Metrics>;
  /**
   * Sends `payload` to task `taskId` of run `executionId`, a `waitForSignal` task: it completes
   * with it (now if it is waiting, else when it starts waiting). Checked against the task's schema
   * when this process has the workflow (INVALID_SIGNAL; the task waits on); marshalled like a
   * context (UNSERIALIZABLE_CONTEXT). SIGNAL_NOT_ACCEPTED when the run or the task has finished,
   * or the task does not exist. Resolves with whether the signal was new (false: same key again).
   */
  signal(
    executionId: string,
    taskId: string,
    payload: unknown,
    options?: SignalOptions,
  ): Promise<{ delivered: boolean }>;
  /**
   * A stored run as an operator sees it: each task's dependencies, attempts, durations, errors and
   * decoded output, and the decoded input. `RUN_NOT_FOUND` if there is none.
   */
  inspect(executionId: string): Promise<RunDetail>;
  /**
   * Follows events live: `for await (const e of executor.events({ executionId }))`. Every state
   * change of a run and its tasks, in log order, from every process sharing the database (with
   * the PostgreSQL or Redis transport). A run's stream ends after its final event.
   */
  events(options?: EventsOptions): EventStream;
  /**
   * Deletes events older than `olderThan` (a Date, or an age in ms) from the log; run and task
   * state is untouched. Subscribers behind that point resume from the oldest event left.
   */
  pruneEvents(options: { olderThan: Date | number }): Promise<number>;
  /** A round trip to the database. */
  health(): Promise<{ ok: boolean; latencyMs: number; error?: string }>;
  /** This executor's lease owner id. */
  readonly owner: string;
}

/**
 * Opens an executor on a store: migrates it, recovers tasks whose worker died, and resumes the
 * unfinished runs of workflows registered in this process.
 */
export async function openExecutor(driver: StoreDriver, options: ExecutorOptions = {}): Promise<Executor> {
  const resolved = parseExecutorOptions(options);
  const store = new Store(driver);
  const transportKind = resolved.events ?? (store.hearsOtherProcesses ? "postgres" : "memory");
  if (transportKind === "postgres" && !store.hearsOtherProcesses) {
    throw new ValidationError(
      "INVALID_EVENTS_TRANSPORT",
      `The "postgres" events transport needs a PostgreSQL database; this one has no LISTEN/NOTIFY. ` +
        `Use "memory" (one process) or a Redis URL.`,
    );
  }
  await store.migrate();
  const log = new StoreEventLog(store);
  const onError = resolved.onError ?? defaultOnError;
  const transport =
    typeof transportKind === "function"
      ? await transportKind({ log, onError })
      : new LogTransport(transportKind, log, {
          // Without notices, writers in other processes are seen by reading; an indexed read of
          // the log's tail is cheap enough to do often.
          pollMs: transportKind === "memory" ? Math.min(250, resolved.pollMs) : resolved.pollMs,
          onError,
        });
  const executor = new StoreExecutor(store, resolved, await Tracing.load(), log, transport);
  try {
    await executor.open();
  } catch (error) {
    await transport.close().catch(() => {});
    throw error;
  }
  return executor;
}

class StoreExecutor implements Executor {
  readonly owner = newOwnerId();
  readonly #store: Store;
  readonly #options: ResolvedExecutorOptions;
  readonly #runtime: Runtime;
  readonly #now: () => number;
  #leaseTimer: NodeJS.Timeout | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #changeTimer: NodeJS.Timeout | undefined;
  #unlisten: (() => Promise<void>) | undefined;
  #closing: Promise<void> | undefined;
  readonly #scheduler: Scheduler;
  #closed!: Promise<void>;
  #markClosed!: () => void;

  readonly #tracing: Tracing;
  readonly #log: StoreEventLog;
  readonly #transport: EventTransport;
  /** Workflow versions whose shape this executor has stored (once each, for `inspect`). */
  readonly #savedVersions = new Map<string, Promise<void>>();

  constructor(
    store: Store,
    options: ResolvedExecutorOptions,
    tracing: Tracing,
    log: StoreEventLog,
    transport: EventTransport,
  ) {
    this.#tracing = tracing;
    this.#log = log;
    this.#transport = transport;
    this.#store = store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#runtime = new Runtime({
      store,
      registry: globalRegistry(),
      owner: this.owner,
      concurrency: options.runTasks ? options.concurrency : 0,
      leaseMs: options.leaseMs,
      maxContextBytes: options.maxContextBytes,
      recoveryBudget: options.recoveryBudget,
      now: this.#now,
      onError: (error) => this.#reportError(error),
      tracing,
      services: {
        instances: (runId, taskId) => store.runs.getInstances(runId, taskId),
        childRun: (wf, input, parent, key) => this.#childRun(wf, input, parent, key),
        result: (runId) => readResult(store, runId),
      },
    });
    this.#scheduler = new Scheduler({
      store,
      registry: globalRegistry(),
      now: this.#now,
      maxContextBytes: options.maxContextBytes,
      start: (wf, input, idempotencyKey) => this.start(wf, input, { idempotencyKey }),
      onError: (error) => this.#reportError(error),
    });
  }

  async open(): Promise<void> {
    this.#closed = new Promise((resolve) => (this.#markClosed = resolve));
    this.#unlisten = await this.#store.listen((event) => this.#onStoreEvent(event));
    await this.#recover();
    if (this.#options.versionMismatch === "fail") await this.#failMismatchedRuns();
    // One timer for all leases: renew them, and take back tasks whose worker's lease ran out.
    const leaseEvery = Math.max(50, Math.floor(this.#options.leaseMs / 3));
    this.#leaseTimer = setInterval(() => void this.#maintainLeases(), leaseEvery);
    this.#leaseTimer.unref();
    this.#pollTimer = setInterval(() => void this.#safetyPoll(), this.#options.pollMs);
    this.#pollTimer.unref();
    if (!this.#store.hearsOtherProcesses && this.#store.seesChangesElsewhere) {
      // No notices between processes (SQLite): a cheap "did anyone else commit?" check often
      // stands in for them, so that another process's new work, cancels and finished runs are
      // seen in a fraction of a second instead of at the safety poll. The first call takes the
      // baseline: before the resume below, so that nothing committed after it goes unseen.
      this.#store.changedElsewhere();
      this.#changeTimer = setInterval(() => void this.#noticeChangesElsewhere(), CHANGE_CHECK_MS);
      this.#changeTimer.unref();
    }
    if (this.#options.resume) this.#runtime.poke();
    if (this.#options.runTasks) this.#scheduler.arm();
  }

  /** Unfinished runs of a workflow registered here under another version cannot resume here. */
  async #failMismatchedRuns(): Promise<void> {
    const registry = globalRegistry();
    const known = new Set(registry.workflows().map((wf) => wf.version));
    const mismatched = (await this.#store.runs.unfinishedRuns()).filter(
      (run) => registry.workflow(run.workflowName) !== undefined && !known.has(run.workflowVersion),
    );
    const runs = mismatched.map((run) => {
      const current = registry.workflow(run.workflowName)!.version;
      const error = new ExecutorError(
        "WORKFLOW_VERSION_MISMATCH",
        `Run ${run.runId} of workflow "${run.workflowName}" was started with version ${run.workflowVersion.slice(0, 12)}, ` +
          `but this process registers version ${current.slice(0, 12)} (its tasks or dependencies changed). ` +
          `It cannot resume without mixing two versions, so it failed. Start a new run, or open executors with ` +
          `{ versionMismatch: "leave" } while processes with the old version finish it.`,
      );
      return { runId: run.runId, error: toStoredError(error) };
    });
    if (runs.length > 0) await this.#store.failRuns(runs, this.#now());
  }

  #onStoreEvent(event: StoreEvent): void {
    switch (event.type) {
      case "ready":
        if (event.from !== this.owner) this.#runtime.poke();
        return;
      case "finished":
        this.#runtime.runFinished(event.runId, event.status);
        return;
      case "cancelled":
        this.#runtime.abortRun(event.runId);
        return;
      case "events":
        if (this.#transport.name !== "memory") this.#log.remoteAppend();
        return;
      case "reconnected":
        if (this.#transport.name !== "memory") this.#log.remoteAppend();
        void this.#safetyPoll();
        return;
    }
  }

  /** Another process committed: it may have made work ready, cancelled or finished a run. */
  async #noticeChangesElsewhere(): Promise<void> {
    if (this.#closing) return;
    try {
      if (!this.#store.changedElsewhere()) return;
      if (this.#options.runTasks) this.#runtime.poke();
      await this.#abortCancelledRuns();
      await this.#settleWatchedRuns();
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** Aborts the attempts running here of runs whose cancellation was asked for anywhere. */
  async #abortCancelledRuns(): Promise<void> {
    const running = this.#runtime.runningRuns();
    if (running.length === 0) return;
    for (const runId of await this.#store.runs.cancelledRuns(running)) this.#runtime.abortRun(runId);
  }

  /** What notices would have told us, in case one was missed: claimable work, cancels, finished runs. */
  async #safetyPoll(): Promise<void> {
    if (this.#closing) return;
    try {
      this.#runtime.poke();
      await this.#abortCancelledRuns();
      if (this.#options.runTasks) await this.#scheduler.fireDue();
      await this.#settleWatchedRuns();
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** Runs awaited here that another process finished. */
  async #settleWatchedRuns(): Promise<void> {
    for (const runId of this.#runtime.watchedRuns()) {
      if (this.#closing) return;
      const run = await this.#store.runs.getRun(runId);
      if (run && run.status !== "Running") this.#runtime.runFinished(runId, run.status);
    }
  }

  #reportError(error: unknown): void {
    (this.#options.onError ?? defaultOnError)(error);
  }

  /** Takes back tasks of dead or expired workers; returns how many. */
  async #recover(): Promise<number> {
    const dead = deadLocalOwners(await this.#store.runs.leaseOwners(), this.owner);
    const { recovered, finishedRuns } = await this.#store.recoverLeases(this.#now(), dead);
    for (const { runId, status } of finishedRuns) this.#runtime.runFinished(runId, status);
    return recovered;
  }

  async #maintainLeases(): Promise<void> {
    try {
      if (this.#runtime.activeAttempts > 0)
        await this.#store.renewLeases(this.owner, this.#now() + this.#options.leaseMs);
      if ((await this.#recover()) > 0) this.#runtime.poke();
    } catch (error) {
      this.#reportError(error);
    }
  }

  async execute<W extends Workflow<any, any>>(
    wf: W,
    ...[input, options]: StartArgs<W>
  ): Promise<RunResult<ContextOf<W>>> {
    const checked = this.#checkedInput(wf, input);
    const run = this.#newRun(wf, checked instanceof Promise ? await checked : checked, options);
    // Watch before submitting: the run can finish before `submit` resolves.
    const watch = this.#runtime.watch(run.runId);
    try {
      const runId = await this.#submit(run, wf);
      if (runId !== run.runId) return await this.#handle<ContextOf<W>>(runId).result(); // an earlier start's run
      await watch.finished;
    } finally {
      watch.dispose();
    }
    return readResult<ContextOf<W>>(this.#store, run.runId);
  }

  async start<W extends Workflow<any, any>>(
    wf: W,
    ...[input, options]: StartArgs<W>
  ): Promise<RunHandle<ContextOf<W>>> {
    const checked = this.#checkedInput(wf, input);
    const run = this.#newRun(wf, checked instanceof Promise ? await checked : checked, options);
    return this.#handle<ContextOf<W>>(await this.#submit(run, wf));
  }

  /** Stores a workflow version's shape (for tools that draw its runs) once per version. */
  #saveVersion(wf: Workflow<any, any>): Promise<void> {
    let saved = this.#savedVersions.get(wf.version);
    if (!saved) {
      // Once per version, shared by the starts that arrive meanwhile; retried after a failure.
      saved = this.#store.saveWorkflowVersion({
        version: wf.version,
        name: wf.name,
        tasks: wf.order.map((id) => [id, [...(wf.dependencies.get(id) ?? [])]]),
        createdAt: this.#now(),
      });
      this.#savedVersions.set(wf.version, saved);
      saved.catch(() => this.#savedVersions.delete(wf.version));
    }
    return saved;
  }

  /** A child run, checked as a start is (its input, the workflow), for a task to store with its wait. */
  async #childRun(
    wf: Workflow<any, any>,
    input: unknown,
    parent: { runId: string; taskId: string },
    key: string,
  ): Promise<NewRun> {
    const checked = this.#checkedInput(wf, input);
    const run = this.#newRun(wf, checked instanceof Promise ? await checked : checked, { idempotencyKey: key });
    await this.#saveVersion(wf);
    return { ...run, parent };
  }

  /** Submits a run, with a run span (opened first: its tasks may start before `submit` returns). */
  async #submit(run: NewRun, wf: Workflow<any, any>): Promise<string> {
    await this.#saveVersion(wf);
    this.#tracing.runStarted(run.runId, run.workflowName);
    try {
      const runId = await this.#runtime.submit(run);
      if (runId !== run.runId) this.#tracing.runFinished(run.runId, "Deduplicated");
      return runId;
    } catch (error) {
      this.#tracing.runFinished(run.runId, "NotStored");
      throw error;
    }
  }

  get(executionId: string): Promise<RunHandle>;
  get<Ctx extends Context>(executionId: string, wf: Workflow<any, Ctx>): Promise<RunHandle<Ctx>>;
  async get(executionId: string, wf?: Workflow<any, any>): Promise<RunHandle> {
    this.#assertOpen();
    const run = await this.#store.runs.getRun(executionId);
    if (!run) throw runNotFound(executionId);
    if (wf !== undefined && (!isWorkflow(wf) || wf.name !== run.workflowName)) {
      throw new ValidationError(
        "INVALID_WORKFLOW",
        `Run ${executionId} is of workflow "${run.workflowName}", not ${isWorkflow(wf) ? `"${wf.name}"` : "a workflow"}: ` +
          `pass its own workflow to type it, or none.`,
        { details: { executionId, workflow: run.workflowName } },
      );
    }
    return this.#handle(executionId);
  }

  #handle<Ctx extends Context>(runId: string): RunHandle<Ctx> {
    const store = this.#store;
    const runtime = this.#runtime;
    return {
      executionId: runId,
      status: async () => {
        this.#assertOpen();
        const run = await store.runs.getRun(runId);
        if (!run) throw runNotFound(runId);
        return run.status;
      },
      result: async () => {
        this.#assertOpen();
        // Watch before reading: the run may finish between the read and the wait.
        const watch = runtime.watch(runId);
        try {
          // One query for a finished run; a running one is read again once it finishes.
          const stored = await store.runs.getRunWithTasks(runId);
          if (!stored) throw runNotFound(runId);
          if (stored.run.status !== "Running") return buildResult<Ctx>(stored.run, stored.tasks);
          await watch.finished;
        } finally {
          watch.dispose();
        }
        return readResult<Ctx>(store, runId);
      },
      cancel: async () => {
        this.#assertOpen();
        await runtime.cancel(runId);
      },
    };
  }

  async schedule(wf: Workflow, options: ScheduleOptions): Promise<ScheduleInfo> {
    this.#assertOpen();
    if (!isWorkflow(wf))
      throw new ValidationError("UNKNOWN_WORKFLOW", "schedule() takes a workflow made by workflow().");
    // Every fire starts a run with this context: a bad one fails when declared, not at each fire.
    if (wf.input !== undefined) await this.#checkedInput(wf, options?.context);
    globalRegistry().addWorkflow(wf);
    return this.#scheduler.save(wf, options);
  }

  schedules(): Promise<ScheduleInfo[]> {
    this.#assertOpen();
    return this.#scheduler.list();
  }

  pauseSchedule(id: string): Promise<void> {
    this.#assertOpen();
    return this.#scheduler.setPaused(id, true);
  }

  resumeSchedule(id: string): Promise<void> {
    this.#assertOpen();
    return this.#scheduler.setPaused(id, false);
  }

  removeSchedule(id: string): Promise<void> {
    this.#assertOpen();
    return this.#scheduler.remove(id);
  }

  fireDueSchedules(): Promise<number> {
    this.#assertOpen();
    return this.#scheduler.fireDue();
  }

  async metrics(): Promise<Metrics> {
    this.#assertOpen();
    const counts = await this.#store.runs.counts();
    const stats = this.#runtime.stats;
    return {
      runs: counts.runs,
      tasks: { ready: counts.readyTasks, running: counts.runningTasks, waiting: counts.waitingTasks },
      attempts: { ...stats.outcomes(), active: this.#runtime.activeAttempts },
      durations: stats.durations(),
    };
  }

  async listRuns(filter: ListRunsOptions = {}): Promise<{ runs: RunSummary[]; next?: string }> {
    this.#assertOpen();
    const query = parseListRunsOptions(filter);
    const runs = await this.#store.runs.listRuns(query);
    const last = runs.at(-1);
    return runs.length === query.limit && last ? { runs, next: encodeCursor(last) } : { runs };
  }

  async retry<Ctx extends Context>(executionId: string): Promise<RunHandle<Ctx>> {
    this.#assertOpen();
    const run = await this.#store.runs.getRun(executionId);
    if (!run) throw runNotFound(executionId);
    if (run.status !== "Failed" && run.status !== "Cancelled") {
      throw new ValidationError(
        "RUN_NOT_RETRYABLE",
        `Run ${executionId} is ${run.status}: only Failed or Cancelled runs can be retried.`,
        { details: { executionId, status: run.status } },
      );
    }
    const wf = globalRegistry()
      .workflows()
      .find((w) => w.version === run.workflowVersion);
    if (!wf) {
      throw new ValidationError(
        "UNKNOWN_WORKFLOW",
        `Run ${executionId} is of workflow "${run.workflowName}" version ${run.workflowVersion.slice(0, 12)}, ` +
          `which is not registered in this process: retry it where that version is registered.`,
      );
    }
    const resets = retryResets(wf, await this.#store.runs.getTasks(executionId));
    this.#runtime.forgetCancel(executionId);
    // A retry is a new attempt at the run: its deadline, if its workflow has a timeout, starts now.
    const deadline = wf.timeoutMs === undefined ? null : this.#now() + wf.timeoutMs;
    if (!(await this.#store.retryRun(executionId, resets, this.#now(), deadline))) {
      throw new ValidationError("RUN_NOT_RETRYABLE", `Run ${executionId} changed while it was being retried.`);
    }
    this.#runtime.poke();
    return this.#handle<Ctx>(executionId);
  }

  /**
   * The input as the workflow's schema makes it (defaults, transforms), or `INVALID_INPUT`. A
   * workflow without a schema gets its input back as it is, synchronously: no await, no cost.
   */
  #checkedInput(wf: Workflow<any, any>, input: unknown): unknown {
    this.#assertOpen();
    if (!isWorkflow(wf) || wf.input === undefined) return input;
    return parseWith(wf.input, input ?? {}, "INVALID_INPUT", `the input of workflow "${wf.name}"`);
  }

  /** A run ready to store, its options, workflow and (checked) input validated. */
  #newRun(wf: Workflow<any, any>, input: unknown = {}, options: StartOptions = {}): NewRun {
    this.#assertOpen();
    const { idempotencyKey: key, deadline } = parseStartOptions(options);
    if (!isWorkflow(wf)) {
      throw new ValidationError(
        "INVALID_WORKFLOW",
        "execute()/start() take a workflow made by workflow({ name, tasks }).",
      );
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new ValidationError(
        "INVALID_CONTEXT",
        `The input context of workflow "${wf.name}" must be a plain object, not ${Array.isArray(input) ? "an array" : String(input)}.`,
      );
    }
    // The workflow object is the source of truth; (re-)register it in case the registry was reset.
    globalRegistry().addWorkflow(wf);
    checkChildren(wf);
    return {
      runId: randomUUID(),
      workflowName: wf.name,
      workflowVersion: wf.version,
      input: encode(input, `the input context of workflow "${wf.name}"`, this.#options.maxContextBytes),
      tasks: wf.order.map((taskId, position) => ({
        taskId,
        position,
        pendingDependencies: wf.dependencies.get(taskId)?.length ?? 0,
        maxAttempts: wf.tasks.get(taskId)?.retry.maxAttempts ?? 1,
      })),
      ...(key === undefined ? {} : { idempotencyKey: key }),
      ...(deadline !== undefined
        ? { deadline }
        : wf.timeoutMs !== undefined
          ? { deadline: this.#now() + wf.timeoutMs }
          : {}),
    };
  }

  async signal(
    executionId: string,
    taskId: string,
    payload: unknown,
    options: SignalOptions = {},
  ): Promise<{ delivered: boolean }> {
    this.#assertOpen();
    if (typeof executionId !== "string" || typeof taskId !== "string") {
      throw new ValidationError("INVALID_SIGNAL", "signal(executionId, taskId, payload): the ids are strings.");
    }
    const key = options.key ?? randomUUID();
    if (typeof key !== "string" || key.length === 0 || key.length > 500) {
      throw new ValidationError("INVALID_SIGNAL", "A signal's key is a non-empty string of at most 500 characters.");
    }
    // Checked here, by the sender, against the run's own workflow version when this process has
    // it (else unchecked: docs/waiting.md says so). A task known not to wait for a signal never
    // takes one: refused rather than stored.
    const run = await this.#store.runs.getRun(executionId);
    const definition = globalRegistry()
      .workflows()
      .find((wf) => wf.version === run?.workflowVersion)
      ?.tasks.get(taskId);
    const spec = definition && waitSpecOf(definition);
    if (definition && spec?.kind !== "signal") {
      throw new ValidationError(
        "SIGNAL_NOT_ACCEPTED",
        `Task "${taskId}" of run ${executionId} does not wait for a signal (declare it with waitForSignal).`,
        { details: { executionId, taskId } },
      );
    }
    const checked = spec?.kind === "signal" && spec.check ? await spec.check(payload) : payload;
    const encoded = encode({ payload: checked }, `the signal for task "${taskId}"`, this.#options.maxContextBytes);
    const result = await this.#store.signal(executionId, taskId, key, encoded, this.#now());
    if (result.refused !== null) {
      const why = {
        noTask: `Run ${executionId} has no task "${taskId}" (or there is no such run).`,
        runFinished: `Run ${executionId} has finished (${result.runStatus}): its tasks take no more signals.`,
        taskFinished: `Task "${taskId}" of run ${executionId} has finished (${result.status}): it takes no more signals.`,
        timedOut: `Task "${taskId}" of run ${executionId} timed out waiting: it takes no more signals.`,
        signalled: `Task "${taskId}" of run ${executionId} already has its signal (a signal wait takes one).`,
      }[result.refused];
      throw new ValidationError("SIGNAL_NOT_ACCEPTED", why, {
        details: {
          executionId,
          taskId,
          taskStatus: result.status,
          runStatus: result.runStatus,
          reason: result.refused,
        },
      });
    }
    if (result.woken) this.#runtime.poke();
    return { delivered: result.stored };
  }

  #assertOpen(): void {
    if (this.#closing) throw new ExecutorError("EXECUTOR_CLOSED", "This executor is closed: create a new one.");
  }

  work(): Promise<void> {
    this.#assertOpen();
    // A worker has nothing else holding the event loop open on SQLite (no socket): hold it.
    const keepAlive = setInterval(() => {}, 1 << 30);
    return this.#closed.finally(() => clearInterval(keepAlive));
  }

  async inspect(executionId: string): Promise<RunDetail> {
    this.#assertOpen();
    const run = await this.#store.runs.getRun(executionId);
    if (!run) throw runNotFound(executionId);
    const [tasks, attempts, dependencies, children] = await Promise.all([
      this.#store.runs.getTasks(executionId),
      this.#store.runs.getAttempts(executionId),
      this.#dependenciesOf(run.workflowName, run.workflowVersion),
      this.#store.runs.listRuns({ parent: executionId, limit: MAX_LISTED_CHILDREN + 1 }),
    ]);
    const detail = buildRunDetail(run, tasks, attempts, dependencies, children.slice(0, MAX_LISTED_CHILDREN));
    if (children.length > MAX_LISTED_CHILDREN) detail.moreChildren = true;
    return detail;
  }

  /** A version's task dependencies: from the registry when registered here, else as stored. */
  async #dependenciesOf(name: string, version: string): Promise<ReadonlyMap<string, readonly string[]>> {
    const registered = globalRegistry().workflow(name);
    if (registered?.version === version) return registered.dependencies;
    const stored = await this.#store.workflows.getWorkflowVersion(version);
    return new Map(stored?.tasks ?? []);
  }

  events(options?: EventsOptions): EventStream {
    this.#assertOpen();
    const parsed = parseEventsOptions(options);
    if (parsed.group !== undefined && this.#transport instanceof LogTransport) {
      throw new ValidationError(
        "INVALID_EVENTS_OPTIONS",
        `events({ group }) needs the Redis transport; this executor uses "${this.#transport.name}".`,
      );
    }
    return this.#transport.subscribe(parsed);
  }

  async pruneEvents(options: { olderThan: Date | number }): Promise<number> {
    this.#assertOpen();
    const { olderThan } = options ?? {};
    const before =
      olderThan instanceof Date ? olderThan.getTime() : typeof olderThan === "number" ? this.#now() - olderThan : NaN;
    if (!Number.isFinite(before) || (typeof olderThan === "number" && olderThan < 0)) {
      throw new ValidationError(
        "INVALID_EVENTS_OPTIONS",
        "pruneEvents({ olderThan }) takes a Date or an age in milliseconds (a number ≥ 0).",
      );
    }
    return this.#store.pruneEvents(before);
  }

  async health(): Promise<{ ok: boolean; latencyMs: number; error?: string }> {
    const started = performance.now();
    try {
      await this.#store.ping();
      return { ok: true, latencyMs: performance.now() - started };
    } catch (error) {
      return { ok: false, latencyMs: performance.now() - started, error: redactUrls(String(error)) };
    }
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#pollTimer);
      clearInterval(this.#changeTimer);
      this.#scheduler.stop();
      await this.#unlisten?.();
      try {
        // Leases keep being renewed during the grace, so no other worker takes these tasks.
        const stillRunning = await this.#runtime.stop(this.#options.closeGraceMs);
        clearInterval(this.#leaseTimer);
        // Attempts that did not stop in time go back to Ready for the next executor.
        if (stillRunning > 0) await this.#store.recoverLeases(this.#now(), [this.owner]);
      } finally {
        clearInterval(this.#leaseTimer);
        // After the drain, so that its events (and those of leases handed back) are delivered.
        await this.#transport.close().catch((error: unknown) => this.#reportError(error));
        await this.#store.close().catch((error: unknown) => this.#reportError(error));
        this.#tracing.close();
        this.#markClosed();
      }
    })();
    return this.#closing;
  }
}

export function defaultOnError(error: unknown): void {
  console.error(`[cloacina] ${redactUrls(error instanceof Error ? (error.stack ?? error.message) : String(error))}`);
}

/**
 * What a manual retry runs again: every task that did not complete, each with its retry budget
 * again. A mapped task whose dependencies all completed re-runs only its instances that did not
 * (then collects); one that must expand afresh loses its instances.
 */
function retryResets(wf: Workflow<any, any>, rows: readonly TaskRecord[]): TaskReset[] {
  const instancesOf = new Map<string, TaskRecord[]>();
  const tasks: TaskRecord[] = [];
  for (const row of rows) {
    if (!row.instance) tasks.push(row);
    else instancesOf.set(row.instance.of, [...(instancesOf.get(row.instance.of) ?? []), row]);
  }
  const done = new Set(tasks.filter((t) => t.status === "Completed").map((t) => t.taskId));
  const budget = (taskId: string) => wf.tasks.get(taskId)?.retry.maxAttempts ?? 1;
  return tasks
    .filter((t) => !done.has(t.taskId))
    .flatMap((t): TaskReset[] => {
      const pendingDependencies = (wf.dependencies.get(t.taskId) ?? []).filter((dep) => !done.has(dep)).length;
      const reset = { taskId: t.taskId, pendingDependencies, maxAttempts: t.attempt + budget(t.taskId) };
      const instances = instancesOf.get(t.taskId);
      if (!instances || pendingDependencies > 0) return [reset];
      const again = instances.filter((i) => i.status !== "Completed");
      return [
        { ...reset, pendingDependencies: again.length, keepsInstances: true },
        ...again.map((i) => ({ taskId: i.taskId, pendingDependencies: 0, maxAttempts: i.attempt + budget(t.taskId) })),
      ];
    });
}

/** Workflows whose child workflows were checked for cycles (once each: a start must stay cheap). */
const checkedChildren = new WeakSet<Workflow<any, any>>();

function checkChildren(wf: Workflow<any, any>): void {
  if (checkedChildren.has(wf)) return;
  assertNoChildCycle(wf);
  checkedChildren.add(wf);
}
