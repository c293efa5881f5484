import { SqliteDriver } from "@cloacina/backend-sqlite";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, migrationProvider, sqliteMigrator } from "../src/migrations.js";
import { migrations } from "../src/migrations/index.js";
import { readSqliteSchema } from "./sqlite-schema.js";

const dir = mkdtempSync(path.join(tmpdir(), "cloacina-migrations-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(dir, `db-${++files}.db`);

/** Opens the file with the real store (what an executor does), migrates it and closes. */
async function openWithStore(filename: string): Promise<void> {
  const store = new SqliteDriver({ filename, synchronous: "NORMAL", busyTimeoutMs: 1000 });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

/** Runs `body` with a kysely instance on the file. */
async function withKysely<T>(filename: string, body: (db: Kysely<any>) => Promise<T>): Promise<T> {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new BetterSqlite3(filename) }) });
  try {
    return await body(db);
  } finally {
    await db.destroy();
  }
}

function history(filename: string, table: string): { name: string; timestamp: string }[] {
  const db = new BetterSqlite3(filename, { readonly: true });
  try {
    return db.prepare(`select name, timestamp from "${table}" order by name`).all() as never;
  } finally {
    db.close();
  }
}

test("migrating step by step from the first migration ends with the schema of a fresh database", async () => {
  const stepped = newFile();
  await withKysely(stepped, async (db) => {
    const migrator = sqliteMigrator(db);
    for (const name of Object.keys(migrations)) {
      const { error, results } = await migrator.migrateTo(name);
      expect(error).toBeUndefined();
      expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[name, "Success"]]);
    }
  });
  const fresh = newFile();
  await openWithStore(fresh);
  expect(readSqliteSchema(stepped)).toEqual(readSqliteSchema(fresh));
  expect(history(stepped, MIGRATION_TABLE).map((r) => r.name)).toEqual(Object.keys(migrations));
});

test("the schema of a fresh database is pinned (a migration edit shows here)", async () => {
  const fresh = newFile();
  await openWithStore(fresh);
  // After a new migration, review the diff of this file and commit it (vitest -u rewrites it).
  await expect(`${JSON.stringify(readSqliteSchema(fresh), null, 2)}\n`).toMatchFileSnapshot(
    "./__snapshots__/sqlite-schema.json",
  );
});

test("a database whose history is in kysely's default tables keeps it, and nothing runs again", async () => {
  // What earlier versions made: the same migrations, booked in kysely_migration / kysely_migration_lock.
  const legacy = newFile();
  await withKysely(legacy, async (db) => {
    const { error } = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    expect(error).toBeUndefined();
    await db
      .insertInto("cloacina_schedules")
      .values({
        id: "kept",
        workflow_name: "wf",
        cron: "* * * * *",
        timezone: "UTC",
        context: "{}",
        missed: "skip",
        catch_up_limit: 1,
        next_fire_at: 1,
        created_at: 1,
      })
      .execute();
  });
  const before = history(legacy, "kysely_migration");
  expect(before.map((r) => r.name)).toEqual(Object.keys(migrations));

  await openWithStore(legacy);
  await openWithStore(legacy);

  const tables = readSqliteSchema(legacy).tables;
  expect(Object.keys(tables)).not.toContain("kysely_migration");
  expect(Object.keys(tables)).not.toContain("kysely_migration_lock");
  expect(history(legacy, MIGRATION_TABLE)).toEqual(before);
  const lock = new BetterSqlite3(legacy, { readonly: true });
  expect(lock.prepare(`select id, is_locked from "${MIGRATION_LOCK_TABLE}"`).all()).toEqual([
    { id: "migration_lock", is_locked: 0 },
  ]);
  expect(lock.prepare("select id from cloacina_schedules").pluck().all()).toEqual(["kept"]);
  lock.close();

  const fresh = newFile();
  await openWithStore(fresh);
  expect(readSqliteSchema(legacy)).toEqual(readSqliteSchema(fresh));
});
