/**
 * `POST /api/runs/:id/tasks/:task/signal`, without a browser: a real executor on a SQLite file runs
 * the runs, the dashboard app answers requests (in process, and over HTTP for the Host check).
 */
import { request as httpRequest } from "node:http";
import type { Executor } from "cloacina";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dashboardApp, serveDashboard } from "../../src/dashboard/index.js";
import { runStatus, taskStatus, tempExecutor, type TempExecutor, until, workflows } from "./fixtures.js";

let db: TempExecutor;
let executor: Executor;
let wf: ReturnType<typeof workflows>;
let app: Hono;
const UNKNOWN_RUN = "00000000-0000-0000-0000-000000000000";

beforeAll(async () => {
  db = await tempExecutor();
  executor = db.executor;
  wf = workflows(`sig${Date.now()}`);
  app = dashboardApp(executor);
});
afterAll(async () => {
  await db?.dispose();
});

/** A run of `approve` whose approval task is Waiting for its signal. */
async function waitingRun(): Promise<string> {
  const { executionId } = await executor.start(wf.approve, {});
  await until(async () => (await taskStatus(executor, executionId, wf.id("approval"))) === "Waiting", "the wait");
  return executionId;
}

/** A run of `gated`: its approval task is Pending (behind a task that runs until cancelled). */
async function gatedRun(): Promise<string> {
  const { executionId } = await executor.start(wf.gated, {});
  await until(async () => (await taskStatus(executor, executionId, wf.id("gate"))) === "Running", "the gate");
  return executionId;
}

function signalPath(executionId: string, taskId: string): string {
  return `/api/runs/${executionId}/tasks/${encodeURIComponent(taskId)}/signal`;
}

async function send(
  path: string,
  body: string,
  headers: Record<string, string> = { "Content-Type": "application/json" },
  on: Hono = app,
): Promise<{ status: number; body: any }> {
  const res = await on.fetch(new Request(`http://127.0.0.1${path}`, { method: "POST", headers, body }));
  return { status: res.status, body: await res.json() };
}

describe("POST /api/runs/:id/tasks/:task/signal", () => {
  test("delivers the payload to the waiting task, which completes with it", async () => {
    const id = await waitingRun();
    const sent = await send(signalPath(id, wf.id("approval")), JSON.stringify({ payload: { approved: true } }));
    expect(sent).toEqual({ status: 200, body: { executionId: id, taskId: wf.id("approval"), delivered: true } });
    const result = await (await executor.get(id)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ [wf.id("approval")]: { approved: true }, shipped: true });
  });

  test("a signal sent before the task waits is kept; the same key again is delivered: false", async () => {
    const id = await gatedRun();
    const body = JSON.stringify({ payload: { approved: false }, key: "callback-41" });
    expect((await send(signalPath(id, wf.id("gated-approval")), body)).body.delivered).toBe(true);
    expect((await send(signalPath(id, wf.id("gated-approval")), body)).body.delivered).toBe(false);
    await (await executor.get(id)).cancel();
  });

  test("a payload the task's schema refuses is 400 INVALID_SIGNAL, and the task waits on", async () => {
    const id = await waitingRun();
    const refused = await send(signalPath(id, wf.id("approval")), JSON.stringify({ payload: { approved: "yes" } }));
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: "INVALID_SIGNAL", message: expect.stringContaining("approved") });
    expect(await taskStatus(executor, id, wf.id("approval"))).toBe("Waiting");
    const accepted = await send(signalPath(id, wf.id("approval")), JSON.stringify({ payload: { approved: false } }));
    expect(accepted.status).toBe(200);
    await until(async () => (await runStatus(executor, id)) === "Completed", "the run to complete");
  });

  test("a payload that cannot be stored is 400 with the engine's code", async () => {
    const id = await gatedRun();
    const deep = "[".repeat(1001) + "]".repeat(1001); // past the 1000 levels a context may nest
    const tooDeep = await send(signalPath(id, wf.id("gated-approval")), `{"payload":${deep}}`);
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.error.code).toBe("CONTEXT_TOO_DEEP");
    await (await executor.get(id)).cancel();
  });

  test("a finished run or an unknown task is 409 SIGNAL_NOT_ACCEPTED; an unknown run 404 RUN_NOT_FOUND", async () => {
    const done = await waitingRun();
    await (await executor.get(done)).cancel();
    const body = JSON.stringify({ payload: { approved: true } });
    const finished = await send(signalPath(done, wf.id("approval")), body);
    expect(finished.status).toBe(409);
    expect(finished.body.error).toMatchObject({
      code: "SIGNAL_NOT_ACCEPTED",
      message: expect.stringContaining("has finished (Cancelled)"),
    });
    const noTask = await send(signalPath(done, "nope"), body);
    expect(noTask.status).toBe(409);
    expect(noTask.body.error.code).toBe("SIGNAL_NOT_ACCEPTED");
    const noRun = await send(signalPath(UNKNOWN_RUN, wf.id("approval")), body);
    expect(noRun.status).toBe(404);
    expect(noRun.body.error.code).toBe("RUN_NOT_FOUND");
  });

  test("a body that is not { payload, key? } as JSON is 400 INVALID_SIGNAL_REQUEST, checked before the run is looked up", async () => {
    // To an unknown run: a request that got as far as the database would be 404 RUN_NOT_FOUND.
    const path = signalPath(UNKNOWN_RUN, wf.id("approval"));
    const json = { "Content-Type": "application/json" };
    const cases: [string, Record<string, string>, string][] = [
      ['{"payload":1}', { "Content-Type": "text/plain" }, "Content-Type: application/json"],
      // What an HTML form of another site could send without a CORS preflight.
      [
        "payload=1",
        { "Content-Type": "application/x-www-form-urlencoded" },
        '(got "application/x-www-form-urlencoded")',
      ],
      ["{payload:1}", json, "not valid JSON"],
      ["[1]", json, "must be a JSON object"],
      ["{}", json, 'no "payload"'],
      ['{"paylaod":{"approved":true}}', json, 'Unknown field "paylaod"'],
      ['{"payload":1,"key":7}', json, '"key" must be a string'],
    ];
    for (const [body, headers, message] of cases) {
      const res = await send(path, body, headers);
      expect({ body, status: res.status, code: res.body.error.code }).toEqual({
        body,
        status: 400,
        code: "INVALID_SIGNAL_REQUEST",
      });
      expect(res.body.error.message).toContain(message);
    }
    // `application/json; charset=utf-8` is JSON too, and null is a payload.
    const charset = await send(path, '{"payload":null}', { "Content-Type": "application/json; charset=utf-8" });
    expect(charset.body.error.code).toBe("RUN_NOT_FOUND");
  });
});

describe("the signal endpoint is guarded like Cancel", () => {
  test("with a token: without it 401 and nothing is sent; with it, the signal goes through", async () => {
    const guarded = dashboardApp(executor, { token: "s3cret" });
    const id = await gatedRun();
    const path = signalPath(id, wf.id("gated-approval"));
    const body = JSON.stringify({ payload: { approved: true }, key: "once" });
    const none = await send(path, body, { "Content-Type": "application/json" }, guarded);
    expect(none).toMatchObject({ status: 401, body: { error: { code: "DASHBOARD_UNAUTHORIZED" } } });
    const wrong = await send(path, body, { "Content-Type": "application/json", Authorization: "Bearer nope" }, guarded);
    expect(wrong.status).toBe(401);
    // Had a refused request stored its signal, this one (same key) would be delivered: false.
    const right = await send(
      path,
      body,
      { "Content-Type": "application/json", Authorization: "Bearer s3cret" },
      guarded,
    );
    expect(right).toMatchObject({ status: 200, body: { delivered: true } });
    await (await executor.get(id)).cancel();
  });

  test("a post from another site is 403 CROSS_ORIGIN_REQUEST; on loopback, another Host is 403 FORBIDDEN_HOST", async () => {
    const id = await waitingRun();
    const path = signalPath(id, wf.id("approval"));
    const body = JSON.stringify({ payload: { approved: true } });
    const crossSite = await send(path, body, {
      "Content-Type": "application/json",
      Origin: "https://attacker.example",
    });
    expect(crossSite).toMatchObject({ status: 403, body: { error: { code: "CROSS_ORIGIN_REQUEST" } } });
    const fetchSite = await send(path, body, { "Content-Type": "application/json", "Sec-Fetch-Site": "cross-site" });
    expect(fetchSite.status).toBe(403);

    const server = await serveDashboard({ executor, port: 0 });
    try {
      const rebound = await rawPost(server.url + path.slice(1), body, { Host: "attacker.example" });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body).error.code).toBe("FORBIDDEN_HOST");
    } finally {
      await server.close();
    }
    expect(await taskStatus(executor, id, wf.id("approval"))).toBe("Waiting"); // none of them got through
    await (await executor.get(id)).cancel();
  });
});

describe("GET /api/runs/:id says what a waiting task waits for", () => {
  test("a signal (no time), a sleep (until when)", async () => {
    const id = await waitingRun();
    const waiting = (await (await app.fetch(new Request(`http://127.0.0.1/api/runs/${id}`))).json()) as any;
    const approval = waiting.run.tasks.find((t: any) => t.id === wf.id("approval"));
    expect(approval).toMatchObject({ status: "Waiting", waiting: { for: "signal" } });
    expect(approval.waiting.until).toBeUndefined();
    await (await executor.get(id)).cancel();

    const before = Date.now();
    const { executionId } = await executor.start(wf.nap, {});
    await until(async () => (await taskStatus(executor, executionId, wf.id("sleep"))) === "Waiting", "the sleep");
    const napping = (await (await app.fetch(new Request(`http://127.0.0.1/api/runs/${executionId}`))).json()) as any;
    const sleep = napping.run.tasks.find((t: any) => t.id === wf.id("sleep"));
    expect(sleep).toMatchObject({ status: "Waiting", waiting: { for: "sleep", until: expect.any(String) } });
    const wakeAt = Date.parse(sleep.waiting.until);
    expect(wakeAt).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(wakeAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
    await (await executor.get(executionId)).cancel();
  });
});

/** A POST with a Host header of our choosing (fetch does not allow setting it). */
function rawPost(
  url: string,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: "POST", headers: { "Content-Type": "application/json", ...headers } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
