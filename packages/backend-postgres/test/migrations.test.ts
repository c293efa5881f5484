import { migrate } from "@cloacina/backend-postgres";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { MIGRATION_TABLE, schemaMigrator, vanishedElsewhere } from "../src/migrations.js";
import { migrations } from "../src/migrations/index.js";
import { readPgSchema } from "./pg-schema.js";
import { admin, dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

describe.skipIf(skipPostgres)("PostgreSQL migrations", () => {
  const schemas: string[] = [];
  afterEach(async () => {
    for (const schema of schemas.splice(0)) await dropSchema(schema);
  });
  const tenant = (prefix: string) => {
    const t = freshSchema(prefix);
    schemas.push(t.schema);
    return t;
  };

  test("migrating step by step from the first migration ends with the schema of a fresh database", async () => {
    const stepped = tenant("step");
    const db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: TEST_URL }) }) });
    try {
      const migrator = schemaMigrator(db, stepped.schema);
      for (const name of Object.keys(migrations(stepped.schema))) {
        let { error, results } = await migrator.migrateTo(name);
        // As migrateSchema does: other tests drop their schemas meanwhile, which can fail kysely's
        // listing of every table; each migration is its own transaction, so trying again is safe.
        for (let attempt = 1; error && attempt < 10 && vanishedElsewhere(error, stepped.schema); attempt++) {
          ({ error, results } = await migrator.migrateTo(name));
        }
        expect(error).toBeUndefined();
        expect(results?.map((r) => [r.migrationName, r.status])).toEqual([[name, "Success"]]);
      }
    } finally {
      await db.destroy();
    }
    const fresh = tenant("fresh");
    await migrate(fresh.url);
    expect(await readPgSchema(stepped.schema)).toEqual(await readPgSchema(fresh.schema));
    const applied = await admin<{ name: string }>(
      `select name from "${stepped.schema}".${MIGRATION_TABLE} order by name`,
    );
    expect(applied.map((r) => r.name)).toEqual(Object.keys(migrations(stepped.schema)));
  });

  test("the schema of a fresh tenant is pinned (a migration edit shows here)", async () => {
    const fresh = tenant("pin");
    await migrate(fresh.url);
    // After a new migration, review the diff of this file and commit it (vitest -u rewrites it).
    await expect(`${JSON.stringify(await readPgSchema(fresh.schema), null, 2)}\n`).toMatchFileSnapshot(
      "./__snapshots__/pg-schema.json",
    );
  });
});
