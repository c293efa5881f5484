/**
 * What the engine's Store adds around every driver, shown on the real SQLite driver: a driver's
 * error is a coded STORE_FAILURE without the password, a bug in a plan is INTERNAL_ERROR, and a
 * transaction that lost a race runs again.
 */
import { parseSqliteUrl, SqliteDriver } from "@cloacina/backend-sqlite";
import { isCloacinaError, type StoreDriver } from "@cloacina/engine";
import { type Plan, Store } from "@cloacina/engine/store";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, expect, test } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-wrapper-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const open: Store[] = [];
afterEach(async () => {
  for (const store of open.splice(0)) await store.close();
});

/** The real driver, with `transact` replaced for the test (everything else is the driver's). */
function withTransact(driver: SqliteDriver, transact: StoreDriver["transact"]): StoreDriver {
  return {
    name: driver.name,
    migrate: () => driver.migrate(),
    transact,
    runs: driver.runs,
    schedules: driver.schedules,
    events: driver.events,
    workflows: driver.workflows,
    retryable: (error) => ((error as { code?: string }).code === "SQLITE_BUSY_TEST" ? "conflict" : undefined),
    close: () => driver.close(),
  };
}

async function storeOn(name: string, transact?: (driver: SqliteDriver) => StoreDriver["transact"]): Promise<Store> {
  const driver = new SqliteDriver(parseSqliteUrl(`sqlite://${dir}/${name}.db`));
  const store = new Store(transact ? withTransact(driver, transact(driver)) : driver);
  open.push(store);
  await store.migrate();
  return store;
}

test("a driver's error is STORE_FAILURE, with the driver's error as its cause and no password anywhere", async () => {
  const store = await storeOn(
    "failure",
    () => () => Promise.reject(new Error("could not reach postgres://app:S3cr3tPw@db.internal/prod")),
  );
  const error: unknown = await store.pruneEvents(0).catch((e: unknown) => e);
  expect(isCloacinaError(error) && error.code).toBe("STORE_FAILURE");
  const cause = (error as Error).cause as Error;
  expect(cause.message).toContain("could not reach postgres://app:");
  for (const text of [(error as Error).message, (error as Error).stack, cause.message, cause.stack]) {
    expect(text).not.toContain("S3cr3tPw");
  }
});

test("a bug in the engine's plan code is INTERNAL_ERROR, and the transaction is rolled back", async () => {
  const store = await storeOn("internal", (driver) => (plan) => driver.transact(plan));
  const driver = new SqliteDriver(parseSqliteUrl(`sqlite://${dir}/internal.db`));
  open.push(new Store(driver));
  function* buggy(): Plan<void> {
    yield { op: "saveWorkflowVersion", args: { record: { version: "v1", name: "wf", tasks: [], createdAt: 1 } } };
    throw new TypeError("undefined is not a function");
  }
  const error: unknown = await driver.transact(buggy()).catch((e: unknown) => e);
  expect(isCloacinaError(error) && error.code).toBe("INTERNAL_ERROR");
  expect(String((error as Error).cause)).toBe("TypeError: undefined is not a function");
  expect(await store.workflows.getWorkflowVersion("v1")).toBeUndefined();
});

test("a transaction that lost a race is run again, from a new plan", async () => {
  let calls = 0;
  const store = await storeOn("conflict", (driver) => (plan) => {
    calls++;
    if (calls <= 2) return Promise.reject(Object.assign(new Error("lost a race"), { code: "SQLITE_BUSY_TEST" }));
    return driver.transact(plan);
  });
  const record = { version: "v2", name: "wf", tasks: [], createdAt: 1 };
  await store.saveWorkflowVersion(record);
  expect(calls).toBe(3);
  expect(await store.workflows.getWorkflowVersion("v2")).toEqual(record);
});
