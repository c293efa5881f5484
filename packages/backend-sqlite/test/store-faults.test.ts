import { parseSqliteUrl, SqliteStore } from "@cloacina/backend-sqlite";
import { openExecutor, resetRegistry, type Store, task, workflow } from "@cloacina/engine";
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

/** The real store, whose run-state reads fail the first `n` times (a database that hiccups). */
function failingReads(store: SqliteStore, n: number): Store {
  let failures = 0;
  return new Proxy(store, {
    get(target, property) {
      if (property === "loadRunStates") {
        return (runIds: readonly string[]) =>
          failures++ < n ? Promise.reject(new Error("injected: run state unreadable")) : target.loadRunStates(runIds);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

test("claimed tasks whose run state cannot be read are not stranded: they fail into their retry policy", async () => {
  resetRegistry();
  const wf = workflow({
    name: "faults.chain",
    tasks: [task({ id: "faults.a", retry: { maxAttempts: 2, backoff: "fixed", delayMs: 1 } }, () => ({ a: 1 }))],
  });
  const url = `sqlite://${dir}/faults.db`;
  // A client starts the run, so the worker has no cached state for it and must read it.
  const client = await openExecutor(new SqliteStore(parseSqliteUrl(url)), { runTasks: false });
  closers.push(() => client.close());
  const errors: unknown[] = [];
  const worker = await openExecutor(failingReads(new SqliteStore(parseSqliteUrl(url)), 5), {
    onError: (e) => errors.push(e),
  });
  closers.push(() => worker.close());
  const result = await (await client.start(wf, { from: "client" })).result();
  expect(result.status).toBe("Completed");
  expect(result.finalContext).toEqual({ from: "client", a: 1 });
  expect(result.tasks[0]?.attempts).toBe(2); // the first attempt failed for want of its state
  const detail = await client.inspect(result.executionId);
  expect(detail.tasks[0]?.failedAttempts[0]?.error.message).toMatch(/state of run .* could not be read/);
  expect(errors.map(String)).toContain("Error: injected: run state unreadable");
}, 30_000);
