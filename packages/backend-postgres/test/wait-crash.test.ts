/**
 * Issue 12, item 6, on PostgreSQL with real processes: a worker killed with SIGKILL while its
 * task sleeps, waits for a signal, or waits between two calls (callAgainIn) loses nothing; another
 * process completes the run, and no completed task runs again. Waits hold no lease: the killed
 * worker's lease is 30 s, yet the survivor finishes within a few seconds.
 */
import { resetRegistry } from "@cloacina/engine";
import { describe, expect, test } from "vitest";
import { skipPostgres } from "./pg-test-db.js";
import { readTaskLog, stopProcess, storedSignals, taskRows, until, WAIT_WORKERS } from "./wait-processes.js";
import { workerFixture } from "./workers.js";

resetRegistry();
const { approval, napping, NAP_MS, polling, POLLS } = await import("./fixtures/wait-workflows.js");

/** The killed worker's lease: far longer than any test, so nothing here waits for it to expire. */
const LONG_LEASE_MS = "30000";

describe.skipIf(skipPostgres)("a worker killed with SIGKILL while its task waits loses nothing", () => {
  const fixture = workerFixture("wcrash", { ...WAIT_WORKERS, LEASE_MS: LONG_LEASE_MS });

  async function setup() {
    const { schema, client, worker, log } = await fixture.setup();
    const row = async (runId: string, taskId: string) =>
      (await taskRows(schema, runId)).find((r) => r.task_id === taskId);
    return { schema, client, worker, log, row };
  }

  test("during a sleep: a survivor started before the wake time completes it at its time, not before", async () => {
    const { client, worker, log, row } = await setup();
    const doomed = await worker();
    const handle = await client.start(napping, {});
    await until(async () => (await row(handle.executionId, "wp.nap.sleep"))?.status === "Waiting", "the sleep waits");
    const waiting = (await row(handle.executionId, "wp.nap.sleep"))!;
    expect(waiting).toMatchObject({ lease_owner: null, calls: 1 }); // a waiting task holds no lease
    await stopProcess(doomed, "SIGKILL");
    const survivor = await worker();
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ before: 1, after: 2 });
    const lines = readTaskLog(log);
    expect(lines.map((l) => [l.task, l.pid])).toEqual([
      ["wp.nap.before", doomed.pid],
      ["wp.nap.after", survivor.pid],
    ]);
    // The sleep did not end early in the survivor, and its wake time was the stored one.
    const wakeAt = Number(waiting.wake_at);
    expect(wakeAt - lines[0]!.at).toBeGreaterThanOrEqual(NAP_MS);
    expect(lines[1]!.at).toBeGreaterThanOrEqual(wakeAt);
    expect(result.tasks.map((t) => [t.id, t.status, t.attempts])).toEqual([
      ["wp.nap.before", "Completed", 1],
      ["wp.nap.sleep", "Completed", 1],
      ["wp.nap.after", "Completed", 1],
    ]);
  }, 20_000);

  test("during a sleep: a survivor that opens after the wake time completes it at once", async () => {
    const { client, worker, log, row } = await setup();
    const doomed = await worker();
    const handle = await client.start(napping, {});
    await until(async () => (await row(handle.executionId, "wp.nap.sleep"))?.status === "Waiting", "the sleep waits");
    const wakeAt = Number((await row(handle.executionId, "wp.nap.sleep"))!.wake_at);
    await stopProcess(doomed, "SIGKILL");
    await until(() => Date.now() > wakeAt + 100, "the wake time has passed", NAP_MS + 2_000);
    expect((await row(handle.executionId, "wp.nap.sleep"))?.status).toBe("Waiting"); // nobody woke it
    const survivor = await worker();
    const readyAt = Date.now();
    const result = await handle.result();
    // At once: on start-up, not on the safety poll (5 s) nor the dead worker's lease (30 s).
    expect(Date.now() - readyAt).toBeLessThan(2_000);
    expect(result.status).toBe("Completed");
    expect(readTaskLog(log).map((l) => [l.task, l.pid])).toEqual([
      ["wp.nap.before", doomed.pid],
      ["wp.nap.after", survivor.pid],
    ]);
  }, 20_000);

  test("during a signal wait: the signal sent while no worker lives is kept, and a survivor completes with it", async () => {
    const { schema, client, worker, log, row } = await setup();
    const doomed = await worker();
    const handle = await client.start(approval, {});
    const id = handle.executionId;
    await until(async () => (await row(id, "wp.ap.approval"))?.status === "Waiting", "the approval waits");
    await stopProcess(doomed, "SIGKILL");
    // No worker is alive: the signal is stored and the task made Ready, in one transaction.
    await expect(client.signal(id, "wp.ap.approval", { by: 7 })).rejects.toMatchObject({ code: "INVALID_SIGNAL" });
    expect(await client.signal(id, "wp.ap.approval", { by: "ada" }, { key: "k" })).toEqual({ delivered: true });
    expect(await client.signal(id, "wp.ap.approval", { by: "bob" }, { key: "k" })).toEqual({ delivered: false });
    expect((await row(id, "wp.ap.approval"))?.status).toBe("Ready");
    const survivor = await worker();
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ before: 1, "wp.ap.approval": { by: "ada" }, approvedBy: "ada" });
    expect(readTaskLog(log).map((l) => [l.task, l.pid, l.by])).toEqual([
      ["wp.ap.before", doomed.pid, undefined],
      ["wp.ap.after", survivor.pid, "ada"],
    ]);
    expect((await storedSignals(schema, id)).map((s) => s.key)).toEqual(["k"]);
    await expect(client.signal(id, "wp.ap.approval", { by: "late" })).rejects.toMatchObject({
      code: "SIGNAL_NOT_ACCEPTED",
    });
  }, 20_000);

  test("during a signal wait: a survivor running before the signal is woken by it (NOTIFY from another process)", async () => {
    const { client, worker, log, row } = await setup();
    const doomed = await worker();
    const handle = await client.start(approval, {});
    const id = handle.executionId;
    await until(async () => (await row(id, "wp.ap.approval"))?.status === "Waiting", "the approval waits");
    await stopProcess(doomed, "SIGKILL");
    const survivor = await worker();
    expect((await row(id, "wp.ap.approval"))?.status).toBe("Waiting"); // the survivor leaves it waiting
    expect(await client.signal(id, "wp.ap.approval", { by: "ada" })).toEqual({ delivered: true });
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ approvedBy: "ada" });
    expect(readTaskLog(log).map((l) => [l.task, l.pid])).toEqual([
      ["wp.ap.before", doomed.pid],
      ["wp.ap.after", survivor.pid],
    ]);
  }, 20_000);

  test("between two callAgainIn calls: the survivor makes the next call with the state, no call is made twice", async () => {
    const { client, worker, log, row } = await setup();
    const doomed = await worker();
    const handle = await client.start(polling, {});
    const id = handle.executionId;
    // Killed while it waits after its second call (calls 0 and 1 made, by the doomed worker).
    await until(
      async () =>
        readTaskLog(log).filter((l) => l.task === "wp.poll.poll").length === 2 &&
        (await row(id, "wp.poll.poll"))?.status === "Waiting",
      "the poll waits after its second call",
    );
    await stopProcess(doomed, "SIGKILL");
    const killedAt = readTaskLog(log).length;
    const survivor = await worker();
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ polls: POLLS, after: POLLS });
    const lines = readTaskLog(log);
    expect(killedAt).toBe(2);
    expect(lines.map((l) => [l.task, l.pid, l.calls, l.polls, l.attempt])).toEqual([
      ["wp.poll.poll", doomed.pid, 0, 0, 1],
      ["wp.poll.poll", doomed.pid, 1, 1, 1],
      ["wp.poll.poll", survivor.pid, 2, 2, 1],
      ["wp.poll.poll", survivor.pid, 3, 3, 1],
      ["wp.poll.after", survivor.pid, undefined, undefined, undefined],
    ]);
    const detail = await client.inspect(id);
    expect(detail.tasks[0]).toMatchObject({ status: "Completed", failedAttempts: [] });
  }, 20_000);
});
