import { CloacinaError, redactUrls } from "@cloacina/engine";
import { expect, test } from "vitest";

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
