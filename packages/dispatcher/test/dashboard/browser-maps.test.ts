/**
 * Maps and child runs in the dashboard, in a real browser (Chromium through playwright-core)
 * against a real SQLite database: a mapped task is one node with its counts and a card listing
 * its instances, live instance events change its counts and not its status, and child and parent
 * runs link to each other.
 */
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serveDashboard } from "../../src/dashboard/index.js";
import { CHROMIUM, skipBrowser } from "./chromium.js";
import { taskStatus, tempExecutor, type TempExecutor, until } from "./fixtures.js";
import { mapWorkflows } from "./map-fixtures.js";

const SCREENSHOT = path.resolve(import.meta.dirname, "../../../../.tmp/dashboard-map.png");

let db: TempExecutor;
let wf: ReturnType<typeof mapWorkflows>;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
let fanout = "";
let childRun = "";
const pageErrors: string[] = [];

const node = (taskId: string) => page.locator(`#dag g.node[data-task-id="${taskId}"]`);

describe.skipIf(skipBrowser)(
  "maps and child runs in Chromium",
  () => {
    beforeAll(async () => {
      db = await tempExecutor();
      wf = mapWorkflows(`uimap${Date.now()}`);
      const result = await db.executor.execute(wf.fanout, { n: 30, fail: [25] });
      fanout = result.executionId;
      childRun = (await db.executor.inspect(fanout)).tasks.find((t) => t.id === wf.id("report"))!.childRunId!;
      server = await serveDashboard({ executor: db.executor, port: 0 });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      });
      page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      page.on("pageerror", (error) => pageErrors.push(String(error)));
      page.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(message.text());
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await db?.dispose();
    });

    test("a mapped task is one node with its counts; its card lists its instances, the rest behind Show more", async () => {
      await page.goto(`${server.url}#/runs/${fanout}`);
      await node(wf.id("square")).waitFor();
      expect(await page.locator("#dag g.node").count()).toBe(4);
      const square = node(wf.id("square"));
      expect(await square.getAttribute("data-status")).toBe("Failed");
      expect([
        await square.getAttribute("data-total"),
        await square.getAttribute("data-done"),
        await square.getAttribute("data-failed"),
      ]).toEqual(["30", "29", "1"]);
      expect(await square.locator("text.sub").textContent()).toBe("29/30 done · 1 failed");

      const card = page.locator(`.task[data-task-id="${wf.id("square")}"]`);
      expect(await card.locator(".instance-counts").innerText()).toBe("30 instances: 29/30 done · 1 failed");
      expect(await card.locator("tr[data-instance]").count()).toBe(20);
      await card.locator("button.show-more", { hasText: "Show 10 more" }).click();
      await expect.poll(() => card.locator("tr[data-instance]").count()).toBe(30);
      const failed = card.locator('tr[data-instance="25"]');
      expect(await failed.getAttribute("data-status")).toBe("Failed");
      expect(await failed.locator(".instance-error").innerText()).toBe("Error: item 25 <b>refused</b>");
      expect(await page.locator("main b").count()).toBe(0);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
    });

    test("a child workflow node links to the child run, whose page links back to its parent and task", async () => {
      await page.goto(`${server.url}#/runs/${fanout}`);
      await node(wf.id("report")).waitFor();
      const link = node(wf.id("report")).locator("a.child-link");
      expect(await link.getAttribute("href")).toBe(`#/runs/${childRun}`);
      const card = page.locator(`.task[data-task-id="${wf.id("report")}"]`);
      expect(await card.locator(".child-run a").innerText()).toBe(childRun);
      expect(await page.locator(`#child-runs li[data-execution-id="${childRun}"]`).count()).toBe(1);

      await link.click();
      await page.waitForFunction(`location.hash === "#/runs/${childRun}"`);
      await node(wf.id("double")).waitFor();
      const parent = page.locator("a.parent-link");
      expect(await parent.innerText()).toContain(`task ${wf.id("report")}`);
      await parent.click();
      await page.locator(`.task.selected[data-task-id="${wf.id("report")}"]`).waitFor();
      expect(await page.evaluate("location.hash")).toBe(`#/runs/${fanout}?task=${encodeURIComponent(wf.id("report"))}`);
    });

    test("the runs list marks child runs and filters to one run's children", async () => {
      await page.goto(server.url);
      const row = page.locator(`tr.row[data-execution-id="${childRun}"]`);
      await row.waitFor();
      expect(await row.locator(".parent-mark").innerText()).toBe(`↳ child of ${fanout.slice(0, 8)}`);
      expect(await page.locator(`tr.row[data-execution-id="${fanout}"] .parent-mark`).count()).toBe(0);

      await page.goto(`${server.url}#/?parent=${fanout}`);
      await page.locator("#parent-filter").waitFor();
      await expect.poll(() => page.locator("tr.row").count()).toBe(1);
      expect(await page.locator("tr.row").getAttribute("data-execution-id")).toBe(childRun);
    });

    test("live: instance events change the mapped node's counts, not its status, until the task ends", async () => {
      const { executionId } = await db.executor.start(wf.gated, { items: [0, 1, 2, 3, 4] });
      await until(
        async () => (await taskStatus(db.executor, executionId, wf.id("each"))) === "Waiting",
        "the map to expand",
      );
      await page.goto(`${server.url}#/runs/${executionId}`);
      const each = node(wf.id("each"));
      await each.waitFor();
      await page.waitForSelector("#live.on");
      expect(await each.getAttribute("data-done")).toBe("0");

      wf.release(2);
      await expect.poll(() => each.getAttribute("data-done")).toBe("2");
      expect(await each.getAttribute("data-status")).toBe("Waiting");
      expect(await each.locator("text.sub").textContent()).toMatch(/^2\/5 done/);

      wf.release(5);
      await expect.poll(() => each.getAttribute("data-status")).toBe("Completed");
      expect(await each.getAttribute("data-done")).toBe("5");
      expect(pageErrors).toEqual([]);
    });
  },
  60_000,
);
