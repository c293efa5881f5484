import { CloacinaError, redactUrl, redactUrls } from "@cloacina/engine";
import { describe, expect, test } from "vitest";

test("passwords in URLs never reach a message", () => {
  expect(redactUrls("postgres://alice:s3cret@db:5432/app")).toBe("postgres://alice:***@db:5432/app");
  expect(redactUrls("see postgresql://:p%40ss@h/x and redis://u:pw@r:6379")).not.toMatch(/p%40ss|pw@/);
  expect(redactUrls("postgres://h/db?sslmode=require&password=hunter2")).toBe(
    "postgres://h/db?sslmode=require&password=***",
  );
  expect(redactUrls("sqlite://./file.db")).toBe("sqlite://./file.db");
  // A malformed URL whose password holds a "/" still has it masked.
  expect(redactUrls('bad "postgres://app:s3cr/et@host/db"')).not.toContain("s3cr/et");
  const error = new CloacinaError("INVALID_DATABASE_URL", 'bad "postgres://bob:hunter2@host/db"');
  expect(error.message).not.toContain("hunter2");
});

describe("malformed URLs have their password masked too", () => {
  test.each([
    ["postgres:/u:S3cr3tPw@h", "postgres:***@h"],
    ["postgres:u:S3cr3tPw@h/db", "postgres:***@h/db"],
    ["://u:S3cr3tPw@x", ":***@x"],
    ["postgres//u:S3cr3tPw@h/db", "postgres//u:***@h/db"],
    ["u:S3cr3tPw@h/db", "u:***@h/db"],
    ["postgres://u:S3cr/et?Pw#x@h/db", "postgres://u:***@h/db"],
    ["postgres://u:S3cr@tPw@h/db", "postgres://u:***@h/db"],
    ["postgres://u:S3cr3tPw@h/db?application_name=me@home", "postgres://u:***@home"],
  ])("%s", (url, masked) => {
    expect(redactUrl(url)).toBe(masked);
    expect(redactUrls(`bad "${url}": try again`)).toBe(`bad "${masked}": try again`);
    expect(new CloacinaError("INVALID_DATABASE_URL", `bad "${url}"`).message).not.toContain("S3cr");
  });

  test("a password holding white space is masked by redactUrl, which takes the whole string as the URL", () => {
    expect(redactUrl("postgres://u:S3cr 3t\tPw@h/db")).toBe("postgres://u:***@h/db");
  });

  test("what is not a password is kept", () => {
    const urls = [
      "postgres://postgres@127.0.0.1:5432/test",
      "postgres://USER@HOST:5432/DATABASE",
      "sqlite:///a@b/x.db",
    ];
    for (const url of urls) expect(redactUrl(url)).toBe(url);
    const text = `at run (file:///work/node_modules/@cloacina/engine/src/x.ts:12:5), mail ops@example.com, ${urls.join(" ")}`;
    expect(redactUrls(text)).toBe(text);
  });

  test("masking twice is masking once", () => {
    for (const url of ["postgres://alice:s3cret@db/app", "postgres:u:pw@h", "://u:pw@x"]) {
      expect(redactUrls(redactUrl(url))).toBe(redactUrl(url));
    }
  });
});
