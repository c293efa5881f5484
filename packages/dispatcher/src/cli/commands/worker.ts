/**
 * `cloacina worker <module>`: executes tasks of the module's workflows (for runs started by any
 * process on the same database) until SIGINT/SIGTERM, then drains: running attempts get
 * `--grace-ms` to finish, the rest are released for other workers.
 */
import { type EventStream, globalRegistry, redactUrl, redactUrls, ValidationError } from "@cloacina/engine";
import type { Command } from "commander";
import { openExecutor } from "../open-executor.js";
import { EXIT } from "../errors.js";
import { print } from "../format.js";
import { loadWorkflows } from "../load-module.js";
import { dbOption, eventsOption, eventsOptions, integer } from "../options.js";
import { describeTaskEvent } from "../progress.js";
import { listenForStop } from "../signals.js";

interface WorkerFlags {
  db: string;
  concurrency: number;
  pollMs?: number;
  graceMs?: number;
  events?: string;
  quiet?: boolean;
}

export function registerWorker(program: Command): void {
  program
    .command("worker")
    .description("execute tasks of a module's workflows until SIGINT/SIGTERM, then drain")
    .argument("<module>", "the .ts or .js file that declares the workflows")
    .addOption(dbOption())
    .option("--concurrency <n>", "most task attempts at once", integer(1, 10_000), 64)
    .option("--poll-ms <ms>", "look for work this often without a notice (default: 5000)", integer(10, 3_600_000))
    .option("--grace-ms <ms>", "on stop, how long running attempts may finish (default: 10000)", integer(0, 3_600_000))
    .addOption(eventsOption())
    .option("--quiet", "do not log task events")
    .action(async (file: string, flags: WorkerFlags) => {
      process.exitCode = await work(file, flags);
    });
}

async function work(file: string, flags: WorkerFlags): Promise<number> {
  const names = await loadWorkflows(file);
  if (names.length === 0) {
    throw new ValidationError(
      "UNKNOWN_WORKFLOW",
      `${file} registers no workflow, so a worker would have nothing to do.`,
    );
  }
  const stop = listenForStop();
  const executor = await openExecutor(flags.db, {
    concurrency: flags.concurrency,
    ...eventsOptions(flags.events),
    ...(flags.pollMs === undefined ? {} : { pollMs: flags.pollMs }),
    ...(flags.graceMs === undefined ? {} : { closeGraceMs: flags.graceMs }),
  });
  const stream = flags.quiet ? undefined : executor.events();
  const logging = stream ? logEvents(stream) : Promise.resolve();
  try {
    print(
      `worker ${executor.owner} on ${redactUrl(flags.db)}: ${names.join(", ")} ` +
        `(concurrency ${flags.concurrency}); Ctrl-C or SIGTERM to stop`,
    );
    const working = executor.work();
    const signal = await Promise.race([stop.received, working.then(() => undefined)]);
    if (signal) print(`${signal}: draining (press Ctrl-C again to exit at once)`);
  } finally {
    await stream?.close();
    await logging;
    await executor.close();
    stop.dispose();
  }
  print("worker stopped");
  return EXIT.ok;
}

async function logEvents(stream: EventStream): Promise<void> {
  try {
    for await (const event of stream) {
      if (event.taskId === undefined) continue;
      const maxAttempts = globalRegistry().task(event.taskId)?.retry.maxAttempts;
      const text = describeTaskEvent(event, maxAttempts);
      const task = event.instance === undefined ? event.taskId : `${event.taskId}[${event.instance}]`;
      if (text !== undefined) print(`${event.at.toISOString()} ${event.executionId} ${task}: ${text}`);
    }
  } catch (error) {
    process.stderr.write(`warning: event log stopped: ${redactUrls(String(error))}\n`);
  }
}
