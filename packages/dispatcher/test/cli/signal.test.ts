/**
 * `cloacina signal <id> <task> --data JSON`: the real CLI in a child process, against real SQLite
 * files, sending to runs of `approve` (fixtures/approval.ts), which waits for `{ approved }`.
 */
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createExecutor, type Executor } from "cloacina";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { approve } from "./fixtures/approval.js";
import { cli, tempDir } from "./harness.js";

// Each CLI call starts node with tsx (1-3 s on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

const tmp = tempDir();
/** Runs here wait for real: this executor runs their tasks, so `cli.approval` becomes Waiting. */
const live = tmp.url("live.db");
/** Runs here never start a task (nothing executes them): `cli.approval` stays Ready. */
const idle = tmp.url("idle.db");
let worker: Executor;
let client: Executor;

beforeAll(async () => {
  worker = await createExecutor(live, { pollMs: 50 });
  client = await createExecutor(idle, { runTasks: false });
});
afterAll(async () => {
  await worker.close();
  await client.close();
  tmp.remove();
});

/** A run of `approve` on the live database whose approval task is Waiting for its signal. */
async function waitingRun(): Promise<string> {
  const handle = await worker.start(approve, {});
  for (let i = 0; i < 400; i++) {
    const task = (await worker.inspect(handle.executionId)).tasks.find((t) => t.id === "cli.approval");
    if (task?.status === "Waiting") return handle.executionId;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("cli.approval never started waiting");
}

describe("cloacina signal", () => {
  test("delivers the payload to a waiting task, which completes with it; the run goes on", async () => {
    const id = await waitingRun();
    const sent = await cli(["signal", id, "cli.approval", "--data", '{"approved":true}', "--db", live]);
    expect(sent).toEqual({ code: 0, stdout: `signal delivered to cli.approval of run ${id}\n`, stderr: "" });
    const result = await (await worker.get(id)).result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toMatchObject({ "cli.approval": { approved: true }, shipped: true });
  });

  test("a second signal with the same --key is a no-op, and says so (exit 0); --data @file reads a file", async () => {
    const id = (await client.start(approve, {})).executionId;
    const file = path.join(tmp.dir, "payload.json");
    writeFileSync(file, '{"approved":false}');
    const args = ["signal", id, "cli.approval", "--data", `@${file}`, "--key", "ticket-7", "--db", idle];
    const first = await cli([...args, "--json"]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({ executionId: id, taskId: "cli.approval", delivered: true });
    const again = await cli(args);
    expect(again).toEqual({
      code: 0,
      stdout: `signal not delivered: cli.approval of run ${id} already has the signal with key ticket-7\n`,
      stderr: "",
    });
  });

  test("--data that is not JSON is INVALID_SIGNAL_DATA, exit 2: nothing is sent, no database is opened", async () => {
    const id = (await client.start(approve, {})).executionId;
    const bad = await cli(["signal", id, "cli.approval", "--data", "{approved:true}", "--key", "k1", "--db", idle]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error \[INVALID_SIGNAL_DATA\]: --data is not valid JSON \(.+\); nothing was sent\./);
    expect(bad.stdout).toBe("");
    // Nothing was stored under that key: the same key with valid data is a new signal.
    const good = await cli(["signal", id, "cli.approval", "--data", "true", "--key", "k1", "--json", "--db", idle]);
    expect(JSON.parse(good.stdout)).toMatchObject({ delivered: true });
    // Checked before the database is touched: a database that does not exist yet is not made.
    const fresh = path.join(tmp.dir, "never.db");
    const unopened = await cli(["signal", id, "cli.approval", "--data", "", "--db", `sqlite://${fresh}`]);
    expect(unopened.code).toBe(2);
    expect(unopened.stderr).toContain("error [INVALID_SIGNAL_DATA]");
    expect(existsSync(fresh)).toBe(false);
  });

  test("a finished run or an unknown task is SIGNAL_NOT_ACCEPTED, an unknown run RUN_NOT_FOUND, exit 1", async () => {
    const cancelled = await client.start(approve, {});
    await cancelled.cancel();
    const done = cancelled.executionId;
    const finished = await cli(["signal", done, "cli.approval", "--data", "{}", "--db", idle]);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain(`error [SIGNAL_NOT_ACCEPTED]: Run ${done} has finished (Cancelled)`);
    const id = (await client.start(approve, {})).executionId;
    const noTask = await cli(["signal", id, "cli.nope", "--data", "{}", "--db", idle]);
    expect(noTask.code).toBe(1);
    expect(noTask.stderr).toContain(`error [SIGNAL_NOT_ACCEPTED]: Run ${id} has no task "cli.nope"`);
    const noRun = await cli(["signal", "no-such-run", "cli.approval", "--data", "{}", "--db", idle]);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toContain('error [RUN_NOT_FOUND]: No run with execution id "no-such-run"');
  });
});
