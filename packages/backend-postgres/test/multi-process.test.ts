import { createExecutor } from "@cloacina/backend-postgres";
import { compareSeq, type ExecutorEvent, resetRegistry } from "@cloacina/engine";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { admin, dropSchema, freshSchema, skipPostgres } from "./pg-test-db.js";
import { readLog, startWorker, stopWorker, workerFixture } from "./workers.js";

resetRegistry();
const { chain, tick, waitForCancel, wide, WIDTH } = await import("./fixtures/workflows.js");

describe.skipIf(skipPostgres)("several worker processes share one PostgreSQL database", () => {
  const { setup, cleanups } = workerFixture("mp");

  test("4 workers drain a 1 → 2,000 → 1 workflow: every task runs exactly once, all 4 do work", async () => {
    const { client, worker, log } = await setup();
    const workers = await Promise.all([1, 2, 3, 4].map(() => worker()));
    const handle = await client.start(wide, {});
    // result() is woken by the workers' NOTIFY: this process runs no task.
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext.sum).toBe(0 + 500 + 1000 + 1500);

    const lines = readLog(log);
    const runsPerTask = new Map<string, number>();
    for (const { task } of lines) runsPerTask.set(task, (runsPerTask.get(task) ?? 0) + 1);
    expect(runsPerTask.size).toBe(WIDTH + 2);
    expect([...runsPerTask.values()].every((n) => n === 1)).toBe(true);
    const perWorker = new Map<string, number>();
    for (const { pid } of lines) perWorker.set(pid, (perWorker.get(pid) ?? 0) + 1);
    expect(new Set(perWorker.keys())).toEqual(new Set(workers.map((w) => String(w.pid))));
    for (const n of perWorker.values()) expect(n).toBeGreaterThan(0);
  }, 120_000);

  test("a worker killed with SIGKILL mid-run: another finishes the run, completed tasks are not re-run", async () => {
    const { client, worker, log } = await setup();
    const doomed = await worker({ HANG_AT_B: "1", LEASE_MS: "1000" });
    const handle = await client.start(chain, { from: "client" });
    const deadline = Date.now() + 20_000;
    while (!readLog(log).some((l) => l.task === "mp.chain.b")) {
      if (Date.now() > deadline) throw new Error("the first worker never reached task b");
      await new Promise((r) => setTimeout(r, 20));
    }
    await stopWorker(doomed, "SIGKILL");
    const survivor = await worker({ LEASE_MS: "1000" });
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({
      from: "client",
      a: 1,
      at: new Date("2024-05-06T07:08:09Z"),
      b: 2,
      c: 20,
      sawDate: true,
    });
    expect(readLog(log)).toEqual([
      { task: "mp.chain.a", pid: String(doomed.pid) },
      { task: "mp.chain.b", pid: String(doomed.pid) },
      { task: "mp.chain.b", pid: String(survivor.pid) },
      { task: "mp.chain.c", pid: String(survivor.pid) },
    ]);
    expect(result.tasks.map((t) => t.attempts)).toEqual([1, 2, 1]);
  }, 60_000);

  test("cancel() from another process aborts the running task's signal; the run ends Cancelled", async () => {
    const { client, worker, log } = await setup();
    await worker();
    const handle = await client.start(waitForCancel, {});
    const deadline = Date.now() + 20_000;
    while (!readLog(log).some((l) => l.task === "mp.wait.task")) {
      if (Date.now() > deadline) throw new Error("the task never started");
      await new Promise((r) => setTimeout(r, 20));
    }
    await handle.cancel();
    const result = await handle.result();
    expect(result.status).toBe("Cancelled");
    expect(result.tasks[0]?.status).toBe("Cancelled");
    expect(readLog(log).map((l) => l.task)).toEqual(["mp.wait.task", "aborted:TASK_CANCELLED"]);
  }, 60_000);

  test("events raised by workers in other processes reach a subscriber here; cut off, it resumes without gap or duplicate", async () => {
    const { worker } = await setup();
    const { schema, url } = freshSchema("mpev");
    cleanups.push(() => dropSchema(schema));
    const name = `cloacina-events-${process.pid}-${Date.now()}`;
    const client = await createExecutor(`${url}&application_name=${name}`, { runTasks: false, onError: () => {} });
    cleanups.push(() => client.close());
    await Promise.all([1, 2].map(() => worker({ DB_URL: url })));
    const handle = await client.start(wide, {});
    const seen: ExecutorEvent[] = [];
    let cut = false;
    for await (const event of client.events({ executionId: handle.executionId })) {
      seen.push(event);
      if (!cut && seen.length === 1500) {
        // Every connection of this process's executor, the LISTEN one included, is killed.
        cut = true;
        const killed = await admin<{ pid: number }>(
          "select pg_terminate_backend(pid) as pid from pg_stat_activity where application_name = $1",
          [name],
        );
        expect(killed.length).toBeGreaterThan(0);
      }
    } // ends with run.completed
    expect(cut).toBe(true);
    expect(seen.at(-1)?.type).toBe("run.completed");
    const total = 2 + (WIDTH + 2) * 3;
    expect(seen.length).toBe(total);
    expect(new Set(seen.map((e) => e.seq)).size).toBe(total);
    for (let i = 1; i < seen.length; i++) expect(compareSeq(seen[i - 1]!.seq, seen[i]!.seq)).toBeLessThan(0);
    const replay: string[] = [];
    for await (const event of client.events({ executionId: handle.executionId })) replay.push(event.seq);
    expect(replay).toEqual(seen.map((e) => e.seq));
  }, 120_000);

  test("two worker processes firing one cron schedule start exactly one run per due fire", async () => {
    const { schema, url } = freshSchema("mpcron");
    cleanups.push(() => dropSchema(schema));
    // Declared as if 40 minutes ago (an injected clock), so 40 fires are due at once when the
    // workers start: each must start one run, whichever worker gets to it.
    const declaredAt = Date.now() - 40 * 60_000;
    const past = await createExecutor(url, { runTasks: false, now: () => declaredAt });
    await past.schedule(tick, { cron: "* * * * *", missed: "runAll", catchUpLimit: 1000 });
    await past.close();
    const log = path.join(mkdtempSync(path.join(tmpdir(), "cloacina-cron-")), "tasks.log");
    const workers = await Promise.all([1, 2].map(() => startWorker({ DB_URL: url, TASK_LOG: log })));
    cleanups.push(() => Promise.all(workers.map((w) => stopWorker(w, "SIGKILL"))).then(() => {}));
    const minute = (t: number) => Math.floor(t / 60_000);
    const due = () => minute(Date.now()) - minute(declaredAt);
    const stored = async () =>
      admin<{ key: string; n: string }>(
        `select idempotency_key as key, count(*) as n from "${schema}".cloacina_runs group by 1 order by 1`,
      );
    const deadline = Date.now() + 30_000;
    while ((await stored()).length < due()) {
      if (Date.now() > deadline) throw new Error(`only ${(await stored()).length} of ${due()} fires started a run`);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 500)); // a duplicate, if any, would land meanwhile
    const runs = await stored();
    expect(runs.length).toBeGreaterThanOrEqual(40);
    expect(runs.length).toBeLessThanOrEqual(due());
    expect(runs.every((r) => Number(r.n) === 1)).toBe(true);
    expect(new Set(runs.map((r) => r.key)).size).toBe(runs.length);
    const until = Date.now() + 20_000;
    while (readLog(log).length < runs.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(readLog(log).length).toBe(runs.length); // each run's task ran once
  }, 90_000);
});
