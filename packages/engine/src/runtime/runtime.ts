import { ExecutorError, TaskCancelledError, ValidationError } from "../errors.js";
import type { Registry } from "../registry/registry.js";
import type { ClaimedTask, NewRun, StepResult, TaskOutcome } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { FinalRunStatus } from "../types.js";
import { ancestorsInOrder, type Workflow } from "../workflow/workflow.js";
import type { MergedContext, SharedContext } from "./task-context.js";
import { AttemptStats } from "../metrics/attempt-stats.js";
import type { Tracing } from "../metrics/tracing.js";
import { runAttempt } from "./attempt.js";
import type { ShapeServices } from "./shapes.js";

export interface RuntimeOptions {
  store: Store;
  registry: Registry;
  /** Identifies this executor in leases. */
  owner: string;
  /** Most task attempts running at once. */
  concurrency: number;
  leaseMs: number;
  maxContextBytes: number;
  /** Times a task may be put back after its worker vanished before it fails. */
  recoveryBudget: number;
  now: () => number;
  /** Where failures that no caller awaits are reported (store errors in the background loop). */
  onError: (error: unknown) => void;
  tracing: Tracing;
  /** What map and child workflow attempts read and make. */
  services: ShapeServices;
}

/** Encoded input and the outputs known so far of a run this process is working on. */
interface RunState {
  input: string;
  outputs: Map<string, string>;
  /** The last merged context (see task-context.ts). */
  merged?: MergedContext;
  /** The context a mapped task's instances share (see task-context.ts). */
  instanceContext?: SharedContext;
}

interface Waiter {
  resolve: (status: FinalRunStatus) => void;
  reject: (error: unknown) => void;
}

interface Pending<T> {
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
}

/**
 * Schedules and runs tasks. All state changes go through `store.step`, one transaction each;
 * changes that arrive while one is being written are grouped into the next (group commit), and
 * every step also claims ready tasks up to the free concurrency. Nothing here polls: the loop
 * runs when something happened (a run was submitted, an attempt finished, a retry came due).
 */
export class Runtime {
  readonly #o: RuntimeOptions;
  #newRuns: { run: NewRun; done: Pending<string> }[] = [];
  #outcomes: TaskOutcome[] = [];
  #cancels: { runId: string; done: Pending<void> }[] = [];
  readonly #running = new Map<string, { runId: string; controller: AbortController; settled: Promise<void> }>();
  readonly #runs = new Map<string, RunState>();
  /** Runs cancelled from this process: an attempt claimed for one is stopped as it starts. */
  readonly #cancelled = new Set<string>();
  readonly #waiters = new Map<string, Set<Waiter>>();
  #scheduled = false;
  #flushing: Promise<void> | undefined;
  /** Whether the store may hold claimable tasks we have not asked for. */
  #mayHaveReady = true;
  /** Whether the next claim should also report the next retry time (after start-up or a poll). */
  #lookAhead = true;
  #versionCache: { generation: number; byVersion: Map<string, Workflow>; versions: string[] } | undefined;
  #wakeTimer: NodeJS.Timeout | undefined;
  #wakeAtTime = Infinity;
  #retryDelayMs = 0;
  /** Set after a failed step until its backoff timer fires: no step is written meanwhile. */
  #backingOff = false;
  /** Bumped by every poke, so a poke during a step is not overwritten by that step's result. */
  #pokes = 0;
  #stopping = false;
  /** After stop(): late outcomes are dropped (their leases were handed back or will expire). */
  #stopped = false;

  /** Outcomes and durations of the attempts run here (for `executor.metrics()`). */
  readonly stats = new AttemptStats();

  constructor(options: RuntimeOptions) {
    this.#o = options;
  }

  /** Number of attempts running now. */
  get activeAttempts(): number {
    return this.#running.size;
  }

  /**
   * Create a run; resolves once it is stored, with its id — or with the id of the run that
   * already holds its idempotency key.
   */
  submit(run: NewRun): Promise<string> {
    this.#runs.set(run.runId, { input: run.input, outputs: new Map() });
    return new Promise<string>((resolve, reject) => {
      this.#newRuns.push({ run, done: { resolve, reject } });
      this.#schedule();
    }).then(
      (runId) => {
        if (runId !== run.runId) this.#runs.delete(run.runId);
        return runId;
      },
      (error: unknown) => {
        this.#runs.delete(run.runId);
        throw error;
      },
    );
  }

  /** Cancel a run: stop its local attempts now, and mark everything not yet running as Cancelled. */
  cancel(runId: string): Promise<void> {
    this.abortRun(runId);
    return new Promise<void>((resolve, reject) => {
      this.#cancels.push({ runId, done: { resolve, reject } });
      this.#schedule();
    });
  }

  /**
   * While someone awaits a run, keep the process alive: every timer here is unref'd, and with
   * SQLite nothing else (no socket) holds the event loop, so a retry delay would let it exit.
   */
  #keepAlive: NodeJS.Timeout | undefined;

  #updateKeepAlive(): void {
    if (this.#waiters.size > 0 && !this.#keepAlive) this.#keepAlive = setInterval(() => {}, 1 << 30);
    else if (this.#waiters.size === 0 && this.#keepAlive) {
      clearInterval(this.#keepAlive);
      this.#keepAlive = undefined;
    }
  }

  /** Resolves with the run's final status when this process sees it finish. */
  watch(runId: string): { finished: Promise<FinalRunStatus>; dispose: () => void } {
    let waiter!: Waiter;
    const finished = new Promise<FinalRunStatus>((resolve, reject) => {
      waiter = { resolve, reject };
    });
    let set = this.#waiters.get(runId);
    if (!set) this.#waiters.set(runId, (set = new Set()));
    set.add(waiter);
    this.#updateKeepAlive();
    const dispose = () => {
      set.delete(waiter);
      if (set.size === 0 && this.#waiters.get(runId) === set) this.#waiters.delete(runId);
      this.#updateKeepAlive();
    };
    return { finished, dispose };
  }

  /** Another process finished a run this process may be waiting for. */
  runFinished(runId: string, status: FinalRunStatus): void {
    this.#finished(runId, status);
  }

  /** Another process cancelled a run: stop its attempts here (their outcomes record it). */
  abortRun(runId: string): void {
    this.#cancelled.add(runId);
    for (const attempt of this.#running.values()) {
      if (attempt.runId === runId && !attempt.controller.signal.aborted)
        attempt.controller.abort(cancelledReason(runId));
    }
  }

  /** A cancelled run is being retried: its tasks may run again here. */
  forgetCancel(runId: string): void {
    this.#cancelled.delete(runId);
  }

  /** Runs with an attempt running here (not yet aborted). */
  runningRuns(): string[] {
    const runs = new Set<string>();
    for (const attempt of this.#running.values()) if (!attempt.controller.signal.aborted) runs.add(attempt.runId);
    return [...runs];
  }

  /** Runs someone in this process is waiting for. */
  watchedRuns(): string[] {
    return [...this.#waiters.keys()];
  }

  /** Look for claimable work now (after start-up recovery, or when a lease was recovered). */
  poke(): void {
    this.#pokes++;
    this.#mayHaveReady = true;
    this.#lookAhead = true;
    this.#schedule();
  }

  /**
   * Stop claiming, wait up to `graceMs` for running attempts, and write what they reported.
   * Returns the number of attempts still running (their leases are the caller's to release).
   */
  async stop(graceMs: number): Promise<number> {
    this.#stopping = true;
    clearTimeout(this.#wakeTimer);
    // A step in flight may claim tasks and start them: let it, so they get their grace too.
    if (this.#flushing) await this.#flushing;
    const settled = Promise.all([...this.#running.values()].map((a) => a.settled));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settled, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    await this.#drain();
    this.#stopped = true;
    const closed = new ExecutorError("EXECUTOR_CLOSED", "The executor was closed before the run finished.");
    for (const set of this.#waiters.values()) for (const waiter of set) waiter.reject(closed);
    this.#waiters.clear();
    this.#updateKeepAlive();
    return this.#running.size;
  }

  /** Writes what is queued; a failing store gets one more try, not a loop (we are stopping). */
  async #drain(): Promise<void> {
    for (let failures = 0; failures < 2;) {
      if (this.#flushing) await this.#flushing;
      else if (this.#hasQueued()) {
        const before = this.#retryDelayMs;
        await this.#flush();
        if (this.#retryDelayMs > before) failures++;
      } else if (this.#scheduled) await new Promise((resolve) => setImmediate(resolve));
      else return;
    }
  }

  #hasQueued(): boolean {
    return this.#newRuns.length > 0 || this.#outcomes.length > 0 || this.#cancels.length > 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#backingOff || this.#stopped) return;
    this.#scheduled = true;
    // setImmediate, not a timer: runs after the current burst of completions, so they share a
    // transaction, with no added delay.
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#flushing) void this.#flush();
    });
  }

  #flush(): Promise<void> {
    const flushing = this.#step()
      .catch((error: unknown) => this.#o.onError(error))
      .finally(() => {
        this.#flushing = undefined;
        // Work may have arrived while the step was being written. Each step is its own macrotask,
        // so completions that land meanwhile are grouped and timers (lease renewal) still run.
        if (!this.#backingOff && (this.#hasQueued() || this.#canClaim() > 0)) this.#schedule();
      });
    this.#flushing = flushing;
    return flushing;
  }

  /** How many tasks to ask the store for now. */
  #canClaim(): number {
    if (this.#stopping || !(this.#mayHaveReady || this.#hasQueued())) return 0;
    return Math.max(0, this.#o.concurrency - this.#running.size);
  }

  /** One transaction: write what is queued, claim what fits. */
  async #step(): Promise<void> {
    const claim = this.#canClaim();
    if (!this.#hasQueued() && claim === 0) return;
    const pokesBefore = this.#pokes;
    const newRuns = this.#newRuns;
    const outcomes = this.#outcomes;
    const cancels = this.#cancels;
    this.#newRuns = [];
    this.#outcomes = [];
    this.#cancels = [];
    const now = this.#o.now();
    const { byVersion, versions } = this.#versions();
    const findNextAvailable = this.#lookAhead && claim > 0;
    if (findNextAvailable) this.#lookAhead = false;
    let result: StepResult;
    try {
      result = await this.#o.store.step({
        owner: this.#o.owner,
        now,
        newRuns: newRuns.map((n) => n.run),
        outcomes,
        cancelRuns: cancels.map((c) => c.runId),
        claim: { limit: claim, leaseMs: this.#o.leaseMs, workflowVersions: versions, findNextAvailable },
      });
    } catch (error) {
      this.#stepFailed(error, newRuns, outcomes, cancels);
      return;
    }
    this.#retryDelayMs = 0;
    const deduplicated = new Map(result.deduplicated.map((d) => [d.runId, d]));
    for (const n of newRuns) {
      const existing = deduplicated.get(n.run.runId);
      if (!existing) n.done.resolve(n.run.runId);
      else if (existing.existingWorkflow === n.run.workflowName) n.done.resolve(existing.existingRunId);
      else n.done.reject(idempotencyConflict(n.run, existing.existingWorkflow));
    }
    for (const c of cancels) {
      // A cancel that took no effect (the run had finished) must not stop a later retry's tasks.
      if (!result.cancelled.includes(c.runId)) this.#cancelled.delete(c.runId);
      c.done.resolve();
    }
    // The step may have cancelled more than was asked here (the child runs of a cancelled or
    // timed-out run, runs past their deadline): their attempts running in this process stop now,
    // not when a notice comes back (PostgreSQL's NOTIFY arrives after the step returns).
    for (const runId of result.cancelled) this.abortRun(runId);
    if (result.staleOutcomes > 0) {
      // Another worker took over some of our tasks; our cached outputs may not be the stored ones.
      for (const outcome of outcomes) this.#runs.delete(outcome.runId);
    }
    for (const { runId, status } of result.finishedRuns) this.#finished(runId, status);
    // A poke that came while this step was in flight (a notice, a retry coming due) still counts.
    this.#mayHaveReady =
      (claim > 0 && result.claimed.length === claim) || this.#pokes !== pokesBefore || result.lateReady > 0;
    if (result.nextAvailableAt !== null) this.#scheduleWake(result.nextAvailableAt);
    await this.#startAll(result.claimed, byVersion);
  }

  #stepFailed(
    error: unknown,
    newRuns: { done: Pending<string> }[],
    outcomes: TaskOutcome[],
    cancels: { done: Pending<void> }[],
  ): void {
    for (const n of newRuns) n.done.reject(error);
    for (const c of cancels) c.done.reject(error);
    // Outcomes are not the caller's to lose: keep them and try again with backoff. If this
    // process dies meanwhile, lease expiry puts the tasks back and they run again.
    this.#outcomes.unshift(...outcomes);
    this.#o.onError(error);
    this.#retryDelayMs = Math.min(5000, Math.max(50, this.#retryDelayMs * 2));
    if (this.#stopping) return; // stop() writes what it can once, then gives up
    this.#backingOff = true;
    setTimeout(() => {
      this.#backingOff = false;
      this.#schedule();
    }, this.#retryDelayMs).unref();
  }

  #finished(runId: string, status: FinalRunStatus): void {
    this.#o.tracing.runFinished(runId, status);
    this.#runs.delete(runId);
    this.#cancelled.delete(runId);
    const set = this.#waiters.get(runId);
    if (!set) return;
    this.#waiters.delete(runId);
    this.#updateKeepAlive();
    for (const waiter of set) waiter.resolve(status);
  }

  /** A retry delay ends at `at`: look for work then. One timer, for the earliest. */
  #scheduleWake(at: number): void {
    if (at >= this.#wakeAtTime) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeAtTime = at;
    this.#wakeTimer = setTimeout(
      () => {
        this.#wakeAtTime = Infinity;
        this.poke();
      },
      Math.max(0, at - this.#o.now()),
    );
    this.#wakeTimer.unref();
  }

  /** Registered workflows by version, rebuilt only when the registry changed. */
  #versions(): { byVersion: Map<string, Workflow>; versions: string[] } {
    const generation = this.#o.registry.generation;
    if (this.#versionCache?.generation !== generation) {
      const byVersion = new Map(this.#o.registry.workflows().map((wf) => [wf.version, wf] as const));
      this.#versionCache = { generation, byVersion, versions: [...byVersion.keys()] };
    }
    return this.#versionCache;
  }

  async #startAll(claimed: ClaimedTask[], byVersion: Map<string, Workflow>): Promise<void> {
    if (claimed.length === 0) return;
    // A task needs the outputs of all its ancestors. Ours are cached; ones another process wrote
    // (or that were written before a restart) are read: one query for the whole batch.
    const stale = new Set<string>();
    for (const task of claimed) {
      const state = this.#runs.get(task.runId);
      const wf = byVersion.get(task.workflowVersion);
      const definitionId = task.instance?.of ?? task.taskId;
      if (!state || (wf && ancestorsInOrder(wf, definitionId).some((id) => !state.outputs.has(id))))
        stale.add(task.runId);
    }
    if (stale.size > 0) {
      try {
        const states = await retried(() => this.#o.store.runs.loadRunStates([...stale]));
        for (const [runId, state] of states) this.#runs.set(runId, state);
      } catch (error) {
        // The claims are committed: never leave them held (lease renewal would keep them forever).
        // Without its state an attempt fails like any other ("no run state here"), so its retry
        // policy decides, and its outcome is written once the store answers again.
        this.#o.onError(error);
      }
    }
    for (const task of claimed) this.#start(task, byVersion.get(task.workflowVersion));
  }

  #start(task: ClaimedTask, wf: Workflow | undefined): void {
    const key = `${task.runId}\u0000${task.taskId}`;
    const controller = new AbortController();
    if (this.#cancelled.has(task.runId)) controller.abort(cancelledReason(task.runId));
    const state = this.#runs.get(task.runId);
    const startedAt = performance.now();
    const span = this.#o.tracing.attemptStarted(task.runId, task.taskId, wf?.name ?? "?", task.attempt);
    const settled = runAttempt({
      task,
      workflow: wf,
      state,
      controller,
      now: this.#o.now,
      maxContextBytes: this.#o.maxContextBytes,
      recoveryBudget: this.#o.recoveryBudget,
      services: this.#o.services,
    }).then((outcome) => {
      this.#running.delete(key);
      // An instance's durations are its mapped task's (one ring per task, not per element).
      this.stats.record(task.instance?.of ?? task.taskId, outcome.kind, performance.now() - startedAt);
      this.#o.tracing.attemptFinished(span, outcome.kind, "error" in outcome ? outcome.error : undefined);
      if (this.#stopped) return; // its lease was handed back: the next executor runs it again
      // An instance's output is not a context patch: its mapped task collects it from the store.
      if (outcome.kind === "completed" && !task.instance) state?.outputs.set(task.taskId, outcome.output);
      this.#outcomes.push(outcome);
      this.#schedule();
    });
    this.#running.set(key, { runId: task.runId, controller, settled });
  }
}

function cancelledReason(runId: string): TaskCancelledError {
  return new TaskCancelledError("TASK_CANCELLED", `Run ${runId} was cancelled.`);
}

function idempotencyConflict(run: NewRun, existingWorkflow: string): ValidationError {
  return new ValidationError(
    "IDEMPOTENCY_KEY_REUSED",
    `Idempotency key "${run.idempotencyKey}" already belongs to a run of workflow "${existingWorkflow}", ` +
      `not "${run.workflowName}". Use a key per workflow (for example "${run.workflowName}:<your key>").`,
    { details: { idempotencyKey: run.idempotencyKey, existingWorkflow } },
  );
}

/** Tries a read a few times: after a claim is committed, giving up strands the claimed tasks. */
async function retried<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
