import { createExecutor, migrate, parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { type ExecutorEvent, resetRegistry, task, workflow } from "@cloacina/engine";
import pg from "pg";
import { afterEach, describe, expect, test } from "vitest";
import { admin, dropSchema, freshSchema, skipPostgres, TEST_URL } from "./pg-test-db.js";

resetRegistry();
const { slowChain } = await import("./fixtures/workflows.js");

describe.skipIf(skipPostgres)("PostgreSQL operations", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const tenant = (prefix: string) => {
    const t = freshSchema(prefix);
    cleanups.push(() => dropSchema(t.schema));
    return t;
  };

  test("rejected executor options create no schema: the options are checked before the database is touched", async () => {
    const { schema, url } = tenant("rejected");
    await expect(createExecutor(url, { concurrency: -1 })).rejects.toMatchObject({ code: "INVALID_EXECUTOR_OPTIONS" });
    const found = await admin("select 1 from information_schema.schemata where schema_name = $1", [schema]);
    expect(found).toEqual([]);
  });

  test("two tenants (schemas) on one database never see each other's runs", async () => {
    const hello = workflow({ name: "tenant.hello", tasks: [task({ id: "tenant.hello" }, () => ({ hi: 1 }))] });
    const a = await createExecutor(tenant("ta").url);
    const b = await createExecutor(tenant("tb").url);
    cleanups.push(
      () => a.close(),
      () => b.close(),
    );
    const inA = await a.execute(hello, { tenant: "a" });
    expect(inA.status).toBe("Completed");
    await expect(b.get(inA.executionId)).rejects.toMatchObject({ code: "RUN_NOT_FOUND" });
    expect((await (await a.get(inA.executionId)).result()).finalContext).toEqual({ tenant: "a", hi: 1 });
  });

  test("migrations run on open and are safe when several processes open at once", async () => {
    const { schema, url } = tenant("mig");
    await Promise.all(Array.from({ length: 6 }, () => migrate(url)));
    const applied = await admin<{ name: string }>(`select name from "${schema}".cloacina_migrations`);
    expect(applied.map((r) => r.name).sort()).toEqual(["0001_initial", "0002_events", "0003_waiting", "0004_maps"]);
    const tables = await admin<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 and table_name like 'cloacina\\_%' order by 1",
      [schema],
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      "cloacina_events",
      "cloacina_migrations",
      "cloacina_migrations_lock",
      "cloacina_runs",
      "cloacina_schedules",
      "cloacina_signals",
      "cloacina_task_attempts",
      "cloacina_task_runs",
      "cloacina_workflows",
    ]);
  });

  test("migrating is not disturbed by other clients dropping their schemas meanwhile", async () => {
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        const other = `churn_${process.pid}_${i}`;
        await admin(`create schema "${other}"; create table "${other}".t (id int)`);
        await admin(`drop schema "${other}" cascade`);
      }
    })();
    try {
      for (let i = 0; i < 15; i++) {
        const { schema, url } = tenant(`churn${i}`);
        await migrate(url);
        const applied = await admin<{ name: string }>(`select name from "${schema}".cloacina_migrations`);
        expect(applied.length).toBe(4);
      }
    } finally {
      churning = false;
      await churn;
    }
  }, 60_000);

  test("events from now, while another transaction is open: nothing older, and no poll-long wait after it ends", async () => {
    const hello = workflow({ name: "ops.events.hello", tasks: [task({ id: "ops.events.hello" }, () => ({ hi: 1 }))] });
    const executor = await createExecutor(tenant("evnow").url, { pollMs: 5_000 });
    cleanups.push(() => executor.close());
    // A transaction elsewhere on the server that holds a transaction id and stays open.
    const blocker = new pg.Client(TEST_URL);
    await blocker.connect();
    cleanups.push(() => blocker.end());
    await blocker.query("begin");
    await blocker.query("select pg_current_xact_id()");
    const before = await executor.execute(hello, {});
    const stream = executor.events();
    const seen: ExecutorEvent[] = [];
    const reading = (async () => {
      for await (const e of stream) {
        seen.push(e);
        if (e.type === "run.completed") return;
      }
    })();
    const after = await executor.execute(hello, {});
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]); // held back: the open transaction is older than these events
    const released = Date.now();
    await blocker.query("commit");
    await reading;
    expect(Date.now() - released).toBeLessThan(3_000); // not the 5 s safety poll
    expect(seen.every((e) => e.executionId === after.executionId)).toBe(true);
    expect(seen.some((e) => e.executionId === before.executionId)).toBe(false);
    expect(seen.map((e) => e.type)).toEqual([
      "run.started",
      "task.ready",
      "task.started",
      "task.completed",
      "run.completed",
    ]);
  }, 30_000);

  test("health() is a round trip to the database", async () => {
    const executor = await createExecutor(tenant("health").url);
    cleanups.push(() => executor.close());
    const health = await executor.health();
    expect(health.ok).toBe(true);
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test("a run survives its database connections being terminated mid-run", async () => {
    const name = `cloacina-kill-${Date.now()}`;
    const executor = await createExecutor(`${tenant("kill").url}&application_name=${name}`, { onError: () => {} });
    cleanups.push(() => executor.close());
    const handle = await executor.start(slowChain, {});
    await new Promise((r) => setTimeout(r, 350)); // a couple of tasks in
    const killed = await admin<{ pid: number }>(
      "select pg_terminate_backend(pid) as pid from pg_stat_activity where application_name = $1",
      [name],
    );
    expect(killed.length).toBeGreaterThan(0); // the pool's connections and the LISTEN connection
    const result = await handle.result();
    expect(result.status).toBe("Completed");
    expect(result.finalContext).toEqual({ n: 6 });
    expect((await executor.health()).ok).toBe(true);
  }, 60_000);

  test("a pooled connection that dies while idle is reported to onError (without the password)", async () => {
    const name = `cloacina-idle-${Date.now()}`;
    const errors: unknown[] = [];
    const url = `${tenant("idle").url.replace("postgres@", "postgres:hunter2@")}&application_name=${name}`;
    const executor = await createExecutor(url, { onError: (e) => errors.push(e) });
    cleanups.push(() => executor.close());
    await executor.execute(slowChain, {}); // the pool now holds idle connections
    await admin(
      "select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1 and state = 'idle'",
      [name],
    );
    const deadline = Date.now() + 10_000;
    while (!errors.some((e) => String(e).includes("PostgreSQL pool"))) {
      if (Date.now() > deadline) throw new Error(`no pool error reported; got: ${errors.map(String).join("; ")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(errors.map(String).join("\n")).not.toContain("hunter2");
    expect((await executor.health()).ok).toBe(true);
  }, 60_000);

  test("sslmode=require really asks for TLS (this server has TLS off, so it is refused)", async () => {
    const ssl = (await admin<{ ssl: string }>("show ssl"))[0]?.ssl;
    const store = new PostgresDriver(parsePostgresUrl(`${TEST_URL}?sslmode=require&connect_timeout=5`));
    try {
      if (ssl === "on") await expect(store.ping()).resolves.toBeUndefined();
      else await expect(store.ping()).rejects.toThrow(/does not support SSL/);
    } finally {
      await store.close();
    }
  });
});

describe.skipIf(skipPostgres)("the migrate command", () => {
  test("cloacina-migrate-postgres <url> creates the tenant's tables; a bad URL exits 1 without the password", async () => {
    const { execFile } = await import("node:child_process");
    const { promisify } = await import("node:util");
    const path = await import("node:path");
    const run = promisify(execFile);
    const cli = path.join(import.meta.dirname, "../src/migrate-cli.ts");
    const args = (url: string) => ["--import", "tsx", "--conditions=@cloacina/source", cli, url];
    const { schema, url } = freshSchema("cli");
    try {
      const { stdout } = await run(process.execPath, args(url));
      expect(stdout).toContain("migrated");
      expect(await admin(`select 1 from "${schema}".cloacina_runs limit 1`)).toEqual([]);
      const failure = await run(process.execPath, args("postgres://u:hunter2@h/db?schema=Bad")).catch(
        (e: unknown) => e,
      );
      expect(failure).toMatchObject({ code: 1, stderr: expect.stringContaining("INVALID_DATABASE_URL") });
      expect((failure as { stderr: string }).stderr).not.toContain("hunter2");
    } finally {
      await dropSchema(schema);
    }
  }, 30_000);
});
