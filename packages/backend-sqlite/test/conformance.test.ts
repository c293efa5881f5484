import { SqliteDriver, parseSqliteUrl } from "@cloacina/backend-sqlite";
import { runConformanceSuite } from "@cloacina/engine/conformance";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sqliteSchemaShape } from "./sqlite-schema.js";

// Every store behaviour, on real database files (one new file per test).
runConformanceSuite({
  name: "sqlite",
  schemaAdditions: [
    {
      reason: "claims read Ready tasks in (available_at, rowid) order: SQLite's own index order for one column",
      tables: { cloacina_task_runs: { indexes: ["cloacina_task_runs_claim"] } },
    },
  ],
  async createDatabase() {
    const dir = mkdtempSync(path.join(tmpdir(), "cloacina-conformance-"));
    const url = `sqlite://${dir}/test.db`;
    return {
      connect: () => Promise.resolve(new SqliteDriver(parseSqliteUrl(url))),
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      describeSchema: () => Promise.resolve(sqliteSchemaShape(`${dir}/test.db`)),
    };
  },
});
