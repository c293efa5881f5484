/**
 * `cloacina signal --data`: the payload, as JSON text or `@file` naming a file that holds it. Any
 * JSON value is a payload (an object, a string, a number…), unlike `--context`, which must be an
 * object. Parsed before anything is opened, so a malformed payload sends nothing and touches no
 * database.
 */
import { readFileSync } from "node:fs";
import { CliError } from "./errors.js";

export function parseSignalData(value: string): unknown {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw new CliError("INVALID_SIGNAL_DATA", `--data: cannot read ${value.slice(1)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(
      "INVALID_SIGNAL_DATA",
      `--data is not valid JSON (${(error as Error).message}); nothing was sent. ` +
        `Quote it for the shell, e.g. --data '{"approved":true}', or pass @file.`,
      { cause: error },
    );
  }
}
