/**
 * The dashboard in a real browser (Chromium through playwright-core) against a real SQLite
 * database: DAGs and statuses render, live updates arrive without reloading, cancel and retry
 * work, schedules pause and resume, and markup in context values stays text.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { serveDashboard } from "../../src/dashboard/index.js";
import { CHROMIUM, skipBrowser } from "./chromium.js";
import { taskStatus, tempExecutor, type TempExecutor, until, workflows, XSS_IMG, XSS_SCRIPT } from "./fixtures.js";

const SCREENSHOT = path.resolve(import.meta.dirname, "../../../../.tmp/dashboard.png");

let db: TempExecutor;
let wf: ReturnType<typeof workflows>;
let server: { url: string; close(): Promise<void> };
let browser: Browser;
let page: Page;
const runs = { etl: "", broken: "", slow: "" };
const pageErrors: string[] = [];

const nodeStatus = (taskId: string) =>
  page.locator(`#dag g.node[data-task-id="${taskId}"]`).getAttribute("data-status");

describe.skipIf(skipBrowser)(
  "dashboard in Chromium",
  () => {
    beforeAll(async () => {
      db = await tempExecutor();
      wf = workflows(`ui${Date.now()}`);
      const { executor } = db;
      await executor.execute(wf.etl, { i: 1 });
      runs.etl = (await executor.execute(wf.etl, { i: 2, comment: XSS_IMG })).executionId;
      runs.broken = (await executor.execute(wf.broken, { note: XSS_SCRIPT })).executionId;
      const slow = await executor.start(wf.slow, { waitingFor: "a cancel" });
      runs.slow = slow.executionId;
      await until(
        async () => (await taskStatus(executor, runs.slow, wf.id("wait"))) === "Running",
        "the slow task to start",
      );
      await executor.schedule(wf.etl, { id: "nightly", cron: "0 3 * * *" });

      server = await serveDashboard({ executor, port: 0 });
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
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

    test("the runs list shows every run with its status, and filters by status", async () => {
      await page.goto(server.url);
      await page.locator("tr.row").nth(3).waitFor();
      expect(await page.locator("tr.row").count()).toBe(4);
      expect(await page.locator(`tr.row[data-execution-id="${runs.slow}"]`).getAttribute("data-status")).toBe(
        "Running",
      );
      expect(await page.locator(`tr.row[data-execution-id="${runs.broken}"]`).getAttribute("data-status")).toBe(
        "Failed",
      );

      await page.selectOption("#status-filter", "Failed");
      await expect.poll(() => page.locator("tr.row").count()).toBe(1);
      await page.fill("#search", wf.id("etl"));
      await page.selectOption("#status-filter", "");
      await expect.poll(() => page.locator("tr.row").count()).toBe(2);
      await page.fill("#search", "");
      await expect.poll(() => page.locator("tr.row").count()).toBe(4);
    });

    test("a completed run: its DAG, every node Completed, contexts pretty-printed as text", async () => {
      await page.click(`tr.row[data-execution-id="${runs.etl}"]`);
      await page.locator("#dag g.node").nth(3).waitFor();
      expect(await page.locator("#dag g.node").count()).toBe(4);
      expect(await page.locator("#dag path.edge").count()).toBe(4);
      for (const id of ["extract", "transform", "load", "report"])
        expect(await nodeStatus(wf.id(id))).toBe("Completed");

      const extract = page.locator(`.task[data-task-id="${wf.id("extract")}"]`);
      const output = await extract.locator(".value").first().innerText();
      expect(output).toContain("Date(2024-05-06T07:08:09.000Z)");
      expect(output).toContain("12345678901234567890n");
      expect(output).toContain("Map {");
      expect(output).toContain("undefined");
      expect(output).toContain(JSON.stringify(XSS_SCRIPT));
      expect(output).toContain(JSON.stringify(XSS_IMG));

      // A task's input context loads when opened: the run input and its ancestors' outputs.
      const report = page.locator(`.task[data-task-id="${wf.id("report")}"]`);
      await report.locator("summary", { hasText: "Input context" }).click();
      await expect.poll(() => report.locator(".value").last().innerText()).toContain("loaded: true");
      expect(await page.locator(".card .value").last().innerText()).toContain(JSON.stringify(XSS_IMG));

      expect(await page.evaluate("window.__pwned")).toBeUndefined();
      expect(await page.locator("main img, main script").count()).toBe(0);
    });

    test("a failed run: the failed node, the skipped one, the error and its stack", async () => {
      await page.goto(`${server.url}#/runs/${runs.broken}`);
      await page.locator("#dag g.node").nth(2).waitFor();
      expect(await nodeStatus(wf.id("prepare"))).toBe("Completed");
      expect(await nodeStatus(wf.id("explode"))).toBe("Failed");
      expect(await nodeStatus(wf.id("after"))).toBe("Skipped");
      const explode = page.locator(`.task[data-task-id="${wf.id("explode")}"]`);
      expect(await explode.locator(".error .msg").first().innerText()).toBe("Error: disk on fire <b>bold</b>");
      expect(await explode.locator(".error pre.stack").innerText()).toContain("disk on fire");
      expect(await page.locator("main b").count()).toBe(0);
      expect(await page.locator(".card .value").last().innerText()).toContain(JSON.stringify(XSS_SCRIPT));
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
      await page.screenshot({ path: SCREENSHOT.replace(".png", "-failed.png"), fullPage: true });
    });

    test("the running run: Cancel turns it Cancelled live, Retry runs it again, without reloading", async () => {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await page.goto(`${server.url}#/runs/${runs.slow}`);
      await page.locator("#dag g.node").first().waitFor();
      expect(await nodeStatus(wf.id("wait"))).toBe("Running");
      await page.waitForSelector("#live.on"); // the event stream is connected
      await page.evaluate("window.__sameDocument = 1");

      await page.click("#cancel");
      await page.waitForSelector('#run-status [data-status="Cancelled"]', { timeout: 10_000 });
      await expect.poll(() => nodeStatus(wf.id("wait"))).toBe("Cancelled");
      expect(await page.locator(`.task[data-task-id="${wf.id("wait")}"] .error .msg`).innerText()).toContain(
        "TASK_CANCELLED",
      );
      expect(await (await db.executor.get(runs.slow)).status()).toBe("Cancelled");

      await page.click("#retry");
      await page.waitForSelector('#run-status [data-status="Running"]', { timeout: 10_000 });
      await until(
        async () => (await taskStatus(db.executor, runs.slow, wf.id("wait"))) === "Running",
        "the retry to start",
      );
      await expect.poll(() => nodeStatus(wf.id("wait"))).toBe("Running");
      await page.waitForSelector("#live.on"); // following the retried run's new events
      await page.screenshot({ path: SCREENSHOT.replace(".png", "-running.png"), fullPage: true });

      await page.click("#cancel");
      await page.waitForSelector('#run-status [data-status="Cancelled"]', { timeout: 10_000 });
      expect(await page.evaluate("window.__sameDocument")).toBe(1);
    });

    test("a task waiting for a signal: its pill, what it waits for, and a form whose errors show their code", async () => {
      const { executionId } = await db.executor.start(wf.approve, {});
      await until(
        async () => (await taskStatus(db.executor, executionId, wf.id("approval"))) === "Waiting",
        "the approval to wait",
      );
      await page.goto(`${server.url}#/runs/${executionId}`);
      const card = page.locator(`.task[data-task-id="${wf.id("approval")}"]`);
      await card.locator(".signal-form").waitFor();
      expect(await nodeStatus(wf.id("approval"))).toBe("Waiting");
      expect(await card.locator('.pill[data-status="Waiting"]').count()).toBe(1);
      expect(await card.locator(".waiting").innerText()).toBe("waiting for a signal");

      await card.locator("textarea").fill("{approved: yes}");
      await card.locator("button.signal-send").click();
      await expect.poll(() => card.locator(".signal-error").innerText()).toContain("Not valid JSON");
      await card.locator("textarea").fill('{"approved": "yes"}');
      await card.locator("button.signal-send").click();
      await expect.poll(() => card.locator(".signal-error").innerText()).toMatch(/^INVALID_SIGNAL: /);
      expect(await taskStatus(db.executor, executionId, wf.id("approval"))).toBe("Waiting");

      await card.locator("textarea").fill('{"approved": true}');
      await card.locator("button.signal-send").click();
      await page.waitForSelector('#run-status [data-status="Completed"]', { timeout: 10_000 });
      expect(await page.locator("#flash").innerText()).toBe(`Signal sent to ${wf.id("approval")}.`);
      expect((await (await db.executor.get(executionId)).result()).finalContext).toMatchObject({ shipped: true });
      expect(await page.locator(".signal-form").count()).toBe(0);
      // Chromium logs each 4xx answer as a console error: the one INVALID_SIGNAL answer, expected here.
      const answered400 = pageErrors.filter((e) => e.includes("status of 400"));
      expect(answered400).toHaveLength(1);
      pageErrors.splice(pageErrors.indexOf(answered400[0]!), 1);
    });

    test("schedules pause and resume", async () => {
      await page.click('a[data-nav="schedules"]');
      const row = page.locator('tr[data-schedule-id="nightly"]');
      await row.waitFor();
      expect(await row.locator(".pill").innerText()).toBe("Active");
      await row.locator("button", { hasText: "Pause" }).click();
      await expect.poll(() => row.locator(".pill").innerText()).toBe("Paused");
      expect((await db.executor.schedules()).find((s) => s.id === "nightly")?.paused).toBe(true);
      await row.locator("button", { hasText: "Resume" }).click();
      await expect.poll(() => row.locator(".pill").innerText()).toBe("Active");
      expect((await db.executor.schedules()).find((s) => s.id === "nightly")?.paused).toBe(false);
    });

    test("screenshot of a run page, and no script errors anywhere", async () => {
      await page.goto(`${server.url}#/runs/${runs.etl}`);
      await page.locator("#dag g.node").nth(3).waitFor();
      await page.click(`#dag g.node[data-task-id="${wf.id("transform")}"]`);
      await page.screenshot({ path: SCREENSHOT, fullPage: false });
      await page.goto(server.url);
      await page.locator("tr.row").nth(3).waitFor();
      await page.screenshot({ path: SCREENSHOT.replace(".png", "-runs.png") });
      expect(pageErrors).toEqual([]);
      expect(await page.evaluate("window.__pwned")).toBeUndefined();
    });
  },
  60_000,
);
