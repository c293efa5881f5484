import { expect } from "vitest";
import { defineWorkflow } from "./harness.js";
import type { CaseFn } from "./index.js";

/** A clock the test moves by hand: schedules are tested without waiting real minutes. */
function testClock(iso: string) {
  let now = Date.parse(iso);
  return { now: () => now, set: (to: string) => void (now = Date.parse(to)) };
}

export function scheduleCases(it: CaseFn): void {
  it("schedules are validated when declared", async (session) => {
    const { wf } = defineWorkflow({ job: {} });
    const executor = await session.executor();
    await expect(executor.schedule(wf, { cron: "every five minutes" })).rejects.toMatchObject({ code: "INVALID_CRON" });
    await expect(executor.schedule(wf, { cron: "*/5 * * * *", timezone: "Mars/Olympus" })).rejects.toMatchObject({
      code: "INVALID_TIMEZONE",
    });
    await expect(executor.schedule(wf, { cron: "0 0 30 2 *" })).rejects.toMatchObject({ code: "CRON_NEVER_FIRES" });
    await expect(executor.schedule(wf, { cron: "* * * * *", missed: "sometimes" as never })).rejects.toMatchObject({
      code: "INVALID_SCHEDULE",
    });
    await expect(executor.schedule(wf, { cron: "* * * * *", context: { f: () => 1 } })).rejects.toMatchObject({
      code: "UNSERIALIZABLE_CONTEXT",
    });
    expect(await executor.schedules()).toEqual([]);
  });

  it("fires on time, in the schedule's time zone, with its context; persisted and listable", async (session) => {
    const clock = testClock("2024-01-01T00:00:30Z");
    const { wf } = defineWorkflow({ job: { run: (ctx) => ({ saw: ctx.report }) } });
    const executor = await session.executor({ now: clock.now });
    const declared = await executor.schedule(wf, {
      cron: "0 9 * * *",
      timezone: "Europe/Amsterdam",
      context: { report: "daily" },
    });
    expect(declared.nextFireAt.toISOString()).toBe("2024-01-01T08:00:00.000Z"); // 09:00 in Amsterdam (UTC+1)
    expect(await executor.fireDueSchedules()).toBe(0);
    clock.set("2024-01-01T08:00:02Z");
    expect(await executor.fireDueSchedules()).toBe(1);
    expect(await executor.fireDueSchedules()).toBe(0); // handled once
    const [listed] = await executor.schedules();
    expect(listed).toMatchObject({ id: declared.id, paused: false, lastFiredAt: new Date("2024-01-01T08:00:00Z") });
    expect(listed!.nextFireAt.toISOString()).toBe("2024-01-02T08:00:00.000Z");
    const runs = (await executor.listRuns({ workflow: wf.name })).runs;
    expect(runs).toHaveLength(1);
    const result = await (await executor.get(runs[0]!.runId)).result();
    expect(result.finalContext).toEqual({ report: "daily", saw: "daily" });
    // Declaring it again (as every process start does) keeps its place in time.
    const again = await executor.schedule(wf, {
      cron: "0 9 * * *",
      timezone: "Europe/Amsterdam",
      context: { report: "daily" },
    });
    expect(again.nextFireAt.toISOString()).toBe("2024-01-02T08:00:00.000Z");
  });

  it("with two executors on the database, each due fire starts exactly one run", async (session) => {
    const clock = testClock("2024-01-01T00:00:30Z");
    const { wf } = defineWorkflow({ job: {} });
    const a = await session.executor({ now: clock.now });
    const b = await session.executor({ now: clock.now });
    await a.schedule(wf, { cron: "*/5 * * * *" });
    for (const at of ["00:05:01", "00:10:00", "00:15:30"]) {
      clock.set(`2024-01-01T${at}Z`);
      await Promise.all([a.fireDueSchedules(), b.fireDueSchedules(), a.fireDueSchedules(), b.fireDueSchedules()]);
    }
    expect((await a.listRuns({ workflow: wf.name })).runs).toHaveLength(3);
  });

  it("after downtime, missed fires follow the policy: skip, runOnce, runAll (capped)", async (session) => {
    const clock = testClock("2024-01-01T00:00:30Z");
    const executor = await session.executor({ now: clock.now });
    const policies = ["skip", "runOnce", "runAll"] as const;
    const workflows = policies.map(() => defineWorkflow({ job: {} }).wf);
    for (const [i, missed] of policies.entries()) {
      await executor.schedule(workflows[i]!, { cron: "*/5 * * * *", missed, catchUpLimit: 3 });
    }
    // Down from 00:00:30 until 01:02:00: fires 00:05 … 01:00 were missed (01:00 is two minutes late).
    clock.set("2024-01-01T01:02:00Z");
    await executor.fireDueSchedules();
    const count = async (i: number) => (await executor.listRuns({ workflow: workflows[i]!.name })).runs.length;
    expect([await count(0), await count(1), await count(2)]).toEqual([0, 1, 3]);
    // Back on time: the next fire runs under every policy.
    clock.set("2024-01-01T01:05:10Z");
    await executor.fireDueSchedules();
    expect([await count(0), await count(1), await count(2)]).toEqual([1, 2, 4]);
  });

  it("schedules can be paused, resumed (skipping the pause) and removed", async (session) => {
    const clock = testClock("2024-01-01T00:00:30Z");
    const { wf } = defineWorkflow({ job: {} });
    const executor = await session.executor({ now: clock.now });
    const { id } = await executor.schedule(wf, { cron: "*/5 * * * *", missed: "runAll" });
    await executor.pauseSchedule(id);
    clock.set("2024-01-01T00:20:00Z");
    expect(await executor.fireDueSchedules()).toBe(0);
    await executor.resumeSchedule(id);
    expect((await executor.schedules())[0]).toMatchObject({
      paused: false,
      nextFireAt: new Date("2024-01-01T00:25:00Z"),
    });
    expect(await executor.fireDueSchedules()).toBe(0);
    await executor.removeSchedule(id);
    expect(await executor.schedules()).toEqual([]);
    await expect(executor.removeSchedule(id)).rejects.toMatchObject({ code: "SCHEDULE_NOT_FOUND" });
    await expect(executor.pauseSchedule(id)).rejects.toMatchObject({ code: "SCHEDULE_NOT_FOUND" });
  });
}
