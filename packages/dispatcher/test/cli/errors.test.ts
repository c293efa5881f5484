/** The CLI's errors are Cloacina errors with codes of the CLI's own, and print as such. */
import { CloacinaError, type ErrorCode, isCloacinaError } from "cloacina";
import { afterEach, describe, expect, expectTypeOf, test, vi } from "vitest";
import { CliError, type CliErrorCode, EXIT, reportError } from "../../src/cli/errors.js";

afterEach(() => vi.restoreAllMocks());

describe("CliError", () => {
  test("is a CloacinaError: recognised by its brand, with its code, name and cause", () => {
    const cause = new Error("ECONNREFUSED 127.0.0.1:5432");
    const error: unknown = new CliError("DATABASE_UNAVAILABLE", "Cannot open postgres://app:secret@db/prod", { cause });
    expect(isCloacinaError(error)).toBe(true);
    expect(error).toBeInstanceOf(CloacinaError);
    expect(error).toMatchObject({ name: "CliError", code: "DATABASE_UNAVAILABLE", cause, details: {} });
    // The base class redacts URLs in messages, so the CLI's do too.
    expect((error as CliError).message).toBe("Cannot open postgres://app:***@db/prod");
  });

  test("is recognised without instanceof: a plain Error is not, a copy's brand is", () => {
    expect(isCloacinaError(new Error("MODULE_NOT_FOUND"))).toBe(false);
    expect(isCloacinaError({ code: "MODULE_NOT_FOUND", message: "x" })).toBe(false);
    const branded = Object.defineProperty(new Error("from another copy"), Symbol.for("cloacina.error"), {
      value: true,
    });
    expect(isCloacinaError(branded)).toBe(true);
  });

  test("its codes are the CLI's own, none of them an engine code", () => {
    expectTypeOf<CliError["code"]>().toEqualTypeOf<CliErrorCode>();
    expectTypeOf<Extract<CliErrorCode, ErrorCode>>().toEqualTypeOf<never>();
    // isCloacinaError covers codes of every package: a string, not the engine's union alone.
    expectTypeOf<Parameters<typeof isCloacinaError>[0]>().toEqualTypeOf<unknown>();
    const error: unknown = new CliError("MODULE_NOT_FOUND", "x");
    if (isCloacinaError(error)) expectTypeOf(error.code).toEqualTypeOf<string>();
  });

  test("prints as `error [CODE]: message` with its cause, exit 1", () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, "write").mockImplementation((text) => (lines.push(String(text)), true));
    const code = reportError(
      new CliError("MODULE_LOAD_FAILED", "workflows.ts failed while loading.", { cause: new Error("boom") }),
    );
    expect(code).toBe(EXIT.failure);
    expect(lines).toEqual(["error [MODULE_LOAD_FAILED]: workflows.ts failed while loading.\n", "  caused by: boom\n"]);
  });
});
