/**
 * The PostgreSQL driver's transactions are pipelined (statements sent before earlier answers
 * arrive) and, by default, made of prepared statements: what that must keep true.
 */
import { openExecutor, task, workflow } from "@cloacina/engine";
import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import pg from "pg";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { PipelinedTransaction } from "../src/pipeline.js";
import { admin, dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

describe.skipIf(skipPostgres)("pipelined transactions (PostgreSQL)", () => {
  let schema: string;
  let url: string;
  let pool: pg.Pool;
  beforeEach(async () => {
    ({ schema, url } = freshSchema("pipe"));
    await admin(`create schema ${schema}; create table ${schema}.t (v int primary key)`);
    pool = new pg.Pool({ connectionString: TEST_URL, pipeline: true, max: 1 });
  });
  afterEach(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  const insert = (v: number) => ({ sql: `insert into ${schema}.t (v) values ($1)`, parameters: [v] });
  const stored = async () => (await admin(`select v from ${schema}.t order by v`)).map((r) => r.v as number);

  test("statements sent without waiting commit together", async () => {
    const client = await pool.connect();
    const tx = new PipelinedTransaction(client, true);
    tx.send(insert(1));
    tx.send(insert(2));
    await tx.commit();
    client.release();
    expect(await stored()).toEqual([1, 2]);
  });

  test("a failing statement fails the commit with its own error (not 'transaction aborted'), and nothing is kept", async () => {
    const client = await pool.connect();
    const tx = new PipelinedTransaction(client, true);
    tx.send(insert(1));
    tx.send(insert(1)); // duplicate key: the server aborts the transaction here
    tx.send(insert(2)); // fails too, only because the transaction is aborted
    const failure = await tx.commit().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "23505" }); // unique_violation, the cause
    await tx.rollback();
    client.release();
    expect(await stored()).toEqual([]);
    // The client is usable again afterwards.
    expect((await pool.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
  });

  test("a parameter that cannot be sent fails the transaction before COMMIT: nothing is kept", async () => {
    const client = await pool.connect();
    const tx = new PipelinedTransaction(client, true);
    tx.send(insert(1));
    tx.send({ sql: `insert into ${schema}.t (v) values ($1)`, parameters: [10n] }); // pg cannot send a bigint
    tx.send(insert(3));
    await expect(tx.commit()).rejects.toBeInstanceOf(TypeError);
    await tx.rollback();
    client.release();
    expect(await stored()).toEqual([]);
  });

  test.each([
    [true, ["cloacina_"]],
    [false, []],
  ])("prepare=%s: the engine's statements are prepared once per connection, or not at all", async (prepare, names) => {
    const client = await pool.connect();
    const tx = new PipelinedTransaction(client, prepare);
    tx.send(insert(1));
    await tx.commit();
    const prepared = (await client.query("select name from pg_prepared_statements")).rows.map((r) =>
      String(r.name).replace(/\d+$/, ""),
    );
    client.release();
    expect([...new Set(prepared)]).toEqual(names);
  });

  test("a workflow runs the same with prepare=false (for a pooler that cannot keep prepared statements)", async () => {
    const a = task({ id: `${schema}.a` }, () => ({ a: 1 }));
    const b = task({ id: `${schema}.b`, dependsOn: [`${schema}.a`] }, (ctx: { a: number }) => ({ b: ctx.a + 1 }));
    const wf = workflow({ name: `${schema}.wf`, tasks: [a, b] });
    const executor = await openExecutor(new PostgresDriver(parsePostgresUrl(`${url}&prepare=false`)));
    try {
      const result = await executor.execute(wf, {});
      expect(result.status).toBe("Completed");
      expect(result.finalContext).toMatchObject({ a: 1, b: 2 });
    } finally {
      await executor.close();
    }
  });
});
