import { ValidationError } from "../errors.js";
import { decodeContext, encode } from "../marshal/marshal.js";
import type { Registry } from "../registry/registry.js";
import type { ScheduleRecord } from "../store/records.js";
import type { Store } from "../store/store.js";
import type { Context } from "../types.js";
import type { Workflow } from "../workflow/workflow.js";
import { dueFires } from "./fires.js";
import { nextFire, parseScheduleOptions, type ScheduleOptions } from "./schedule-options.js";

/** A schedule as users see it. */
export interface ScheduleInfo {
  id: string;
  workflow: string;
  cron: string;
  timezone: string;
  missed: ScheduleRecord["missed"];
  catchUpLimit: number;
  paused: boolean;
  nextFireAt: Date;
  lastFiredAt?: Date;
}

export interface SchedulerDeps {
  store: Store;
  registry: Registry;
  now: () => number;
  maxContextBytes: number;
  /** Starts a run (idempotently, by key). */
  start: (wf: Workflow, input: Context, idempotencyKey: string) => Promise<unknown>;
  onError: (error: unknown) => void;
}

/**
 * Fires cron schedules. Each fire starts its run with the idempotency key
 * "schedule:<id>:<fire time>", then moves the schedule on with a compare-and-set, so with any
 * number of executors (processes) running, each fire starts exactly one run, and a crash between
 * the two steps only makes the next executor redo an idempotent start.
 */
export class Scheduler {
  readonly #d: SchedulerDeps;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #firing: Promise<number> | undefined;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
  }

  async save(wf: Workflow, options: ScheduleOptions): Promise<ScheduleInfo> {
    const now = this.#d.now();
    const parsed = parseScheduleOptions(options, now);
    const id = parsed.id ?? `${wf.name}@${parsed.cron}${parsed.timezone === "UTC" ? "" : `@${parsed.timezone}`}`;
    const existing = await this.#d.store.schedules.getSchedule(id);
    const sameTimes = existing && existing.cron === parsed.cron && existing.timezone === parsed.timezone;
    const record: ScheduleRecord = {
      id,
      workflowName: wf.name,
      cron: parsed.cron,
      timezone: parsed.timezone,
      context: encode(parsed.context, `the context of schedule "${id}"`, this.#d.maxContextBytes),
      missed: parsed.missed,
      catchUpLimit: parsed.catchUpLimit,
      paused: existing?.paused ?? false,
      // Declaring the same schedule again (every process start does) keeps its place in time.
      nextFireAt: sameTimes ? existing.nextFireAt : parsed.firstFireAt,
      lastFiredAt: existing?.lastFiredAt ?? null,
      createdAt: existing?.createdAt ?? now,
    };
    await this.#d.store.saveSchedule(record);
    this.arm();
    return info(record);
  }

  async list(): Promise<ScheduleInfo[]> {
    return (await this.#d.store.schedules.listSchedules()).map(info);
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const schedule = await this.#require(id);
    // Resuming skips the fires that fell in the pause.
    const next = paused
      ? schedule.nextFireAt
      : (nextFire(schedule.cron, schedule.timezone, this.#d.now()) ?? schedule.nextFireAt);
    await this.#d.store.setSchedulePaused(id, paused, next);
    this.arm();
  }

  async remove(id: string): Promise<void> {
    if (!(await this.#d.store.removeSchedule(id))) throw notFound(id);
  }

  async #require(id: string): Promise<ScheduleRecord> {
    const schedule = await this.#d.store.schedules.getSchedule(id);
    if (!schedule) throw notFound(id);
    return schedule;
  }

  /** Starts the runs of every due fire now; returns how many fires were handled. */
  fireDue(): Promise<number> {
    // One pass at a time per executor; other executors are kept apart by the compare-and-set.
    this.#firing ??= this.#fire().finally(() => {
      this.#firing = undefined;
      this.arm();
    });
    return this.#firing;
  }

  async #fire(): Promise<number> {
    const now = this.#d.now();
    const names = this.#d.registry.workflows().map((wf) => wf.name);
    let fired = 0;
    for (const schedule of await this.#d.store.schedules.dueSchedules(now, names)) {
      // One broken schedule (its context no longer decodes, its key taken) must not stop the others.
      try {
        fired += await this.#fireOne(schedule, now);
      } catch (error) {
        this.#d.onError(error);
      }
    }
    return fired;
  }

  async #fireOne(schedule: ScheduleRecord, now: number): Promise<number> {
    const wf = this.#d.registry.workflow(schedule.workflowName);
    if (!wf) return 0;
    const { fires, next } = dueFires(schedule, now);
    for (const at of fires) {
      await this.#d.start(wf, decodeContext(schedule.context), `schedule:${schedule.id}:${new Date(at).toISOString()}`);
    }
    // A schedule that will never fire again is paused rather than left due forever.
    const moved =
      next === null
        ? await this.#d.store.setSchedulePaused(schedule.id, true, schedule.nextFireAt)
        : await this.#d.store.advanceSchedule(
            schedule.id,
            schedule.nextFireAt,
            next,
            fires.at(-1) ?? schedule.lastFiredAt,
          );
    return moved ? fires.length : 0;
  }

  /** One timer for the earliest next fire among this process's workflows' schedules. */
  arm(): void {
    if (this.#stopped) return;
    const names = this.#d.registry.workflows().map((wf) => wf.name);
    this.#d.store.schedules.nextScheduleAt(names).then(
      (at) => {
        clearTimeout(this.#timer);
        if (at === null || this.#stopped) return;
        // Long waits are re-armed in steps: timers cannot be longer than ~24.8 days.
        const delay = Math.min(Math.max(0, at - this.#d.now()), 60 * 60 * 1000);
        this.#timer = setTimeout(() => void this.fireDue().catch(this.#d.onError), delay);
        this.#timer.unref();
      },
      (error: unknown) => this.#d.onError(error),
    );
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}

function info(s: ScheduleRecord): ScheduleInfo {
  const result: ScheduleInfo = {
    id: s.id,
    workflow: s.workflowName,
    cron: s.cron,
    timezone: s.timezone,
    missed: s.missed,
    catchUpLimit: s.catchUpLimit,
    paused: s.paused,
    nextFireAt: new Date(s.nextFireAt),
  };
  if (s.lastFiredAt !== null) result.lastFiredAt = new Date(s.lastFiredAt);
  return result;
}

function notFound(id: string): ValidationError {
  return new ValidationError("SCHEDULE_NOT_FOUND", `No schedule with id "${id}".`, { details: { id } });
}
