/**
 * Issue 12, item 6, on PostgreSQL with real processes: two processes signalling one task at
 * once, a signal racing its wait's timeout, and a signal racing a cancel end in one consistent
 * outcome: each run in one final status, each task in one final status with at most one payload,
 * and every call's answer agreeing with what happened. Each race is run on several runs at once.
 *
 * Three cases pin down bugs these races found (fixed since): a signal told "delivered" that its
 * task never took, and a wait already due when stored waiting for the safety poll.
 */
import { createExecutor } from "@cloacina/backend-postgres";
import { type Executor, resetRegistry } from "@cloacina/engine";
import { describe, expect, test } from "vitest";
import { admin, skipPostgres } from "./pg-test-db.js";
import {
  type SignalOutcome,
  signallers,
  WAIT_WORKERS,
  stopProcess,
  storedSignals,
  taskRows,
  until,
} from "./wait-processes.js";
import { workerFixture } from "./workers.js";

resetRegistry();
const { againNow, gate, timed, TIMEOUT_MS } = await import("./fixtures/wait-workflows.js");

/** How many runs each race is run on at once. */
const RUNS = 8;
const FINAL = ["Completed", "Failed", "Cancelled", "Skipped"];

describe.skipIf(skipPostgres)("signals racing each other, a timeout and a cancel, across processes", () => {
  const fixture = workerFixture("wrace", WAIT_WORKERS);
  const { setup, cleanups } = fixture;

  /** Starts `count` runs of `wf` and waits until each one's only task is Waiting. */
  async function waitingRuns(
    client: Executor,
    schema: string,
    wf: typeof gate | typeof timed,
    count = RUNS,
  ): Promise<string[]> {
    const ids = await Promise.all(Array.from({ length: count }, async () => (await client.start(wf, {})).executionId));
    await until(
      async () => (await taskRows(schema)).filter((r) => r.status === "Waiting").length === count,
      `${count} tasks wait`,
    );
    return ids;
  }

  /** After the runs settle: each run's status, its one task's row, and the signals kept for it. */
  async function settled(client: Executor, schema: string, ids: string[]) {
    return Promise.all(
      ids.map(async (id) => {
        const result = await (await client.get(id)).result();
        const [row] = await taskRows(schema, id);
        return { id, result, row: row!, signals: await storedSignals(schema, id) };
      }),
    );
  }

  const isDelivered = (o: SignalOutcome | undefined) => o !== undefined && "delivered" in o && o.delivered;

  test("two processes send one signal (same key) at once: one is delivered, the task completes once with it", async () => {
    const { schema, url, client, worker } = await setup();
    await worker();
    const ids = await waitingRuns(client, schema, gate);
    const send = (from: string) =>
      ids.map((executionId) => ({ executionId, taskId: "wp.gate.signal", payload: { from }, key: "the-key" }));
    const [p1, p2] = await (await signallers(url, 2)).send([send("p1"), send("p2")]);
    for (const [i, run] of (await settled(client, schema, ids)).entries()) {
      const outcomes = [p1![i], p2![i]];
      // Exactly one call was delivered; the other found its key taken (or the task finished).
      expect(outcomes.filter(isDelivered)).toHaveLength(1);
      for (const o of outcomes.filter((o) => !isDelivered(o))) {
        expect([{ delivered: false }, { code: "SIGNAL_NOT_ACCEPTED" }]).toContainEqual(o);
      }
      const winner = isDelivered(outcomes[0]) ? "p1" : "p2";
      expect(run.result.status).toBe("Completed");
      expect(run.result.finalContext).toEqual({ "wp.gate.signal": { from: winner } });
      expect(run.row).toMatchObject({ status: "Completed", attempt: 1, calls: 1 });
      expect(run.signals).toEqual([{ key: "the-key", payload: expect.stringContaining(winner) }]);
    }
  }, 30_000);

  test("two processes send different signals at once: the task completes once, with one of the payloads", async () => {
    const { schema, url, client, worker } = await setup();
    await worker();
    const ids = await waitingRuns(client, schema, gate);
    const send = (from: string) =>
      ids.map((executionId) => ({ executionId, taskId: "wp.gate.signal", payload: { from }, key: from }));
    const [p1, p2] = await (await signallers(url, 2)).send([send("p1"), send("p2")]);
    for (const [i, run] of (await settled(client, schema, ids)).entries()) {
      const outcomes = { p1: p1![i], p2: p2![i] };
      expect(run.result.status).toBe("Completed");
      expect(run.row).toMatchObject({ status: "Completed", attempt: 1, calls: 1 });
      const taken = (run.result.finalContext as { "wp.gate.signal": { from: "p1" | "p2" } })["wp.gate.signal"].from;
      expect(["p1", "p2"]).toContain(taken);
      // The payload taken is the one whose sender was told it was delivered; the other was refused.
      expect(outcomes[taken]).toEqual({ delivered: true });
      const other = outcomes[taken === "p1" ? "p2" : "p1"];
      expect(other).toEqual({ code: "SIGNAL_NOT_ACCEPTED" });
    }
  }, 30_000);

  // Found by these races: a second signal with a new key to a task already woken by one (Ready or
  // Running, before it completes) was stored and answered { delivered: true }, and never taken.
  test("a second signal (another key) to a task already woken by one is SIGNAL_NOT_ACCEPTED, not silently dropped", async () => {
    const { schema, client, worker } = await setup();
    const doomed = await worker();
    const [id] = await waitingRuns(client, schema, gate, 1);
    await stopProcess(doomed, "SIGKILL"); // nobody runs the woken task meanwhile: the window, held open
    expect(await client.signal(id!, "wp.gate.signal", { from: "first" }, { key: "k1" })).toEqual({ delivered: true });
    const second = await client.signal(id!, "wp.gate.signal", { from: "second" }, { key: "k2" }).then(
      (r) => r,
      (error: { code?: string }) => ({ code: error.code }),
    );
    await worker();
    const result = await (await client.get(id!)).result();
    expect(result.finalContext).toEqual({ "wp.gate.signal": { from: "first" } });
    // The sender of a payload the task will never take is not told "delivered".
    expect(second).toEqual({ code: "SIGNAL_NOT_ACCEPTED" });
  }, 30_000);

  test("a signal racing its wait's timeout: the task completes with it or fails SIGNAL_TIMEOUT, never both, never stuck", async () => {
    const { schema, url, client, worker } = await setup();
    await worker();
    const sender = await signallers(url, 1);
    // The runs start waiting 50 ms apart, so their timeouts are spread over as long as a timeout:
    // the signals, all sent when the middle one falls due, land before some and after others.
    const ids: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      ids.push((await client.start(timed, {})).executionId);
      await until(async () => (await taskRows(schema, ids[i]))[0]?.status === "Waiting", `run ${i} waits`);
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_MS / RUNS));
    }
    const rows = await Promise.all(ids.map(async (id) => (await taskRows(schema, id))[0]!));
    const middle = Number(rows[RUNS / 2]!.wake_at);
    await until(() => Date.now() >= middle, "the middle timeout is due", 5_000);
    const [outcomes] = await sender.send([
      ids.map((executionId) => ({ executionId, taskId: "wp.timed.signal", payload: { from: "sender" } })),
    ]);
    for (const [i, run] of (await settled(client, schema, ids)).entries()) {
      const outcome = outcomes![i];
      expect(FINAL).toContain(run.result.status);
      expect(FINAL).toContain(run.row.status);
      if (run.row.status === "Completed") {
        expect(run.result.status).toBe("Completed");
        expect(run.result.finalContext).toEqual({ "wp.timed.signal": { from: "sender" } });
        expect(outcome).toEqual({ delivered: true });
      } else {
        expect(run.row.status).toBe("Failed");
        expect(run.result.status).toBe("Failed");
        expect(JSON.parse(run.row.error!)).toMatchObject({ code: "SIGNAL_TIMEOUT" });
        // Refused: the task had timed out.
        expect(outcome).toEqual({ code: "SIGNAL_NOT_ACCEPTED" });
      }
    }
  }, 30_000);

  // Found by these races: once the timeout had woken a signal wait (Ready, no payload) and before
  // it ran, a signal was stored and answered { delivered: true }, and the task failed SIGNAL_TIMEOUT.
  test("a signal after the timeout woke the task, before it ran, is SIGNAL_NOT_ACCEPTED and the task fails SIGNAL_TIMEOUT", async () => {
    const { schema, client, worker } = await setup();
    const doomed = await worker();
    const [id] = await waitingRuns(client, schema, timed, 1);
    await stopProcess(doomed, "SIGKILL");
    const wakeAt = Number((await taskRows(schema, id))[0]!.wake_at);
    await until(() => Date.now() > wakeAt, "the timeout is due", TIMEOUT_MS + 2_000);
    // Exactly the statement of wakeDue (pg-ops.ts): the state a worker's timer commits when the
    // timeout falls due; the worker that would run the woken task next is not there yet.
    await admin(
      `update "${schema}".cloacina_task_runs set status = 'Ready', available_at = $1
       where status = 'Waiting' and wake_at <= $1`,
      [Date.now()],
    );
    const outcome = await client.signal(id!, "wp.timed.signal", { from: "late" }).then(
      (r) => r,
      (error: { code?: string }) => ({ code: error.code }),
    );
    await worker();
    const result = await (await client.get(id!)).result();
    const [row] = await taskRows(schema, id);
    expect(outcome).toEqual({ code: "SIGNAL_NOT_ACCEPTED" });
    expect(result.status).toBe("Failed");
    expect(JSON.parse(row!.error!)).toMatchObject({ code: "SIGNAL_TIMEOUT" });
  }, 30_000);

  test("a signal racing a cancel: the run ends in one final status, the signal's answer agrees, nothing is left waiting", async () => {
    const { schema, url, client, worker } = await setup();
    await worker();
    const ids = await waitingRuns(client, schema, gate);
    // The cancels go from this process as the signals go from another, run i's cancel i × 10 ms
    // after them: the cancel wins on some runs, the signal on others, and some are a close call.
    const sender = await signallers(url, 1);
    const handles = await Promise.all(ids.map((id) => client.get(id)));
    const sent = sender.send([
      ids.map((executionId) => ({ executionId, taskId: "wp.gate.signal", payload: { from: "sender" } })),
    ]);
    const cancels = Promise.all(
      handles.map((handle, i) => new Promise((resolve) => setTimeout(resolve, i * 10)).then(() => handle.cancel())),
    );
    const [outcomes] = await sent;
    await cancels;
    const runs = await settled(client, schema, ids);
    for (const [i, run] of runs.entries()) {
      const outcome = outcomes![i];
      expect(["Completed", "Cancelled"]).toContain(run.result.status);
      expect(FINAL).toContain(run.row.status);
      if (run.result.status === "Completed") {
        // The signal won: it was delivered, and the task completed with it before the cancel came.
        expect(outcome).toEqual({ delivered: true });
        expect(run.row.status).toBe("Completed");
        expect(run.result.finalContext).toEqual({ "wp.gate.signal": { from: "sender" } });
      } else if (run.row.status === "Cancelled") {
        // The cancel won, or came between the signal and the woken task's run.
        expect([{ delivered: true }, { code: "SIGNAL_NOT_ACCEPTED" }]).toContainEqual(outcome);
      } else {
        // The woken task was running when the cancel came: it completed with the payload.
        expect(run.row.status).toBe("Completed");
        expect(outcome).toEqual({ delivered: true });
      }
    }
    // Nothing is left waiting or ready, and at most one signal is kept per run.
    expect((await taskRows(schema)).filter((r) => !FINAL.includes(r.status))).toEqual([]);
    for (const run of runs) expect(run.signals.length).toBeLessThanOrEqual(1);
  }, 30_000);

  // Found here: a wait already due when its outcome is stored (callAgainIn(0), or a delay shorter
  // than the time to write it) waited for the safety poll; the step that stores it now wakes it.
  test("callAgainIn(0) is called again at once, not on the next safety poll", async () => {
    const { url } = await setup();
    const executor = await createExecutor(url, { pollMs: 3_000 });
    cleanups.push(() => executor.close());
    const started = Date.now();
    const result = await executor.execute(againNow, {});
    expect(result.status).toBe("Completed");
    expect(Date.now() - started).toBeLessThan(1_000); // took ≈ 3,000 ms (the poll) before the fix
  }, 30_000);
});
