/**
 * How the CLI fails. Exit codes: 0 success, 1 a failure (a run that did not complete, an error
 * with a code), 2 a wrong command line, 130 interrupted. Everything printed goes through
 * `redactUrls`, so a password in a `--db` URL never reaches the terminal.
 */
import { CloacinaError, isCloacinaError, redactUrls } from "@cloacina/engine";
import { CommanderError } from "commander";

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** Codes of errors the CLI itself raises (the engine's errors keep their own codes). */
export type CliErrorCode =
  /** The module file given to `run`, `worker`, `retry -m` or `dashboard -m` does not exist. */
  | "MODULE_NOT_FOUND"
  /** The module threw while loading (its error is the `cause`). */
  | "MODULE_LOAD_FAILED"
  /** The database could not be opened (the driver's error is the `cause`). */
  | "DATABASE_UNAVAILABLE"
  /** The dashboard's code could not be loaded. */
  | "DASHBOARD_UNAVAILABLE"
  /** `signal --data` is not JSON (or its @file cannot be read): a wrong command line, exit 2. */
  | "INVALID_SIGNAL_DATA";

/** CLI codes that mean the command line itself was wrong: they exit 2, like commander's usage errors. */
const USAGE_CODES: ReadonlySet<string> = new Set<CliErrorCode>(["INVALID_SIGNAL_DATA"]);

/**
 * An error found by the CLI, printed as `error [CODE]: message`. A Cloacina error with a code of
 * the CLI's own: `isCloacinaError` recognises it, whichever copy of the engine asks.
 */
export class CliError extends CloacinaError<CliErrorCode> {
  override name = "CliError";
}

/** Prints an error to stderr and returns the exit code it deserves. */
export function reportError(error: unknown, options: { verbose?: boolean } = {}): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (help, version, or a usage error).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  const write = (text: string) => process.stderr.write(`${redactUrls(text)}\n`);
  if (isCloacinaError(error)) {
    write(`error [${error.code}]: ${error.message}`);
    const cause = error.cause;
    if (error.name === "CliError" && cause instanceof Error && !error.message.includes(cause.message)) {
      write(`  caused by: ${cause.message}`);
    }
  } else {
    write(`error: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (options.verbose && error instanceof Error && error.stack) write(stackWithCauses(error));
  return error instanceof CliError && USAGE_CODES.has(error.code) ? EXIT.usage : EXIT.failure;
}

function stackWithCauses(error: Error): string {
  const lines = [error.stack ?? String(error)];
  for (let cause = error.cause; cause instanceof Error; cause = cause.cause) {
    lines.push(`caused by: ${cause.stack ?? cause.message}`);
  }
  return lines.join("\n");
}
