import { parseSqliteUrl, SqliteDriver } from "@cloacina/backend-sqlite";
import { isCloacinaError, openExecutor, resetRegistry, type StoreDriver, task, workflow } from "@cloacina/engine";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-faults-"));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

/** The real driver, whose run-state reads fail the first `n` times (a database that hiccups). */
function failingReads(driver: SqliteDriver, n: number): StoreDriver {
  let failures = 0;
  return {
    name: driver.name,
    migrate: () => driver.migrate(),
    transact: (plan) => driver.transact(plan),
    runs: {
      ...driver.runs,
      loadRunStates: (runIds) =>
        failures++ < n
          ? Promise.reject(new Error("injected: run state unreadable"))
          : driver.runs.loadRunStates(runIds),
    },
    schedules: driver.schedules,
    events: driver.events,
    workflows: driver.workflows,
    close: () => driver.close(),
  };
}

test("claimed tasks whose run state cannot be read are not stranded: they fail into their retry policy", async () => {
  resetRegistry();
  const wf = workflow({
    name: "faults.chain",
    tasks: [task({ id: "faults.a", retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 } }, () => ({ a: 1 }))],
  });
  const url = `sqlite://${dir}/faults.db`;
  // A client starts the run, so the worker has no cached state for it and must read it.
  const client = await openExecutor(new SqliteDriver(parseSqliteUrl(url)), { runTasks: false });
  closers.push(() => client.close());
  const errors: unknown[] = [];
  const worker = await openExecutor(failingReads(new SqliteDriver(parseSqliteUrl(url)), 5), {
    onError: (e) => errors.push(e),
  });
  closers.push(() => worker.close());
  const result = await (await client.start(wf, { from: "client" })).result();
  expect(result.status).toBe("Completed");
  expect(result.finalContext).toEqual({ from: "client", a: 1 });
  expect(result.tasks[0]?.attempts).toBe(2); // the first attempt failed for want of its state
  const detail = await client.inspect(result.executionId);
  expect(detail.tasks[0]?.failedAttempts[0]?.error.message).toMatch(/state of run .* could not be read/);
  // The driver's error reaches onError as a coded store failure, with the driver's error as its cause.
  const failure = errors.find((e) => isCloacinaError(e) && e.code === "STORE_FAILURE");
  expect(failure).toBeDefined();
  expect(String((failure as Error).cause)).toBe("Error: injected: run state unreadable");
}, 30_000);
