import { readdirSync } from "node:fs";
import { describe, expect, test, vi } from "vitest";
import { cli, fixture, fixtureArg, tempDir } from "./harness.js";

// Each CLI call starts node with tsx (1-3 s on a busy 2-core machine).
vi.setConfig({ testTimeout: 90_000 });

describe("help and usage errors", () => {
  test("--help lists every command, exit 0", async () => {
    const { code, stdout } = await cli(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("Usage: cloacina [options] [command]");
    for (const command of "run worker runs show cancel retry signal schedules migrate dashboard".split(" ")) {
      expect(stdout).toMatch(new RegExp(`^ {2}${command}\\b`, "m"));
    }
  });

  test("every command has --help with its flags, --db without a default", async () => {
    const run = await cli(["run", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: cloacina run [options] <module> <workflow>");
    expect(run.stdout).toContain("--context <json|@file>");
    // Help wraps at the terminal width: compare with spaces collapsed.
    const help = run.stdout.replace(/\s+/g, " ");
    expect(help).toContain(
      "--db <url> database URL: sqlite://FILE or postgres://… (required) (env: CLOACINA_DATABASE_URL)",
    );
    expect(help).not.toContain("cloacina.db");
    const pause = await cli(["schedules", "pause", "--help"]);
    expect(pause.stdout).toContain("Usage: cloacina schedules pause [options] <id>");
  });

  test("--version prints the package version", async () => {
    const { code, stdout } = await cli(["--version"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  test("a wrong flag, a missing argument, an unknown command or a malformed value exit 2 with what was wrong", async () => {
    const cases: [string[], string][] = [
      [["runs", "--bogus"], "error: unknown option '--bogus'"],
      [["run", fixtureArg], "error: missing required argument 'workflow'"],
      [["shw", "x"], "error: unknown command 'shw'\n(Did you mean show?)"],
      [
        ["runs", "--limit", "0"],
        "error: option '--limit <n>' argument '0' is invalid. Expected a whole number from 1 to 1000.",
      ],
      [
        ["run", fixtureArg, "greet", "--context", "{oops"],
        "error: option '--context <json|@file>' argument '{oops' is invalid. Not valid JSON",
      ],
      [["run", fixtureArg, "greet", "--context", "[1]"], "The context must be a JSON object"],
    ];
    for (const [args, message] of cases) {
      const { code, stderr, stdout } = await cli(args);
      expect({ args, code }).toEqual({ args, code: 2 });
      expect(stderr).toContain(message);
      expect(stderr).toContain("(add --help for usage)");
      expect(stdout).toBe("");
    }
  });
});

describe("there is no default database", () => {
  const expected =
    "error: no database: pass --db <url>, e.g. --db sqlite://./cloacina.db (a local file, made on first use) " +
    "or --db postgres://user@host/db, or set CLOACINA_DATABASE_URL.\n(add --help for usage)\n";

  test("without --db or CLOACINA_DATABASE_URL a command says what to pass, exits 2 and creates no file", async () => {
    const empty = tempDir();
    try {
      for (const args of [
        ["runs"],
        ["migrate"],
        ["schedules"],
        ["show", "5b1f"],
        ["signal", "5b1f", "approval", "--data", "true"],
        ["run", fixture, "greet"],
        ["worker", fixture],
        ["dashboard", "--port", "0"],
      ]) {
        const { code, stdout, stderr } = await cli(args, {}, empty.dir);
        expect({ args, code, stdout, stderr }).toEqual({ args, code: 2, stdout: "", stderr: expected });
      }
      // An empty CLOACINA_DATABASE_URL (`export CLOACINA_DATABASE_URL=`) is no database either.
      const blank = await cli(["runs"], { CLOACINA_DATABASE_URL: "" }, empty.dir);
      expect(blank).toEqual({ code: 2, stdout: "", stderr: expected });
      expect(readdirSync(empty.dir)).toEqual([]);
    } finally {
      empty.remove();
    }
  });

  test("a missing argument is still reported first (it is the more specific mistake)", async () => {
    const { code, stderr } = await cli(["show"]);
    expect(code).toBe(2);
    expect(stderr).toContain("error: missing required argument 'id'");
  });
});

describe("passwords in database URLs are never printed", () => {
  const url = "postgres://app:secret@127.0.0.1:1/prod";

  test("an unreachable database is DATABASE_UNAVAILABLE with the URL redacted, exit 1", async () => {
    for (const args of [
      ["runs", "--db", url],
      ["run", fixtureArg, "greet", "--db", url],
      ["migrate", "--verbose", "--db", url],
      ["signal", "5b1f", "approval", "--data", '{"ok":true}', "--db", url],
    ]) {
      const { code, stdout, stderr } = await cli(args);
      expect(code).toBe(1);
      expect(stderr).toContain("error [DATABASE_UNAVAILABLE]: Cannot open postgres://app:***@127.0.0.1:1/prod");
      expect(stdout + stderr).not.toContain("secret");
    }
  });

  test("also from the environment, and in engine errors about the URL", async () => {
    const fromEnv = await cli(["runs"], { CLOACINA_DATABASE_URL: url });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain("app:***@");
    expect(fromEnv.stdout + fromEnv.stderr).not.toContain("secret");
    const scheme = await cli(["runs", "--db", "mysql://root:secret@db/x"]);
    expect(scheme.code).toBe(1);
    expect(scheme.stderr).toContain("error [UNSUPPORTED_DATABASE_SCHEME]");
    expect(scheme.stdout + scheme.stderr).not.toContain("secret");
  });
});
