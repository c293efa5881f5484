import { request as httpRequest } from "node:http";
import { Script } from "node:vm";
import { dashboardApp, serveDashboard } from "../../src/dashboard/index.js";
import { type EventStream, type Executor, isCloacinaError } from "cloacina";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runStatus, taskStatus, tempExecutor, type TempExecutor, until, workflows, XSS_SCRIPT } from "./fixtures.js";

let db: TempExecutor;
let executor: Executor;
let wf: ReturnType<typeof workflows>;
let app: Hono;
const ids: { etl: string[]; broken: string } = { etl: [], broken: "" };

beforeAll(async () => {
  db = await tempExecutor();
  executor = db.executor;
  wf = workflows(`api${Date.now()}`);
  app = dashboardApp(executor);
  // A few ms apart, so "newest first" has one answer (runs are ordered by creation time).
  const pause = () => new Promise((resolve) => setTimeout(resolve, 3));
  for (let i = 0; i < 3; i++) {
    ids.etl.push((await executor.execute(wf.etl, { i })).executionId);
    await pause();
  }
  ids.broken = (await executor.execute(wf.broken, { note: XSS_SCRIPT })).executionId;
});

afterAll(async () => {
  await db?.dispose();
});

async function call(path: string, init?: RequestInit): Promise<{ status: number; body: any; res: Response }> {
  const res = await app.fetch(new Request(`http://127.0.0.1${path}`, init));
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // the page, not JSON
  }
  return { status: res.status, body, res };
}

describe("GET /api/runs", () => {
  test("lists runs newest first, filtered by status, workflow and search", async () => {
    const all = await call("/api/runs");
    expect(all.status).toBe(200);
    expect(all.body.runs.map((r: any) => r.executionId)).toEqual([ids.broken, ...[...ids.etl].reverse()]);
    expect(all.body.runs[0]).toMatchObject({ workflow: wf.id("broken"), status: "Failed" });
    expect(all.body.runs[0].createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(typeof all.body.runs[1].durationMs).toBe("number");

    const failed = await call("/api/runs?status=Failed");
    expect(failed.body.runs.map((r: any) => r.executionId)).toEqual([ids.broken]);

    const etl = await call(`/api/runs?workflow=${encodeURIComponent(wf.id("etl"))}`);
    expect(etl.body.runs).toHaveLength(3);

    const byName = await call("/api/runs?search=BROKEN");
    expect(byName.body.runs.map((r: any) => r.executionId)).toEqual([ids.broken]);

    const prefix = ids.etl[1]!.slice(0, 8);
    const byId = await call(`/api/runs?search=${prefix}`);
    expect(byId.body.runs.map((r: any) => r.executionId)).toContain(ids.etl[1]);

    const exact = await call(`/api/runs?search=${ids.etl[0]}&status=Completed`);
    expect(exact.body.runs.map((r: any) => r.executionId)).toEqual([ids.etl[0]]);
  });

  test("pages with limit and cursor, with and without a search", async () => {
    const first = await call("/api/runs?limit=2");
    expect(first.body.runs).toHaveLength(2);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await call(`/api/runs?limit=2&cursor=${first.body.next}`);
    expect(second.body.runs).toHaveLength(2);
    // listRuns cannot know a full page is the last one: the page after it is empty.
    if (second.body.next !== null) {
      const third = await call(`/api/runs?limit=2&cursor=${second.body.next}`);
      expect(third.body).toMatchObject({ runs: [], next: null });
    }
    expect([...first.body.runs, ...second.body.runs].map((r: any) => r.executionId)).toEqual([
      ids.broken,
      ...[...ids.etl].reverse(),
    ]);

    const s1 = await call(`/api/runs?search=etl&limit=2`);
    expect(s1.body.runs).toHaveLength(2);
    const s2 = await call(`/api/runs?search=etl&limit=2&cursor=${s1.body.next}`);
    expect(s2.body.runs).toHaveLength(1);
    expect(s2.body.next).toBeNull();
    expect([...s1.body.runs, ...s2.body.runs].map((r: any) => r.executionId)).toEqual([...ids.etl].reverse());
  });

  test("bad filters are 400 INVALID_LIST_OPTIONS as JSON", async () => {
    for (const query of ["status=Sleeping", "limit=0", "limit=abc", "cursor=garbage", "search=x&cursor=garbage"]) {
      const { status, body } = await call(`/api/runs?${query}`);
      expect(status, query).toBe(400);
      expect(body.error).toMatchObject({ code: "INVALID_LIST_OPTIONS", message: expect.any(String) });
    }
  });
});

describe("GET /api/runs/:id", () => {
  test("a run with its tasks, display-safe contexts and the DAG's layout", async () => {
    const { status, body } = await call(`/api/runs/${ids.etl[0]}`);
    expect(status).toBe(200);
    expect(body.run).toMatchObject({ executionId: ids.etl[0], workflow: wf.id("etl"), status: "Completed" });
    expect(body.run.input).toEqual({ i: 0 });
    const extract = body.run.tasks.find((t: any) => t.id === wf.id("extract"));
    expect(extract).toMatchObject({ status: "Completed", attempts: 1, maxAttempts: 1, dependsOn: [] });
    expect(extract.output).toEqual({
      fetchedAt: { $date: "2024-05-06T07:08:09.000Z" },
      rows: {
        $map: [
          ["a", 1],
          ["b", 2],
        ],
      },
      tags: { $set: ["x", "y"] },
      big: { $bigint: "12345678901234567890" },
      bytes: { $bytes: "AQID", type: "Uint8Array", length: 3 },
      missing: { $undefined: true },
      html: XSS_SCRIPT,
      img: expect.stringContaining("onerror"),
    });

    const { layout } = body;
    expect(layout.nodes.map((n: any) => n.id).sort()).toEqual(
      ["extract", "transform", "load", "report"].map(wf.id).sort(),
    );
    const x = (id: string) => layout.nodes.find((n: any) => n.id === wf.id(id)).x;
    expect(x("extract")).toBeLessThan(x("transform")); // left to right
    expect(x("transform")).toBeLessThan(x("report"));
    for (const n of layout.nodes) {
      expect(n.x + n.width / 2).toBeLessThanOrEqual(layout.width);
      expect(n.y + n.height / 2).toBeLessThanOrEqual(layout.height);
    }
    expect(layout.edges).toHaveLength(4);
    const edge = layout.edges.find((e: any) => e.from === wf.id("extract") && e.to === wf.id("load"));
    expect(edge.points.length).toBeGreaterThanOrEqual(2);
  });

  test("a failed run: the error with its stack, the skipped dependent", async () => {
    const { body } = await call(`/api/runs/${ids.broken}`);
    expect(body.run.status).toBe("Failed");
    const explode = body.run.tasks.find((t: any) => t.id === wf.id("explode"));
    expect(explode.status).toBe("Failed");
    expect(explode.error).toMatchObject({ name: "Error", message: "disk on fire <b>bold</b>" });
    expect(explode.error.stack).toContain("disk on fire");
    expect(body.run.tasks.find((t: any) => t.id === wf.id("after")).status).toBe("Skipped");
  });

  test("a task's input context: the run input merged with its ancestors' outputs", async () => {
    const { status, body } = await call(`/api/runs/${ids.etl[2]}/tasks/${encodeURIComponent(wf.id("report"))}`);
    expect(status).toBe(200);
    expect(body.input).toMatchObject({
      i: 2,
      total: 3,
      loaded: true,
      fetchedAt: { $date: "2024-05-06T07:08:09.000Z" },
    });
    expect(body.output).toEqual({ reported: 1 });
    const root = await call(`/api/runs/${ids.etl[2]}/tasks/${encodeURIComponent(wf.id("extract"))}`);
    expect(root.body.input).toEqual({ i: 2 });
    const missing = await call(`/api/runs/${ids.etl[2]}/tasks/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("TASK_NOT_FOUND");
  });

  test("an unknown run is 404 RUN_NOT_FOUND; an unknown route 404 NOT_FOUND", async () => {
    const run = await call("/api/runs/00000000-0000-0000-0000-000000000000");
    expect(run.status).toBe(404);
    expect(run.res.headers.get("content-type")).toContain("application/json");
    expect(run.body.error).toMatchObject({ code: "RUN_NOT_FOUND", message: expect.stringContaining("00000000") });
    const route = await call("/api/nothing-here");
    expect(route.status).toBe(404);
    expect(route.body.error.code).toBe("NOT_FOUND");
  });
});

describe("actions", () => {
  test("cancel stops a running run", async () => {
    const handle = await executor.start(wf.slow, {});
    await until(
      async () => (await taskStatus(executor, handle.executionId, wf.id("wait"))) === "Running",
      "the task to start",
    );
    const { status, body } = await call(`/api/runs/${handle.executionId}/cancel`, { method: "POST" });
    expect(status).toBe(200);
    expect(body.executionId).toBe(handle.executionId);
    expect((await handle.result()).status).toBe("Cancelled");
    const detail = await call(`/api/runs/${handle.executionId}`);
    expect(detail.body.run).toMatchObject({ status: "Cancelled", cancelRequested: true });
  });

  test("retry runs a failed run again; retrying a completed run is 409 RUN_NOT_RETRYABLE", async () => {
    const failed = await executor.execute(wf.flaky, {});
    expect(failed.status).toBe("Failed");
    wf.heal();
    const { status, body } = await call(`/api/runs/${failed.executionId}/retry`, { method: "POST" });
    expect(status).toBe(200);
    expect(body.executionId).toBe(failed.executionId);
    await until(async () => (await runStatus(executor, failed.executionId)) === "Completed", "the retry to complete");

    const again = await call(`/api/runs/${ids.etl[0]}/retry`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("RUN_NOT_RETRYABLE");
    const missing = await call(`/api/runs/00000000-0000-0000-0000-000000000000/cancel`, { method: "POST" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("RUN_NOT_FOUND");
  });

  test("schedules: list, pause, resume; an unknown one is 404 SCHEDULE_NOT_FOUND", async () => {
    await executor.schedule(wf.etl, { id: "nightly/etl", cron: "0 3 * * *", timezone: "Europe/Amsterdam" });
    const list = await call("/api/schedules");
    expect(list.status).toBe(200);
    expect(list.body.schedules).toEqual([
      expect.objectContaining({ id: "nightly/etl", workflow: wf.id("etl"), cron: "0 3 * * *", paused: false }),
    ]);
    expect(list.body.schedules[0].nextFireAt).toMatch(/T03:00:00|T0[12]:00:00/);

    const id = encodeURIComponent("nightly/etl");
    expect((await call(`/api/schedules/${id}/pause`, { method: "POST" })).body).toEqual({
      id: "nightly/etl",
      paused: true,
    });
    expect((await executor.schedules())[0]!.paused).toBe(true);
    expect((await call(`/api/schedules/${id}/resume`, { method: "POST" })).body).toEqual({
      id: "nightly/etl",
      paused: false,
    });
    expect((await executor.schedules())[0]!.paused).toBe(false);

    const missing = await call("/api/schedules/nope/pause", { method: "POST" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("SCHEDULE_NOT_FOUND");
  });
});

describe("GET /api/events (Server-Sent Events)", () => {
  test("streams a run's events from its first, with ids, then ends", async () => {
    const run = await executor.execute(wf.etl, { i: 9 });
    const res = await app.fetch(new Request(`http://127.0.0.1/api/events?executionId=${run.executionId}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const text = await res.text(); // the run is over: the stream ends after its last event
    const messages = parseSse(text);
    expect(messages[0]!.event).toBe("open");
    const events = messages.filter((m) => m.event === undefined).map((m) => ({ id: m.id, ...JSON.parse(m.data) }));
    expect(events[0]).toMatchObject({ type: "run.started", executionId: run.executionId });
    expect(events.at(-1)).toMatchObject({ type: "run.completed" });
    expect(events.filter((e) => e.type === "task.completed")).toHaveLength(4);
    for (const e of events) expect(e.id).toBe(e.seq);
    expect(messages.at(-1)!.event).toBe("end");

    // Resuming after an event (as EventSource does with Last-Event-ID) skips what was seen.
    const resumed = await app.fetch(
      new Request(`http://127.0.0.1/api/events?executionId=${run.executionId}`, {
        headers: { "Last-Event-ID": events.at(-2)!.seq },
      }),
    );
    const rest = parseSse(await resumed.text()).filter((m) => m.event === undefined);
    expect(rest.map((m) => JSON.parse(m.data).type)).toEqual(["run.completed"]);
  });

  test("an unknown run is 404 JSON, a bad position 400", async () => {
    const unknown = await call("/api/events?executionId=00000000-0000-0000-0000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("RUN_NOT_FOUND");
    const bad = await call("/api/events?after=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toMatch(/^INVALID_/);
  });

  test("live events reach the client, and a client that disconnects closes its subscription", async () => {
    const closed: string[] = [];
    // The real executor, with each subscription's close() recorded.
    const watched = new Proxy(executor, {
      get(target, key) {
        if (key === "events") {
          return (options: Parameters<Executor["events"]>[0]) => {
            const stream: EventStream = target.events(options);
            const close = stream.close.bind(stream);
            stream.close = () => {
              closed.push(options?.executionId ?? "all");
              return close();
            };
            return stream;
          };
        }
        const value = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const server = await serveDashboard({ executor: watched, port: 0 });
    try {
      const abort = new AbortController();
      const res = await fetch(`${server.url}api/events`, { signal: abort.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      const handle = await executor.start(wf.etl, { i: 10 });
      while (!seen.includes(`"type":"run.completed","executionId":"${handle.executionId}"`)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += value;
      }
      expect(seen).toContain(`"type":"task.started","executionId":"${handle.executionId}"`);
      expect(closed).toEqual([]);
      abort.abort();
      await until(async () => closed.includes("all"), "the subscription to close after the client left");
    } finally {
      await server.close();
    }
  });
});

describe("security", () => {
  test("with a token: none or a wrong one is 401, a Bearer header or the cookie from ?token= passes", async () => {
    const guarded = dashboardApp(executor, { token: "s3cret-token" });
    const get = (path: string, headers: Record<string, string> = {}) =>
      guarded.fetch(new Request(`http://127.0.0.1${path}`, { headers }));

    const none = await get("/api/runs");
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { code: "DASHBOARD_UNAUTHORIZED" } });
    expect((await get("/api/runs", { Authorization: "Bearer wrong" })).status).toBe(401);
    expect((await get("/api/runs?token=s3cret-tokeN")).status).toBe(401);
    expect((await get("/", { Cookie: "cloacina_dashboard=nope" })).status).toBe(401);
    expect((await get("/api/runs", { Authorization: "Bearer s3cret-token" })).status).toBe(200);

    const page = await get("/?token=s3cret-token", { Accept: "text/html" });
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/");
    const cookie = page.headers.get("set-cookie")!;
    expect(cookie).toMatch(/cloacina_dashboard=s3cret-token/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const withCookie = await get("/api/runs", { Cookie: cookie.split(";")[0]! });
    expect(withCookie.status).toBe(200);
  });

  test("serveDashboard needs a token on any host but loopback, and enforces it over HTTP", async () => {
    let error: unknown;
    try {
      await serveDashboard({ executor, host: "0.0.0.0", port: 0 });
    } catch (e) {
      error = e;
    }
    expect(isCloacinaError(error)).toBe(true);
    expect(error).toMatchObject({ code: "INVALID_DASHBOARD_OPTIONS", message: expect.stringContaining("token") });
    await expect(serveDashboard({ executor, port: 70000 })).rejects.toMatchObject({
      code: "INVALID_DASHBOARD_OPTIONS",
    });
    await expect(serveDashboard({ executor, port: 0, token: "" })).rejects.toMatchObject({
      code: "INVALID_DASHBOARD_OPTIONS",
    });

    const server = await serveDashboard({ executor, host: "0.0.0.0", port: 0, token: "t0ken" });
    try {
      expect((await fetch(`${server.url}api/runs`)).status).toBe(401);
      expect((await fetch(`${server.url}api/runs`, { headers: { Authorization: "Bearer x" } })).status).toBe(401);
      expect((await fetch(`${server.url}api/runs`, { headers: { Authorization: "Bearer t0ken" } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  test("on loopback without a token: other Host names (DNS rebinding) and cross-site posts are refused", async () => {
    const server = await serveDashboard({ executor, port: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect((await fetch(`${server.url}api/runs`)).status).toBe(200);
      const rebound = await rawGet(server.url + "api/runs", { Host: "attacker.example:80" });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body).error.code).toBe("FORBIDDEN_HOST");
      const crossSite = await fetch(`${server.url}api/runs/${ids.broken}/retry`, {
        method: "POST",
        headers: { Origin: "https://attacker.example" },
      });
      expect(crossSite.status).toBe(403);
      expect(((await crossSite.json()) as any).error.code).toBe("CROSS_ORIGIN_REQUEST");
    } finally {
      await server.close();
    }
  });

  test("the page: security headers, a policy that allows only its own script, a script that parses", async () => {
    const page = await call("/");
    expect(page.status).toBe(200);
    expect(page.res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.body).toContain('<script src="/assets/app.js" defer></script>');
    // Bundled from src/dashboard/browser/*.ts on first use, as when running from source.
    const script = await call("/assets/app.js");
    expect(script.status).toBe(200);
    expect(script.res.headers.get("content-type")).toContain("javascript");
    const code = script.body as string;
    expect(() => new Script(code)).not.toThrow();
    expect(code).toMatch(/^"use strict";\n\(\(\) => \{/); // a classic script, nothing global
    expect(code).not.toMatch(/\b(import|export)\b\s*[{*"']|\beval\(|new Function\(/);
    expect(code).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write/);
    expect(code).toContain("/api/events"); // the real script, not a stub
    expect((await call("/assets/app.js")).body).toBe(code); // bundled once, then kept
  });
});

describe("mounting", () => {
  test("under a prefix with app.route(), and with basePath for .fetch", async () => {
    const outer = new Hono();
    outer.route("/cloacina", dashboardApp(executor));
    const page = await outer.fetch(new Request("http://127.0.0.1/cloacina"));
    const html = await page.text();
    expect(html).toContain('<meta name="cloacina-base" content="/cloacina">');
    expect(html).toContain('src="/cloacina/assets/app.js"');
    const runs = await outer.fetch(new Request("http://127.0.0.1/cloacina/api/runs?status=Failed"));
    expect(((await runs.json()) as any).runs.length).toBeGreaterThan(0);
    expect((await outer.fetch(new Request("http://127.0.0.1/cloacina/assets/app.css"))).status).toBe(200);

    const based = dashboardApp(executor, { basePath: "/ops/dash" });
    expect((await based.fetch(new Request("http://127.0.0.1/ops/dash/api/schedules"))).status).toBe(200);
    expect(await (await based.fetch(new Request("http://127.0.0.1/ops/dash"))).text()).toContain('content="/ops/dash"');
    const missing = await based.fetch(new Request("http://127.0.0.1/elsewhere"));
    expect(missing.status).toBe(404);
  });
});

function parseSse(text: string): { event?: string; id?: string; data: string }[] {
  return text
    .split("\n\n")
    .filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      const message: { event?: string; id?: string; data: string } = { data: "" };
      for (const line of block.split("\n")) {
        const [field, ...rest] = line.split(":");
        const value = rest.join(":").replace(/^ /, "");
        if (field === "event") message.event = value;
        else if (field === "id") message.id = value;
        else if (field === "data") message.data += value;
      }
      return message;
    });
}

/** A GET with a Host header of our choosing (fetch does not allow setting it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}
