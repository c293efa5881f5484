import type { ScheduleRecord } from "../store/records.js";
import { nextFire } from "./schedule-options.js";

/** A fire more than this late counts as missed (its executor was down), not on time. */
export const MISSED_AFTER_MS = 60_000;
/** Never enumerate more missed fires than this (an every-second cron after a month offline). */
const MAX_ENUMERATED = 10_000;

/**
 * Which due fires of a schedule start a run at `now`, and its next fire after that. Fires are
 * listed from the stored `nextFireAt` up to `now`; the latest one, if it is not older than
 * MISSED_AFTER_MS, is on time and always runs; the others were missed and follow the policy.
 */
export function dueFires(schedule: ScheduleRecord, now: number): { fires: number[]; next: number | null } {
  const due: number[] = [];
  let at: number | null = schedule.nextFireAt;
  while (at !== null && at <= now && due.length < MAX_ENUMERATED) {
    due.push(at);
    at = nextFire(schedule.cron, schedule.timezone, at);
  }
  const next = nextFire(schedule.cron, schedule.timezone, now);
  const latest = due.at(-1);
  const onTime = latest !== undefined && now - latest <= MISSED_AFTER_MS ? [latest] : [];
  const missed = onTime.length > 0 ? due.slice(0, -1) : due;
  if (missed.length === 0) return { fires: onTime, next };
  switch (schedule.missed) {
    case "skip":
      return { fires: onTime, next };
    case "runOnce":
      // One run stands for everything missed (and for the on-time fire, if there is one).
      return { fires: [latest!], next };
    case "runAll":
      return { fires: [...missed.slice(-schedule.catchUpLimit), ...onTime], next };
  }
}
