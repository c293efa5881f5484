/**
 * The dashboard's API for maps and child runs, on a real SQLite file: a mapped task's counts and
 * (capped) instances in the run detail, all of them from its instances route, the links between
 * a parent and its child runs, and the runs list's `parent` filter.
 */
import type { Executor } from "cloacina";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { dashboardApp } from "../../src/dashboard/index.js";
import { FIRST_INSTANCES, MORE_FAILED_INSTANCES } from "../../src/dashboard/instances-view.js";
import { tempExecutor, type TempExecutor } from "./fixtures.js";
import { mapWorkflows } from "./map-fixtures.js";

let db: TempExecutor;
let executor: Executor;
let wf: ReturnType<typeof mapWorkflows>;
let app: Hono;
const ids = { small: "", big: "", other: "" };

beforeAll(async () => {
  db = await tempExecutor();
  executor = db.executor;
  wf = mapWorkflows(`apimap${Date.now()}`);
  app = dashboardApp(executor);
  ids.small = (await executor.execute(wf.fanout, { n: 4, fail: [2] })).executionId;
  // More instances than the detail lists, failed ones past the first listed.
  const fail = [3, 150, 160];
  ids.big = (await executor.execute(wf.fanout, { n: 400, fail })).executionId;
  ids.other = (await executor.execute(wf.child, { n: 1 })).executionId;
}, 60_000);

afterAll(async () => {
  await db?.dispose();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const res = await app.fetch(new Request(`http://127.0.0.1${path}`));
  return { status: res.status, body: await res.json() };
}

describe("GET /api/runs/:id with maps and child runs", () => {
  test("a mapped task is one task with its counts and instances; a child task has its child run", async () => {
    const { status, body } = await get(`/api/runs/${ids.small}`);
    expect(status).toBe(200);
    const tasks = Object.fromEntries(body.run.tasks.map((t: any) => [t.id, t]));
    expect(Object.keys(tasks).sort()).toEqual(["items", "report", "square", "total"].map(wf.id));
    const square = tasks[wf.id("square")];
    expect(square.status).toBe("Failed");
    expect(square.instances).toMatchObject({ total: 4, counts: { Completed: 3, Failed: 1 }, omitted: 0 });
    expect(square.instances.list.map((i: any) => [i.index, i.status, i.attempts])).toEqual([
      [0, "Completed", 1],
      [1, "Completed", 1],
      [2, "Failed", 1],
      [3, "Completed", 1],
    ]);
    expect(square.instances.list[2].error).toMatchObject({ message: "item 2 <b>refused</b>" });
    expect(typeof square.instances.list[0].durationMs).toBe("number");
    // One node per task in the layout: the instances are not nodes.
    expect(body.layout.nodes.map((n: any) => n.id).sort()).toEqual(Object.keys(tasks).sort());

    const childRunId = tasks[wf.id("report")].childRunId;
    expect(childRunId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.run.children).toEqual([{ executionId: childRunId, workflow: wf.id("child"), status: "Completed" }]);
    expect(body.run.childCount).toBe(1);
    expect(body.run.parent).toBeUndefined();

    const child = await get(`/api/runs/${childRunId}`);
    expect(child.body.run.parent).toEqual({ executionId: ids.small, taskId: wf.id("report") });
    expect(child.body.run.childCount).toBe(0);
  });

  test("a large map lists its first instances and the failed ones after them; its instances route lists all", async () => {
    const { body } = await get(`/api/runs/${ids.big}`);
    const square = body.run.tasks.find((t: any) => t.id === wf.id("square"));
    expect(square.instances.total).toBe(400);
    expect(square.instances.counts).toEqual({ Completed: 397, Failed: 3 });
    const listed = square.instances.list.map((i: any) => i.index);
    expect(listed).toEqual([...Array(FIRST_INSTANCES).keys(), 150, 160]);
    expect(listed.length).toBeLessThanOrEqual(FIRST_INSTANCES + MORE_FAILED_INSTANCES);
    expect(square.instances.omitted).toBe(400 - listed.length);

    const all = await get(`/api/runs/${ids.big}/tasks/${encodeURIComponent(wf.id("square"))}/instances`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ taskId: wf.id("square"), total: 400, omitted: 0 });
    expect(all.body.list.map((i: any) => i.index)).toEqual([...Array(400).keys()]);

    const notMapped = await get(`/api/runs/${ids.big}/tasks/${encodeURIComponent(wf.id("total"))}/instances`);
    expect(notMapped.status).toBe(404);
    expect(notMapped.body.error.code).toBe("TASK_NOT_FOUND");
  });
});

describe("GET /api/runs?parent=", () => {
  test("lists only that run's child runs, each with its parentRunId, with or without a search", async () => {
    const all = await get("/api/runs");
    expect(all.body.runs).toHaveLength(5); // two parents, their two children, one run of its own
    const marked = all.body.runs.filter((r: any) => r.parentRunId !== undefined);
    expect(marked.map((r: any) => r.parentRunId).sort()).toEqual([ids.big, ids.small].sort());

    const children = await get(`/api/runs?parent=${ids.small}`);
    expect(children.body.runs).toHaveLength(1);
    expect(children.body.runs[0]).toMatchObject({ workflow: wf.id("child"), parentRunId: ids.small });

    const searched = await get(`/api/runs?parent=${ids.small}&search=child`);
    expect(searched.body.runs.map((r: any) => r.executionId)).toEqual([children.body.runs[0].executionId]);
    const exactElsewhere = await get(`/api/runs?parent=${ids.small}&search=${ids.other}`);
    expect(exactElsewhere.body.runs).toEqual([]);
    const none = await get(`/api/runs?parent=${ids.other}`);
    expect(none.body.runs).toEqual([]);
  });
});
