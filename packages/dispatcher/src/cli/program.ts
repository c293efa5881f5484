/**
 * The `cloacina` command line: commander parses, each command lives in `commands/`. Usage
 * errors (unknown flag, missing argument, malformed value) exit 2; failures exit 1 and print
 * `error [CODE]: message`.
 */
import { readFileSync } from "node:fs";
import { redactUrls } from "@cloacina/engine";
import { Command } from "commander";
import pc from "picocolors";
import { registerCancel } from "./commands/cancel.js";
import { registerDashboard } from "./commands/dashboard.js";
import { registerMigrate } from "./commands/migrate.js";
import { registerRetry } from "./commands/retry.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerSchedules } from "./commands/schedules.js";
import { registerShow } from "./commands/show.js";
import { registerSignal } from "./commands/signal.js";
import { registerWorker } from "./commands/worker.js";
import { reportError } from "./errors.js";
import { requireDatabase } from "./options.js";

export function buildProgram(): Command {
  const program = new Command("cloacina")
    .description("Durable workflows: run them, work on them, look after their runs.")
    .version(packageVersion(), "-V, --version")
    .option("--verbose", "print stack traces of errors")
    .configureHelp({ showGlobalOptions: true })
    // Settings made before `.command()` are inherited by every subcommand.
    .exitOverride()
    .showHelpAfterError(pc.dim("(add --help for usage)"))
    .configureOutput({ outputError: (text, write) => write(redactUrls(text)) })
    .hook("preAction", requireDatabase);
  registerRun(program);
  registerWorker(program);
  registerRuns(program);
  registerShow(program);
  registerCancel(program);
  registerRetry(program);
  registerSignal(program);
  registerSchedules(program);
  registerMigrate(program);
  registerDashboard(program);
  return program;
}

/** Runs the CLI on `argv` (`process.argv` shape) and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, { verbose: program.opts<{ verbose?: boolean }>().verbose === true });
  }
}

function packageVersion(): string {
  const file = new URL("../../package.json", import.meta.url);
  return (JSON.parse(readFileSync(file, "utf8")) as { version: string }).version;
}
