import { writeFileSync } from "node:fs";
import path from "node:path";
import { createExecutor } from "cloacina";
import { afterAll, describe, expect, test, vi } from "vitest";
import { broken, greet, slow } from "./fixtures/workflows.js";
import { CliProcess, fixtureArg, tempDir } from "./harness.js";

// Each CLI process starts node with tsx (1-3 s on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

const tmp = tempDir();
afterAll(() => tmp.remove());

describe("cloacina worker <module>", () => {
  test("executes runs started elsewhere, logs their tasks, and on SIGTERM drains and exits 0", async () => {
    const db = tmp.url("worker.db");
    const worker = new CliProcess(["worker", fixtureArg, "--db", db, "--concurrency", "4", "--poll-ms", "100"]);
    // A client that only submits and watches: it never executes a task itself.
    const client = await createExecutor(db, { runTasks: false, pollMs: 100 });
    try {
      await worker.waitFor(/^worker \S+ on sqlite:\/\/.*: broken, greet, slow \(concurrency 4\)/m);
      const result = await client.execute(greet, { name: "worker" });
      expect(result.status).toBe("Completed");
      expect(result.finalContext.shouted).toBe("HELLO WORKER");
      await worker.waitFor(new RegExp(`${result.executionId} cli\\.shout: completed`));
      expect(worker.stdout).toContain(`${result.executionId} cli.hello: started (attempt 1)`);
      worker.child.kill("SIGTERM");
      expect(await worker.exited).toBe(0);
      expect(worker.stdout).toContain("SIGTERM: draining");
      expect(worker.stdout).toMatch(/worker stopped\n$/);
      expect(worker.stderr).toBe("");
    } finally {
      worker.kill();
      await client.close();
    }
  });

  test("SIGTERM while a task runs: the worker lets it finish (drain), then exits 0", async () => {
    const db = tmp.url("drain.db");
    const worker = new CliProcess(["worker", fixtureArg, "--db", db, "--poll-ms", "100", "--grace-ms", "20000"]);
    const client = await createExecutor(db, { runTasks: false, pollMs: 100 });
    try {
      const until = path.join(tmp.dir, "go");
      const handle = await client.start(slow, { until });
      await worker.waitFor(new RegExp(`${handle.executionId} cli\\.wait: started`));
      worker.child.kill("SIGTERM");
      await worker.waitFor(/SIGTERM: draining/);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(worker.child.exitCode).toBe(null); // still draining: the task has not finished
      writeFileSync(until, "");
      expect(await worker.exited).toBe(0);
      expect((await handle.result()).status).toBe("Completed");
    } finally {
      worker.kill();
      await client.close();
    }
  });
});

describe("cloacina dashboard", () => {
  test("serves the dashboard on the given port until SIGTERM, then exits 0", async () => {
    const dashboard = new CliProcess(["dashboard", "--port", "0", "--db", tmp.url("dashboard.db")]);
    try {
      const [, url] = await dashboard.waitFor(/^dashboard on (http:\/\/\S+?);/m);
      const response = await fetch(url!);
      expect(response.status).toBe(200);
      dashboard.child.kill("SIGTERM");
      expect(await dashboard.exited).toBe(0);
    } finally {
      dashboard.kill();
    }
  });

  test("with --module, Retry works: the run's workflow is registered in the dashboard's process", async () => {
    const db = tmp.url("dashboard-retry.db");
    const runner = await createExecutor(db);
    const failed = await runner.execute(broken, {});
    await runner.close();
    expect(failed.status).toBe("Failed");
    // From here on nothing executes tasks: a retried run stays Running.
    const client = await createExecutor(db, { runTasks: false });
    const retry = async (args: string[]) => {
      const dashboard = new CliProcess(["dashboard", "--port", "0", "--db", db, ...args]);
      try {
        const [, url] = await dashboard.waitFor(/^dashboard on (http:\/\/\S+?);/m);
        const response = await fetch(new URL(`api/runs/${failed.executionId}/retry`, url), { method: "POST" });
        return { status: response.status, body: await response.json() };
      } finally {
        dashboard.child.kill("SIGTERM");
        await dashboard.exited;
      }
    };
    try {
      expect(await retry([])).toMatchObject({ status: 409, body: { error: { code: "UNKNOWN_WORKFLOW" } } });
      expect((await retry(["--module", fixtureArg])).status).toBe(200);
      expect((await client.inspect(failed.executionId)).status).toBe("Running");
    } finally {
      await client.close();
    }
  });

  test("refuses to listen beyond loopback without a token, exit 1", async () => {
    const dashboard = new CliProcess([
      "dashboard",
      "--host",
      "0.0.0.0",
      "--port",
      "0",
      "--db",
      tmp.url("dashboard.db"),
    ]);
    expect(await dashboard.exited).toBe(1);
    expect(dashboard.stderr).toContain("error [INVALID_DASHBOARD_OPTIONS]");
  });
});

describe("cloacina worker <module> with a task that waits", () => {
  test("the worker (its own copy of the engine for the module) runs a signal wait, and a signal completes it", async () => {
    const db = tmp.url("waiting-worker.db");
    const approvalModule = path.join(import.meta.dirname, "fixtures", "approval.ts");
    const worker = new CliProcess(["worker", approvalModule, "--db", db, "--poll-ms", "100"]);
    const client = await createExecutor(db, { runTasks: false, pollMs: 100 });
    try {
      await worker.waitFor(/^worker \S+ on sqlite:\/\/.*: approve/m);
      const { approve } = await import("./fixtures/approval.js");
      const handle = await client.start(approve, {});
      await worker.waitFor(new RegExp(`${handle.executionId} cli\\.approval: waiting for a signal`));
      await client.signal(handle.executionId, "cli.approval", { approved: true });
      const result = await handle.result();
      expect(result.status).toBe("Completed");
      expect(result.finalContext).toMatchObject({ shipped: true });
    } finally {
      worker.kill();
      await client.close();
    }
  });
});
