/**
 * Wake-ups inside one process are per database: executors on the same SQLite file hear each
 * other's steps at once; executors on another file hear nothing of them.
 */
import { parseSqliteUrl, SqliteDriver } from "@cloacina/backend-sqlite";
import type { StoreEvent } from "@cloacina/engine";
import { Store } from "@cloacina/engine/store";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-wakeups-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function open(file: string): Promise<Store> {
  const store = new Store(new SqliteDriver(parseSqliteUrl(`sqlite://${path.join(dir, file)}`)));
  await store.migrate();
  return store;
}

test("a step's notices and appended events reach this process's stores on the same database, and no other", async () => {
  const writer = await open("a.db");
  const sameFile = await open("a.db");
  const otherFile = await open("b.db");
  const heard = { sameFile: [] as StoreEvent[], otherFile: [] as StoreEvent[] };
  const appends = { sameFile: 0, otherFile: 0 };
  const stops = [
    await sameFile.listen((notice) => heard.sameFile.push(notice)),
    await otherFile.listen((notice) => heard.otherFile.push(notice)),
  ];
  const unsubscribe = [
    sameFile.onLocalAppend(() => appends.sameFile++),
    otherFile.onLocalAppend(() => appends.otherFile++),
  ];
  try {
    await writer.step({
      owner: "writer",
      now: 1_000,
      newRuns: [
        {
          runId: "r1",
          workflowName: "wf",
          workflowVersion: "v1",
          input: "v1:[{}]",
          tasks: [{ taskId: "a", position: 0, pendingDependencies: 0, maxAttempts: 1 }],
        },
      ],
      outcomes: [],
      cancelRuns: [],
      claim: { limit: 0, leaseMs: 1_000, workflowVersions: ["v1"] },
    });
    expect(heard.sameFile).toEqual([{ type: "ready", from: "writer" }]);
    expect(appends.sameFile).toBe(1);
    expect(heard.otherFile).toEqual([]);
    expect(appends.otherFile).toBe(0);
  } finally {
    for (const stop of unsubscribe) stop();
    for (const stop of stops) await stop();
    for (const store of [writer, sameFile, otherFile]) await store.close();
  }
});
