/**
 * A signal's delivery on PostgreSQL reads what is kept for its task only once it holds the task
 * row's lock: a sender that held the lock until it committed is seen by the next one, and by a
 * task starting to wait meanwhile. Each case holds the lock by hand, as a sender's transaction
 * does, to force the interleaving (found in review: both were missed).
 */
import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { chainRun as chain, claimedTasks as claimed, stepRequest as request } from "@cloacina/engine/conformance";
import { Store } from "@cloacina/engine/store";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

describe.skipIf(skipPostgres)("signals and the task row's lock (PostgreSQL)", () => {
  let schema: string;
  let store: Store;
  let other: pg.Client;
  beforeEach(async () => {
    const fresh = freshSchema("siglock");
    schema = fresh.schema;
    store = new Store(new PostgresDriver(parsePostgresUrl(fresh.url)));
    await store.migrate();
    other = new pg.Client({ connectionString: TEST_URL });
    await other.connect();
  });
  afterEach(async () => {
    await other.end();
    await store.close();
    await dropSchema(schema);
  });

  /** As another sender: lock task b of `runId`, keep a signal, and commit only when released. */
  async function senderHolding(runId: string, key: string): Promise<() => Promise<void>> {
    await other.query("begin");
    await other.query(`select 1 from "${schema}".cloacina_task_runs where run_id = $1 and task_id = 'b' for update`, [
      runId,
    ]);
    await other.query(`insert into "${schema}".cloacina_signals values ($1, 'b', $2, '{"payload":1}', 1)`, [
      runId,
      key,
    ]);
    return async () => void (await other.query("commit"));
  }
  const settle = (promise: Promise<unknown>) =>
    promise.then(
      (value) => value,
      (error: { code?: string }) => ({ code: error.code }),
    );

  test.each([
    ["the same key: a resend, not stored again", "k1", { stored: false, refused: null }],
    ["another key: refused, the task already has its signal", "k2", { stored: false, refused: "signalled" }],
  ])("a second sender waiting for the first one's lock, %s", async (_what, key, expected) => {
    await store.step(request({ newRuns: [chain("r")], limit: 0 })); // b is Pending: signals to it are early
    const release = await senderHolding("r", "k1");
    const second = settle(store.signal("r", "b", key, '{"payload":2}', 2));
    await new Promise((resolve) => setTimeout(resolve, 200)); // it waits for the lock
    await release();
    expect(await second).toMatchObject(expected);
  });

  test("a task starting to wait while a sender holds its row takes that sender's signal", async () => {
    await store.step(request({ newRuns: [chain("r")], limit: 10 }));
    const a = { kind: "completed" as const, runId: "r", taskId: "a", attempt: 1, output: "{}", children: ["b"] };
    expect(claimed(await store.step(request({ outcomes: [a] })))).toEqual(["r/b"]);
    const release = await senderHolding("r", "k1");
    const wait = {
      kind: "wait" as const,
      runId: "r",
      taskId: "b",
      attempt: 1,
      wait: { kind: "signal" as const, wakeAt: null, state: null },
    };
    const step = store.step(request({ outcomes: [wait], limit: 0 }));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the step waits for the lock
    await release();
    await step;
    const row = (await store.runs.getTasks("r")).find((t) => t.taskId === "b");
    expect(row?.status).toBe("Ready"); // woken with the kept signal, not left waiting for ever
  });
});
