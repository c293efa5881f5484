import { backend as sqliteBackend } from "@cloacina/backend-sqlite";
import {
  createExecutor,
  discoverBackend,
  isCloacinaError,
  resetRegistry,
  task,
  workflow,
  type Backend,
} from "cloacina";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";

afterEach(() => resetRegistry());

async function failure(url: unknown): Promise<Error & { code: string }> {
  try {
    await createExecutor(url as string);
  } catch (error) {
    expect(isCloacinaError(error)).toBe(true);
    return error as Error & { code: string };
  }
  throw new Error(`createExecutor(${String(url)}) did not fail`);
}

describe("createExecutor(url) picks an installed backend by the URL's scheme", () => {
  test("the URL is required: there is no default database", async () => {
    for (const url of [undefined, "", "  ", 42]) {
      expect(await failure(url)).toMatchObject({
        code: "INVALID_DATABASE_URL",
        message: expect.stringContaining("required"),
      });
    }
  });

  test("a string without a scheme is INVALID_DATABASE_URL with the accepted schemes", async () => {
    expect(await failure("./cloacina.db")).toMatchObject({
      code: "INVALID_DATABASE_URL",
      message: expect.stringContaining("sqlite://"),
    });
  });

  test("an unknown scheme is UNSUPPORTED_DATABASE_SCHEME and lists the accepted ones", async () => {
    const error = await failure("mysql://root:topsecret@localhost/db");
    expect(error.code).toBe("UNSUPPORTED_DATABASE_SCHEME");
    expect(error.message).toContain("sqlite://, postgres://, postgresql://");
    expect(error.message).not.toContain("topsecret");
  });

  test("a known scheme whose package is missing says which package to install, without the password", async () => {
    // A real dynamic import of a package that is not installed (the packaging test does the same
    // with postgres:// in a fresh project that has only the SQLite backend).
    const missing = "@cloacina/backend-mysql";
    const backends = { mysql: { packageName: missing, load: () => import(missing) } };
    let error: unknown;
    try {
      await discoverBackend("mysql://app:hunter2@db.internal:3306/prod", backends);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "BACKEND_NOT_INSTALLED",
      name: "BackendNotInstalledError",
      message: expect.stringContaining("npm install @cloacina/backend-mysql"),
    });
    expect((error as Error).message).not.toContain("hunter2");
  });

  test("a package that loads but exports no backend is INVALID_BACKEND", async () => {
    const backends = { odd: { packageName: "zod", load: () => import("zod") } };
    await expect(discoverBackend("odd://x", backends)).rejects.toMatchObject({ code: "INVALID_BACKEND" });
  });

  test("a package that fails while loading is BACKEND_LOAD_FAILED, with the cause", async () => {
    const backends = {
      broken: { packageName: "broken-pkg", load: () => Promise.reject(new Error("native module version mismatch")) },
    };
    await expect(discoverBackend("broken://x", backends)).rejects.toMatchObject({
      code: "BACKEND_LOAD_FAILED",
      cause: { message: "native module version mismatch" },
    });
  });

  test("an invalid sqlite URL is INVALID_DATABASE_URL with the accepted forms", async () => {
    const error = await failure("sqlite://");
    expect(error.code).toBe("INVALID_DATABASE_URL");
    expect(error.message).toContain("sqlite:///absolute/path/to/file.db");
  });

  test("sqlite:// runs a workflow end to end through the dispatcher", async () => {
    const hello = task({ id: "hello" }, (ctx: { name: string }) => ({ greeting: `hello ${ctx.name}` }));
    const executor = await createExecutor("sqlite://:memory:");
    try {
      const result = await executor.execute(workflow({ name: "hello", tasks: [hello] }), { name: "world" });
      expect(result).toMatchObject({ status: "Completed", finalContext: { greeting: "hello world" } });
    } finally {
      await executor.close();
    }
  });

  test("a backend passed explicitly is used instead of discovery", async () => {
    let used = false;
    const custom: Backend<unknown> = {
      ...sqliteBackend,
      schemes: ["memtest"],
      parseUrl: () => sqliteBackend.parseUrl("sqlite://:memory:"),
      createDriver: (config) => {
        used = true;
        return sqliteBackend.createDriver(config as never);
      },
    };
    const executor = await createExecutor("memtest://anything", { backend: custom });
    await executor.close();
    expect(used).toBe(true);
  });

  test("invalid executor options are INVALID_EXECUTOR_OPTIONS", async () => {
    await expect(createExecutor("sqlite://:memory:", { concurrency: 0 })).rejects.toMatchObject({
      code: "INVALID_EXECUTOR_OPTIONS",
      message: expect.stringContaining("concurrency"),
    });
  });

  test("rejected executor options create no SQLite file: the options are checked before the disk is touched", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cloacina-rejected-"));
    try {
      const url = `sqlite://${path.join(dir, "new.db")}`;
      for (const options of [{ concurrency: -1 }, { concurrencyy: 2 }, { leaseMs: "30s" }]) {
        await expect(createExecutor(url, options as never)).rejects.toMatchObject({ code: "INVALID_EXECUTOR_OPTIONS" });
        expect(readdirSync(dir)).toEqual([]); // no new.db, nor its -wal or -shm
      }
      // An option that only the opened store can refuse (SQLite has no LISTEN/NOTIFY) leaves none either.
      await expect(createExecutor(url, { events: "postgres" })).rejects.toMatchObject({
        code: "INVALID_EVENTS_TRANSPORT",
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
