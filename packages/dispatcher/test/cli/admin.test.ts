import path from "node:path";
import { createExecutor, type Executor } from "cloacina";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { greet, slow } from "./fixtures/workflows.js";
import { cli, fixtureArg, tempDir } from "./harness.js";

// Each CLI call starts node with tsx (1-3 s on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

// One database: runs made here by an executor that never runs tasks, and by `cloacina run`.
const tmp = tempDir();
const db = tmp.url("admin.db");
let executor: Executor;
let completedId: string;
let failedId: string;

beforeAll(async () => {
  const ran = await cli(["run", fixtureArg, "greet", "--json", "--db", db]);
  completedId = JSON.parse(ran.stdout).executionId;
  const failed = await cli(["run", fixtureArg, "broken", "--json", "--db", db]);
  failedId = JSON.parse(failed.stdout).executionId;
  executor = await createExecutor(db, { runTasks: false, pollMs: 100 });
}, 60_000);
afterAll(async () => {
  await executor.close();
  tmp.remove();
});

describe("cloacina runs", () => {
  test("--json lists stored runs newest first; --status and --workflow filter", async () => {
    const all = await cli(["runs", "--json", "--db", db]);
    expect(all.code).toBe(0);
    const runs = JSON.parse(all.stdout).runs as { executionId: string; workflow: string; status: string }[];
    expect(runs.slice(-2)).toEqual([
      expect.objectContaining({ executionId: failedId, workflow: "broken", status: "Failed" }),
      expect.objectContaining({ executionId: completedId, workflow: "greet", status: "Completed" }),
    ]);
    const failed = JSON.parse((await cli(["runs", "--status", "failed", "--json", "--db", db])).stdout).runs;
    expect(failed.map((r: { executionId: string }) => r.executionId)).toContain(failedId);
    expect(failed.every((r: { status: string }) => r.status === "Failed")).toBe(true);
    const greets = JSON.parse((await cli(["runs", "--workflow", "greet", "--json", "--db", db])).stdout).runs;
    expect(greets.every((r: { workflow: string }) => r.workflow === "greet")).toBe(true);
  });

  test("--limit pages with a cursor that --cursor follows", async () => {
    const first = JSON.parse((await cli(["runs", "--limit", "1", "--json", "--db", db])).stdout);
    expect(first.runs).toHaveLength(1);
    expect(first.next).toEqual(expect.any(String));
    const second = JSON.parse(
      (await cli(["runs", "--limit", "1", "--cursor", first.next, "--json", "--db", db])).stdout,
    );
    expect(second.runs).toHaveLength(1);
    expect(second.runs[0].executionId).not.toBe(first.runs[0].executionId);
  });

  test("without --json, a table with a header row", async () => {
    const { stdout, code } = await cli(["runs", "--workflow", "broken", "--db", db]);
    expect(code).toBe(0);
    expect(stdout.split("\n")[0]).toMatch(/^EXECUTION ID +WORKFLOW +STATUS +CREATED +DURATION$/);
    expect(stdout).toMatch(new RegExp(`^${failedId} +broken +Failed +\\d{4}-\\d\\d-\\d\\d`, "m"));
  });

  test("a malformed --status is a usage error", async () => {
    const { code, stderr } = await cli(["runs", "--status", "Broken", "--db", db]);
    expect(code).toBe(2);
    expect(stderr).toContain("Expected one of Running, Completed, Failed, Cancelled.");
  });
});

describe("cloacina show <id>", () => {
  test("--json shows every task with its status, attempts and errors", async () => {
    const { stdout, code } = await cli(["show", failedId, "--json", "--db", db]);
    expect(code).toBe(0);
    const detail = JSON.parse(stdout);
    expect(detail).toMatchObject({ executionId: failedId, workflow: "broken", status: "Failed" });
    expect(detail.tasks.map((t: { id: string; status: string }) => [t.id, t.status])).toEqual([
      ["cli.prepare", "Completed"],
      ["cli.explode", "Failed"],
      ["cli.after", "Skipped"],
    ]);
    expect(detail.tasks[1]).toMatchObject({ attempts: 2, error: { message: "the flux capacitor is empty" } });
    expect(detail.tasks[1].failedAttempts).toHaveLength(2);
  });

  test("for humans: a task table and each failed attempt", async () => {
    const { stdout } = await cli(["show", failedId, "--db", db]);
    expect(stdout).toMatch(/^status +Failed$/m);
    expect(stdout).toMatch(/^cli\.explode +Failed +2\/2 /m);
    expect(stdout).toContain("attempt 2 Failed at");
  });

  test("an unknown id is RUN_NOT_FOUND, exit 1", async () => {
    const { code, stderr } = await cli(["show", "no-such-run", "--db", db]);
    expect(code).toBe(1);
    expect(stderr).toContain('error [RUN_NOT_FOUND]: No run with execution id "no-such-run"');
  });
});

describe("cloacina cancel / retry", () => {
  test("cancel stops a waiting run; retry with its module makes it Running again", async () => {
    // Nothing executes in this process, so the run waits with its task Ready.
    const handle = await executor.start(slow, { until: path.join(tmp.dir, "never") });
    const id = handle.executionId;
    const cancelled = await cli(["cancel", id, "--db", db]);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toBe(`run ${id} Cancelled\n`);
    expect(await handle.status()).toBe("Cancelled");
    const again = await cli(["cancel", id, "--json", "--db", db]);
    expect(JSON.parse(again.stdout)).toEqual({ executionId: id, status: "Cancelled", cancelled: false });

    const retried = await cli(["retry", id, "--module", fixtureArg, "--json", "--db", db]);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toEqual({ executionId: id, status: "Running" });
    expect(await handle.status()).toBe("Running");
    await (await executor.get(id)).cancel();
  });

  test("retry needs the module and a Failed or Cancelled run", async () => {
    const noModule = await cli(["retry", failedId, "--db", db]);
    expect(noModule.code).toBe(2);
    expect(noModule.stderr).toContain("error: required option '-m, --module <file>' not specified");
    const completed = await cli(["retry", completedId, "-m", fixtureArg, "--db", db]);
    expect(completed.code).toBe(1);
    expect(completed.stderr).toContain("error [RUN_NOT_RETRYABLE]");
  });

  test("a retried failed run is finished by whoever executes its workflow, from its unfinished tasks", async () => {
    const retried = await cli(["retry", failedId, "-m", fixtureArg, "--db", db]);
    expect(retried.stdout).toContain(`run ${failedId} is Running again from its unfinished tasks`);
    const worker = await createExecutor(db, { pollMs: 50 });
    try {
      const result = await (await worker.get(failedId)).result();
      expect(result.status).toBe("Failed"); // the flux capacitor is still empty
      expect(result.tasks.find((t) => t.id === "cli.prepare")?.attempts).toBe(1); // not re-run
      expect(result.tasks.find((t) => t.id === "cli.explode")?.attempts).toBe(4);
    } finally {
      await worker.close();
    }
  });
});

describe("cloacina schedules / migrate", () => {
  test("lists schedules, pauses and resumes one", async () => {
    await executor.schedule(greet, { id: "nightly", cron: "0 3 * * *", context: { name: "night" } });
    const listed = JSON.parse((await cli(["schedules", "--json", "--db", db])).stdout).schedules;
    expect(listed).toEqual([
      expect.objectContaining({ id: "nightly", workflow: "greet", cron: "0 3 * * *", paused: false }),
    ]);
    const paused = await cli(["schedules", "pause", "nightly", "--db", db]);
    expect(paused).toMatchObject({ code: 0, stdout: "schedule nightly paused\n" });
    expect((await executor.schedules())[0]?.paused).toBe(true);
    const table = await cli(["schedules", "list", "--db", db]);
    expect(table.stdout).toMatch(/^nightly +greet +0 3 \* \* \* +UTC +paused /m);
    await cli(["schedules", "resume", "nightly", "--db", db]);
    expect((await executor.schedules())[0]?.paused).toBe(false);
    const missing = await cli(["schedules", "pause", "nope", "--db", db]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("error [SCHEDULE_NOT_FOUND]");
  });

  test("migrate creates the tables of a new database", async () => {
    const fresh = tmp.url("fresh.db");
    expect(await cli(["migrate", "--json", "--db", fresh])).toMatchObject({
      code: 0,
      stdout: '{\n  "migrated": true\n}\n',
    });
    const runs = await cli(["runs", "--json", "--db", fresh]);
    expect(JSON.parse(runs.stdout)).toEqual({ runs: [] });
  });
});
