import { createExecutor, parseSqliteUrl } from "@cloacina/backend-sqlite";
import { describe, expect, test } from "vitest";

describe("SQLite URLs are required and validated", () => {
  test.each([
    ["sqlite://:memory:", ":memory:"],
    ["sqlite:///var/data/app.db", "/var/data/app.db"],
    ["sqlite://relative/app.db", "/work/relative/app.db"],
    ["sqlite://./cloacina.db", "/work/cloacina.db"],
    ["sqlite://../up.db", "/up.db"],
    ["sqlite:///tmp/with%20space.db", "/tmp/with space.db"],
  ])("%s opens %s", (url, filename) => {
    expect(parseSqliteUrl(url, "/work").filename).toBe(filename);
  });

  test("synchronous defaults to NORMAL and can be FULL; busy_timeout is configurable", () => {
    expect(parseSqliteUrl("sqlite://a.db", "/w")).toMatchObject({ synchronous: "NORMAL", busyTimeoutMs: 5000 });
    expect(parseSqliteUrl("sqlite://a.db?synchronous=FULL&busy_timeout=100", "/w")).toMatchObject({
      synchronous: "FULL",
      busyTimeoutMs: 100,
    });
  });

  test.each([
    ["no scheme", "./cloacina.db"],
    ["another scheme", "postgres://localhost/db"],
    ["a missing path", "sqlite://"],
    ["a single slash", "sqlite:/abs.db"],
    ["credentials", "sqlite://user:pa55word@host/app.db"],
    ["a directory", "sqlite:///tmp/"],
    ["an unknown parameter", "sqlite://a.db?journal=off"],
    ["a bad synchronous value", "sqlite://a.db?synchronous=OFF"],
    ["a bad escape", "sqlite://a%zz.db"],
  ])("%s is INVALID_DATABASE_URL listing the accepted forms", (_what, url) => {
    let error: unknown;
    try {
      parseSqliteUrl(url);
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: "INVALID_DATABASE_URL", name: "DatabaseUrlError" });
    const message = (error as Error).message;
    expect(message).toContain("sqlite://:memory:");
    expect(message).toContain("sqlite:///absolute/path/to/file.db");
    expect(message).not.toContain("pa55word");
  });

  test.each([
    ["synchronous", "sqlite://a.db?synchronous=FULL&synchronous=NORMAL"],
    ["busy_timeout", "sqlite://a.db?busy_timeout=1&synchronous=FULL&busy_timeout=2"],
    ["synchronous", "sqlite://a.db?synchronous=FULL&synchronous=FULL"],
    ["busy_timeout", "sqlite://a.db?busy_timeout=1&busy%5Ftimeout=2"],
  ])("a parameter given twice (%s) is INVALID_DATABASE_URL naming it, never last-one-wins", (name, url) => {
    expect(() => parseSqliteUrl(url)).toThrow(
      expect.objectContaining({
        code: "INVALID_DATABASE_URL",
        message: expect.stringContaining(`the parameter "${name}" is given more than once`),
      }),
    );
  });

  test("an unknown parameter is named with a did-you-mean; a name that is not one is not quoted", () => {
    expect(() => parseSqliteUrl("sqlite://a.db?synchronus=FULL")).toThrow(
      'unknown query parameter "synchronus" (did you mean "synchronous"?)',
    );
    expect(() => parseSqliteUrl("sqlite://a.db?we!rd]=1")).toThrow("a query parameter has a malformed name");
  });

  test("the backend's own createExecutor requires a URL too", async () => {
    await expect(createExecutor(undefined as unknown as string)).rejects.toMatchObject({
      code: "INVALID_DATABASE_URL",
    });
  });
});
