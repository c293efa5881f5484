/**
 * The engine's side of the store seam: one typed wrapper around every backend's driver, as
 * kysely's `RuntimeDriver` is around a dialect's driver. The rules that are the same for every
 * backend live here, once:
 * - each state change is a plan (`step-plan.ts`) run by the driver in one transaction;
 * - after the commit, this process's event subscribers are rung, and for a driver without a
 *   channel between processes, this process's other executors hear the step's notices;
 * - a transaction that lost a race is run again, and so is a read whose connection went away,
 *   when the driver says the error is of that kind;
 * - a driver's error becomes `STORE_FAILURE` (its cause kept, passwords redacted); an error of
 *   the engine's own plan code is `INTERNAL_ERROR`; the engine's coded errors pass as they are.
 */
import { ExecutorError, isCloacinaError } from "../errors.js";
import { redactUrls } from "../redact.js";
import type { StoredError } from "../types.js";
import type { EventReads, RunReads, ScheduleReads, StoreDriver, WorkflowReads } from "./driver.js";
import { localBus, type LocalBus } from "./local-bus.js";
import {
  failedRunsNotices,
  type Notices,
  recoveryNotices,
  retriedRunNotices,
  signalNotices,
  stepNotices,
} from "./notices.js";
import { call, type Plan, single, type StoreOps } from "./plan.js";
import type {
  RecoveryResult,
  ScheduleRecord,
  StepRequest,
  StepResult,
  StoreEvent,
  TaskReset,
  WorkflowVersionRecord,
} from "./records.js";
import { failRunsPlan, recoverLeasesPlan, retryRunPlan, signalPlan, stepPlan } from "./step-plan.js";

const CONFLICT_ATTEMPTS = 5;
const CONNECTION_ATTEMPTS = 4;

export class Store {
  readonly runs: RunReads;
  readonly schedules: ScheduleReads;
  readonly events: EventReads;
  readonly workflows: WorkflowReads;
  readonly #driver: StoreDriver;
  readonly #bus: LocalBus;

  constructor(driver: StoreDriver) {
    this.#driver = driver;
    // Without an identity, the driver shares one bus with every such driver of the process.
    this.#bus = localBus(driver.identity ?? "<unidentified database>");
    this.runs = this.#guarded("runs", driver.runs);
    this.schedules = this.#guarded("schedules", driver.schedules);
    this.events = this.#guarded("events", driver.events);
    this.workflows = this.#guarded("workflows", driver.workflows);
  }

  /** Whether notices of other processes' changes arrive (else only the safety poll sees them). */
  get hearsOtherProcesses(): boolean {
    return this.#driver.listen !== undefined;
  }

  migrate(): Promise<void> {
    return this.#guard("migrate", () => this.#driver.migrate(), "none");
  }

  /** Creates runs, applies outcomes and cancels, settles runs and claims ready tasks: one transaction. */
  step(request: StepRequest): Promise<StepResult> {
    return this.#write(
      "step",
      () => stepPlan(request),
      (r) => stepNotices(request, r),
      (r) => r.events > 0,
    );
  }

  /**
   * Puts Running tasks back to Ready when their lease expired before `now` or their owner is in
   * `deadOwners`, counting a recovery on each.
   */
  recoverLeases(now: number, deadOwners: readonly string[]): Promise<RecoveryResult> {
    return this.#write(
      "recoverLeases",
      () => recoverLeasesPlan(now, deadOwners),
      recoveryNotices,
      (r) => r.recovered > 0,
    );
  }

  /** Fails running runs as a whole (waiting tasks Cancelled); returns those it failed. */
  async failRuns(runs: readonly { runId: string; error: StoredError }[], now: number): Promise<string[]> {
    const result = await this.#write(
      "failRuns",
      () => failRunsPlan(runs, now),
      failedRunsNotices,
      (r) => r.failed.length > 0,
    );
    return result.failed;
  }

  /** Runs a finished run again from the given tasks; false if the run is not finished. */
  retryRun(runId: string, tasks: readonly TaskReset[], now: number, deadline: number | null = null): Promise<boolean> {
    return this.#write(
      "retryRun",
      () => retryRunPlan(runId, tasks, now, deadline),
      retriedRunNotices,
      (reopened) => reopened,
    );
  }

  /** Delivers a signal to a task (see `signalPlan`). */
  signal(
    runId: string,
    taskId: string,
    key: string,
    payload: string,
    now: number,
  ): Promise<StoreOps["deliverSignal"]["result"]> {
    return this.#write(
      "signal",
      () => signalPlan(runId, taskId, key, payload, now),
      (result) => signalNotices(result.woken),
      (result) => result.woken,
    );
  }

  renewLeases(owner: string, expiresAt: number): Promise<void> {
    return this.#write("renewLeases", () => single("renewLeases", { owner, expiresAt }));
  }

  saveSchedule(schedule: ScheduleRecord): Promise<void> {
    return this.#write("saveSchedule", () => single("saveSchedule", { schedule }));
  }

  removeSchedule(id: string): Promise<boolean> {
    return this.#write("removeSchedule", () => single("removeSchedule", { id }));
  }

  advanceSchedule(
    id: string,
    expectedNextFireAt: number,
    nextFireAt: number,
    lastFiredAt: number | null,
  ): Promise<boolean> {
    return this.#write("advanceSchedule", () =>
      single("advanceSchedule", { id, expectedNextFireAt, nextFireAt, lastFiredAt }),
    );
  }

  setSchedulePaused(id: string, paused: boolean, nextFireAt: number): Promise<boolean> {
    return this.#write("setSchedulePaused", () => single("setSchedulePaused", { id, paused, nextFireAt }));
  }

  saveWorkflowVersion(record: WorkflowVersionRecord): Promise<void> {
    return this.#write("saveWorkflowVersion", () => single("saveWorkflowVersion", { record }));
  }

  pruneEvents(before: number): Promise<number> {
    return this.#write("pruneEvents", () => single("pruneEvents", { before }));
  }

  /**
   * Hears the notices of every executor sharing the database: through the driver when it can
   * listen (PostgreSQL), else those of this process's executors.
   */
  async listen(onEvent: (event: StoreEvent) => void): Promise<() => Promise<void>> {
    if (this.#driver.listen) return this.#guard("listen", () => this.#driver.listen!(onEvent), "none");
    const stop = this.#bus.onNotice(onEvent);
    return () => Promise.resolve(stop());
  }

  /** Rung after this process's executors on the same database append events. */
  onLocalAppend(listener: () => void): () => void {
    return this.#bus.onAppend(listener);
  }

  /** Whether another connection committed since the last call; false when the driver cannot tell. */
  changedElsewhere(): boolean {
    if (!this.#driver.changedElsewhere) return false;
    try {
      return this.#driver.changedElsewhere();
    } catch (error) {
      throw this.#failure("changedElsewhere", error);
    }
  }

  /** Whether the driver can tell {@link changedElsewhere} (a cheap check instead of a poll). */
  get seesChangesElsewhere(): boolean {
    return this.#driver.changedElsewhere !== undefined;
  }

  ping(): Promise<void> {
    if (this.#driver.ping) return this.#guard("ping", () => this.#driver.ping!(), "read");
    return this.runs.getRun("").then(() => undefined);
  }

  close(): Promise<void> {
    return this.#guard("close", () => this.#driver.close(), "none");
  }

  /** Runs a plan in one transaction, then tells this process what it changed. */
  async #write<T>(
    what: string,
    plan: () => Plan<T>,
    notices?: (result: T) => Notices,
    appended?: (result: T) => boolean,
  ): Promise<T> {
    let decided: Notices | undefined;
    const result = await this.#guard(
      what,
      () =>
        this.#driver.transact(
          (function* (): Plan<T> {
            const value = yield* plan();
            decided = notices?.(value);
            if (decided && decided.shared.length > 0) yield* call("notify", { notices: decided.shared });
            return value;
          })(),
        ),
      "transaction",
    );
    if (appended?.(result)) this.#bus.appended();
    if (decided && !this.#driver.listen) for (const notice of decided.local) this.#bus.notify(notice);
    return result;
  }

  async #guard<T>(what: string, call: () => Promise<T>, retry: "transaction" | "read" | "none"): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await call();
      } catch (error) {
        const kind = retry === "none" || isCloacinaError(error) ? undefined : this.#driver.retryable?.(error);
        if (retry === "transaction" && kind === "conflict" && attempt < CONFLICT_ATTEMPTS) continue;
        if (retry === "read" && kind === "connection" && attempt < CONNECTION_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
          continue;
        }
        throw this.#failure(what, error);
      }
    }
  }

  #failure(what: string, error: unknown): Error {
    if (isCloacinaError(error)) return error;
    const cause = redactInPlace(error);
    const message = cause instanceof Error ? cause.message : String(cause);
    return new ExecutorError("STORE_FAILURE", `${this.#driver.name} store: ${what} failed: ${message}`, { cause });
  }

  /** A read part whose every method goes through the guard (its own methods, bound to it). */
  #guarded<T extends object>(part: string, reads: T): T {
    const wrapped: Record<string, unknown> = {};
    for (const name of methodNames(reads)) {
      const method = (reads as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
      wrapped[name] = (...args: unknown[]) => this.#guard(`${part}.${name}`, () => method.apply(reads, args), "read");
    }
    return wrapped as T;
  }
}

/** Own and inherited method names of an object (a part may be an object literal or a class instance). */
function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (
    let o: object | null = object;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name !== "constructor" && typeof (object as Record<string, unknown>)[name] === "function") names.add(name);
    }
  }
  return [...names];
}

/** Driver errors may quote a connection string: redact the message and stack of the cause chain. */
function redactInPlace(error: unknown): unknown {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    try {
      e.message = redactUrls(e.message);
      if (e.stack !== undefined) e.stack = redactUrls(e.stack);
    } catch {
      // A frozen error keeps its text; ours is redacted anyway.
    }
  }
  return error;
}
