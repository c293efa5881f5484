import { Cron } from "croner";
import { z } from "zod";
import { ValidationError } from "../errors.js";

export const scheduleOptionsSchema = z.strictObject({
  /** Stable id; declaring a schedule again with the same id updates it. Default: "<workflow>@<cron>". */
  id: z.string().min(1).max(200).optional(),
  /** A cron expression (5 fields, or 6 with seconds), parsed by croner. */
  cron: z.string().min(1),
  /** IANA time zone the expression is read in. Default: UTC. */
  timezone: z.string().min(1).default("UTC"),
  /** The input context of every run it starts. */
  context: z.record(z.string(), z.unknown()).default({}),
  /**
   * Fires missed while no executor was running (or overdue by more than a minute):
   * "skip" them, "runOnce" (one run for all of them), or "runAll" (one run each, the most recent
   * `catchUpLimit` of them).
   */
  missed: z.enum(["skip", "runOnce", "runAll"]).default("skip"),
  catchUpLimit: z.int().min(1).max(1000).default(10),
});

export type ScheduleOptions = z.input<typeof scheduleOptionsSchema>;
export type ResolvedScheduleOptions = z.output<typeof scheduleOptionsSchema>;

/** Validates options, the cron expression and the time zone; throws a ValidationError with a code. */
export function parseScheduleOptions(
  options: ScheduleOptions,
  now: number,
): ResolvedScheduleOptions & { firstFireAt: number } {
  const parsed = scheduleOptionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new ValidationError("INVALID_SCHEDULE", `Invalid schedule options:\n${z.prettifyError(parsed.error)}`);
  }
  const { cron, timezone } = parsed.data;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new ValidationError(
      "INVALID_TIMEZONE",
      `Unknown time zone "${timezone}": use an IANA name such as "Europe/Amsterdam".`,
    );
  }
  const firstFireAt = nextFire(cron, timezone, now);
  if (firstFireAt === null) {
    throw new ValidationError(
      "CRON_NEVER_FIRES",
      `The cron expression "${cron}" never fires (for example, February 30th).`,
    );
  }
  return { ...parsed.data, firstFireAt };
}

/** The first fire strictly after `after`, or null if there is none. */
export function nextFire(cron: string, timezone: string, after: number): number | null {
  let job: Cron;
  try {
    job = new Cron(cron, { timezone, paused: true });
  } catch (error) {
    throw new ValidationError("INVALID_CRON", `Invalid cron expression "${cron}": ${(error as Error).message}`, {
      cause: error,
    });
  }
  return job.nextRun(new Date(after))?.getTime() ?? null;
}
