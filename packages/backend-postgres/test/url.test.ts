import { parsePostgresUrl } from "@cloacina/backend-postgres";
import { describe, expect, test } from "vitest";

describe("PostgreSQL URLs are required and validated", () => {
  test("a full URL becomes a pool config", () => {
    const config = parsePostgresUrl(
      "postgresql://app:s%40cret@db.example:6543/prod?sslmode=verify-full&max=20&connect_timeout=3&application_name=etl&schema=tenant_a",
    );
    expect(config.schema).toBe("tenant_a");
    expect(config.pool).toMatchObject({
      host: "db.example",
      port: 6543,
      user: "app",
      password: "s@cret",
      database: "prod",
      max: 20,
      connectionTimeoutMillis: 3000,
      application_name: "etl",
      ssl: { rejectUnauthorized: true },
    });
    expect(config.display).not.toContain("s%40cret");
  });

  test("defaults: port 5432, pool of 10, no TLS, schema public, statements prepared", () => {
    expect(parsePostgresUrl("postgres://localhost")).toMatchObject({
      schema: "public",
      prepare: true,
      pool: { host: "localhost", port: 5432, max: 10, ssl: false },
    });
    expect(parsePostgresUrl("postgres://h/db?sslmode=require").pool.ssl).toEqual({ rejectUnauthorized: false });
    expect(parsePostgresUrl("postgres://h/db?prepare=false").prepare).toBe(false);
  });

  test.each([
    ["no host", "postgres:///db"],
    ["another scheme", "mysql://h/db"],
    ["a typo in a parameter", "postgres://h/db?sslmod=require"],
    ["an unknown sslmode", "postgres://h/db?sslmode=sometimes"],
    ["a pool of 0", "postgres://h/db?max=0"],
    ["a schema with a quote", "postgres://h/db?schema=a%22b"],
    ["a schema with upper case", "postgres://h/db?schema=Tenant"],
    ["an injection attempt", "postgres://h/db?schema=x;drop%20table%20y"],
    ["a reserved schema", "postgres://h/db?schema=pg_catalog"],
    ["a path with slashes", "postgres://h/db/extra"],
    ["a repeated schema", "postgres://h/db?schema=a&schema=b"],
    ["prepare neither true nor false", "postgres://h/db?prepare=no"],
    ["a repeated sslmode", "postgres://h/db?sslmode=require&max=2&sslmode=disable"],
  ])("%s is INVALID_DATABASE_URL with the accepted form, and no password", (_what, url) => {
    const withPassword = url.replace("://", "://user:hunter2@");
    let error: unknown;
    try {
      parsePostgresUrl(withPassword);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "INVALID_DATABASE_URL" });
    expect((error as Error).message).toContain("postgres://USER@HOST:5432/DATABASE");
    expect((error as Error).message).not.toContain("hunter2");
  });

  test.each([
    ["schema", "postgres://u:hunter2@h/db?schema=a&schema=b"],
    ["sslmode", "postgres://u:hunter2@h/db?sslmode=verify-full&sslmode=disable"],
    ["max", "postgres://u:hunter2@h/db?max=5&max=5"],
    ["application_name", "postgres://u:hunter2@h/db?application_name=a&application%5Fname=b"],
  ])("a parameter given twice (%s) is INVALID_DATABASE_URL naming it, never last-one-wins", (name, url) => {
    let error: unknown;
    try {
      parsePostgresUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({
      code: "INVALID_DATABASE_URL",
      message: expect.stringContaining(`the parameter "${name}" is given more than once`),
    });
    expect((error as Error).message).not.toContain("hunter2");
  });

  test.each([
    ["the database", "postgres://u:hunter2@h/d%zzb"],
    ["the user", "postgres://u%zz:hunter2@h/db"],
    ["the password", "postgres://u:hunt%zzer2@h/db"],
  ])("a bad percent-escape in %s is INVALID_DATABASE_URL, not a URIError", (_where, url) => {
    let error: unknown;
    try {
      parsePostgresUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "INVALID_DATABASE_URL", message: expect.stringContaining("%-escape") });
    expect((error as Error).message).not.toMatch(/hunter2|hunt%zzer2/);
  });
});
