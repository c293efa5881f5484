/**
 * Options shared by several commands, and the parsers that turn flag values into checked
 * values. A malformed value is a usage error (exit 2), reported by commander.
 */
import { readFileSync } from "node:fs";
import type { Context, RunStatus } from "@cloacina/engine";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { CreateExecutorOptions } from "../create-executor.js";
import { EXIT } from "./errors.js";

/**
 * `--db <url>`, from the flag, else `CLOACINA_DATABASE_URL`. There is no default, as in the API:
 * a command pointed at no database fails (see {@link requireDatabase}) rather than create a file.
 */
export function dbOption(): Option {
  return new Option("--db <url>", "database URL: sqlite://FILE or postgres://… (required)").env(
    "CLOACINA_DATABASE_URL",
  );
}

/**
 * A `preAction` hook: a command that takes `--db` and got neither the flag nor
 * `CLOACINA_DATABASE_URL` is a usage error (exit 2), raised before the command loads a module or
 * opens anything, so a mistyped command never leaves an empty database file behind. After it,
 * the `db` flag of every command is a non-empty string.
 */
export function requireDatabase(_hooked: Command, action: Command): void {
  if (!action.options.some((option) => option.long === "--db")) return;
  const db: unknown = action.getOptionValue("db");
  if (typeof db === "string" && db.trim() !== "") return;
  action.error(
    "error: no database: pass --db <url>, e.g. --db sqlite://./cloacina.db (a local file, made on first use) " +
      "or --db postgres://user@host/db, or set CLOACINA_DATABASE_URL.",
    { exitCode: EXIT.usage, code: "cloacina.missingDatabase" },
  );
}

export function jsonOption(): Option {
  return new Option("--json", "print JSON for scripts instead of human-readable text");
}

/** The global `--verbose` flag (stacks of errors), read from any subcommand. */
export function isVerbose(command: Command): boolean {
  return command.optsWithGlobals<{ verbose?: boolean }>().verbose === true;
}

/** A parser for integer flags within bounds. */
export function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Expected a whole number from ${min} to ${max}.`);
    }
    return n;
  };
}

const RUN_STATUSES: readonly RunStatus[] = ["Running", "Completed", "Failed", "Cancelled"];

/** A run status, in any letter case (`failed` is `Failed`). */
export function runStatus(value: string): RunStatus {
  const found = RUN_STATUSES.find((s) => s.toLowerCase() === value.toLowerCase());
  if (!found) throw new InvalidArgumentError(`Expected one of ${RUN_STATUSES.join(", ")}.`);
  return found;
}

/** `--context`: a JSON object, or `@file` naming a file that holds one. */
export function contextArg(value: string): Context {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw new InvalidArgumentError(`Cannot read ${value.slice(1)}: ${(error as Error).message}`);
    }
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InvalidArgumentError(`Not valid JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('The context must be a JSON object, like \'{"source":"demo"}\'.');
  }
  return parsed as Context;
}

/** `--events`: how live events travel between processes. */
export function eventsOption(): Option {
  return new Option("--events <transport>", "live events transport: memory, postgres or a redis:// URL")
    .env("CLOACINA_EVENTS")
    .argParser((value: string) => {
      if (value === "memory" || value === "postgres" || /^rediss?:\/\//.test(value)) return value;
      throw new InvalidArgumentError('Expected "memory", "postgres" or a redis:// URL.');
    });
}

/** The executor options for an `--events` value (none when it was not given). */
export function eventsOptions(events: string | undefined): Pick<CreateExecutorOptions, "events"> {
  return events === undefined ? {} : { events: events as NonNullable<CreateExecutorOptions["events"]> };
}
