/**
 * The dashboard as a hono app: the page (one static HTML document, its script and stylesheet)
 * and the JSON API it uses. Mount it in any hono or Node server; `serveDashboard` runs it alone.
 */
import type { EventStream, Executor, ExecutorEvent, ListRunsOptions } from "@cloacina/engine";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { guard } from "./auth.js";
import { toDisplay } from "./display.js";
import { errorBody, errorResponse } from "./http-error.js";
import { pageScript } from "./page/script.js";
import { PAGE_STYLE } from "./page/style.js";
import { pageHtml } from "./page/html.js";
import { instancesView } from "./instances-view.js";
import { runView, summaryView, taskInputContext } from "./run-view.js";
import { searchRuns } from "./search.js";
import { readSignalRequest } from "./signal-request.js";

export interface DashboardOptions {
  /**
   * Every request must carry it (`Authorization: Bearer <token>`, or `?token=` on the page, then
   * a cookie). Without it the app trusts whoever can reach it: put your own auth in front.
   */
  token?: string;
  /**
   * Serve every route under this prefix (hono's `basePath`), for servers that hand the app
   * requests with their full path (`fetch`). Not needed with `app.route("/prefix", dashboard)`.
   */
  basePath?: string;
  /**
   * Refuse requests whose `Host` header names another host (DNS rebinding). `serveDashboard`
   * sets it to the loopback names when it runs without a token.
   */
  allowedHosts?: readonly string[];
}

/** Keep-alive comment interval on event streams: proxies close idle connections. */
const KEEP_ALIVE_MS = 15_000;

const SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "X-Frame-Options": "DENY",
};

/**
 * The page's policy: only our own script and stylesheet run, so even a value that escaped the
 * page's text-only rendering could not execute.
 */
const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * ```ts
 * const app = new Hono();
 * app.route("/cloacina", dashboardApp(executor, { token: process.env.DASHBOARD_TOKEN }));
 * ```
 */
export function dashboardApp(executor: Executor, options: DashboardOptions = {}): Hono {
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use("*", guard({ token: options.token, allowedHosts: options.allowedHosts }));
  app.onError((error, c) => errorResponse(c, error));
  app.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`), 404));

  app.get("/", (c) => {
    const base = c.req.path.replace(/\/+$/, "");
    c.header("Content-Security-Policy", PAGE_CSP);
    c.header("Cache-Control", "no-store");
    return c.html(pageHtml(base));
  });
  app.get("/assets/app.js", async (c) => {
    const script = await pageScript(); // prebuilt in dist, bundled on first use from src
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    return c.body(script);
  });
  app.get("/assets/app.css", (c) => {
    c.header("Content-Type", "text/css; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    return c.body(PAGE_STYLE);
  });

  app.get("/api/health", async (c) => c.json(await executor.health()));

  app.get("/api/runs", async (c) => {
    const q = c.req.query();
    const filter: Omit<ListRunsOptions, "cursor" | "limit"> = {};
    if (q["status"]) filter.status = q["status"] as NonNullable<ListRunsOptions["status"]>;
    if (q["workflow"]) filter.workflow = q["workflow"];
    if (q["parent"]) filter.parent = q["parent"];
    const limit = q["limit"] ? Number(q["limit"]) : 50;
    const cursor = q["cursor"] || undefined;
    const search = q["search"]?.trim();
    if (search) {
      const found = await searchRuns(executor, search, filter, limit, cursor);
      return c.json({ runs: found.runs.map(summaryView), next: found.next ?? null, partial: found.partial });
    }
    const page = await executor.listRuns({ ...filter, limit, ...(cursor === undefined ? {} : { cursor }) });
    return c.json({ runs: page.runs.map(summaryView), next: page.next ?? null, partial: false });
  });

  app.get("/api/runs/:id", async (c) => c.json(runView(await executor.inspect(c.req.param("id")))));

  app.get("/api/runs/:id/tasks/:taskId", async (c) => {
    const detail = await executor.inspect(c.req.param("id"));
    const taskId = c.req.param("taskId");
    const input = taskInputContext(detail, taskId);
    const task = detail.tasks.find((t) => t.id === taskId);
    if (!input || !task) {
      return c.json(errorBody("TASK_NOT_FOUND", `Run ${detail.executionId} has no task "${taskId}".`), 404);
    }
    return c.json({
      taskId,
      input: toDisplay(input),
      ...(task.output === undefined ? {} : { output: toDisplay(task.output) }),
    });
  });

  app.get("/api/runs/:id/tasks/:taskId/instances", async (c) => {
    const detail = await executor.inspect(c.req.param("id"));
    const taskId = c.req.param("taskId");
    const instances = detail.tasks.find((t) => t.id === taskId)?.instances;
    if (!instances) {
      const message = `Run ${detail.executionId} has no mapped task "${taskId}" that expanded into instances.`;
      return c.json(errorBody("TASK_NOT_FOUND", message), 404);
    }
    return c.json({ taskId, ...instancesView(instances, true) });
  });

  app.post("/api/runs/:id/cancel", async (c) => {
    const handle = await executor.get(c.req.param("id"));
    await handle.cancel();
    return c.json({ executionId: handle.executionId, status: await handle.status() });
  });

  // For the page's form and for callbacks from other systems: the same guard as Cancel (above).
  app.post("/api/runs/:id/tasks/:taskId/signal", async (c) => {
    const { payload, key } = await readSignalRequest(c);
    const executionId = c.req.param("id");
    const taskId = c.req.param("taskId");
    await executor.get(executionId); // an unknown run is 404 RUN_NOT_FOUND, not 409
    const { delivered } = await executor.signal(executionId, taskId, payload, key === undefined ? {} : { key });
    return c.json({ executionId, taskId, delivered });
  });

  app.post("/api/runs/:id/retry", async (c) => {
    const handle = await executor.retry(c.req.param("id"));
    return c.json({ executionId: handle.executionId, status: await handle.status() });
  });

  app.get("/api/schedules", async (c) => {
    const schedules = await executor.schedules();
    return c.json({
      schedules: schedules.map((s) => ({
        ...s,
        nextFireAt: s.nextFireAt.toISOString(),
        lastFiredAt: s.lastFiredAt?.toISOString(),
      })),
    });
  });

  app.post("/api/schedules/:id/pause", async (c) => {
    await executor.pauseSchedule(c.req.param("id"));
    return c.json({ id: c.req.param("id"), paused: true });
  });

  app.post("/api/schedules/:id/resume", async (c) => {
    await executor.resumeSchedule(c.req.param("id"));
    return c.json({ id: c.req.param("id"), paused: false });
  });

  app.get("/api/events", async (c) => {
    const executionId = c.req.query("executionId") || undefined;
    // EventSource resends the last `id:` it saw when it reconnects: resume after it.
    const after = c.req.header("last-event-id") || c.req.query("after") || undefined;
    if (executionId !== undefined) await executor.get(executionId); // RUN_NOT_FOUND as a 404
    const events: EventStream = executor.events({
      ...(executionId === undefined ? {} : { executionId }),
      ...(after === undefined ? {} : { after }),
    });
    return streamSSE(
      c,
      async (sse) => {
        sse.onAbort(() => void events.close());
        const keepAlive = setInterval(() => void sse.write(": keep-alive\n\n").catch(() => {}), KEEP_ALIVE_MS);
        try {
          await sse.writeSSE({ event: "open", data: "{}" });
          for await (const event of events) {
            await sse.writeSSE({ id: event.seq, data: JSON.stringify(eventView(event)) });
          }
          // A run's stream ends after its last event: tell the page not to reconnect.
          if (!sse.aborted) await sse.writeSSE({ event: "end", data: "{}" });
        } finally {
          clearInterval(keepAlive);
          await events.close();
        }
      },
      async (error, sse) => {
        const body = errorBody((error as { code?: string }).code ?? "INTERNAL_ERROR", error.message);
        await sse.writeSSE({ event: "failure", data: JSON.stringify(body) });
      },
    );
  });

  if (!options.basePath) return app;
  const root = new Hono();
  root.route(options.basePath, app);
  root.notFound((c) => c.json(errorBody("NOT_FOUND", `No route for ${c.req.method} ${c.req.path}.`), 404));
  return root;
}

function eventView(event: ExecutorEvent): Record<string, unknown> {
  return {
    ...event,
    at: event.at.toISOString(),
    ...(event.retryAt ? { retryAt: event.retryAt.toISOString() } : {}),
  };
}
