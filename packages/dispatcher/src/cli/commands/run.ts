/**
 * `cloacina run <module> <workflow>`: runs a workflow in this process (embedded mode) with a
 * live view of its tasks, then prints the final context or the error. Exit 0 only if the run
 * completed.
 */
import type { Context, Executor, RunHandle, RunResult, Workflow } from "@cloacina/engine";
import type { Command } from "commander";
import { openExecutor } from "../open-executor.js";
import { EXIT, reportError } from "../errors.js";
import { formatDuration, print, toJson } from "../format.js";
import { findWorkflow, loadModule } from "../load-module.js";
import { contextArg, dbOption, eventsOption, eventsOptions, integer, isVerbose, jsonOption } from "../options.js";
import { RunProgress } from "../progress-state.js";
import { progressView } from "../progress.js";
import { listenForStop } from "../signals.js";

interface RunFlags {
  context: Context;
  db: string;
  concurrency?: number;
  idempotencyKey?: string;
  events?: string;
  graceMs?: number;
  json?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run a workflow from a module here, showing its tasks as they run")
    .argument("<module>", "the .ts or .js file that declares the workflow")
    .argument("<workflow>", "the workflow's name")
    .option("--context <json|@file>", "input context: a JSON object, or @path to a JSON file", contextArg, {})
    .addOption(dbOption())
    .option("--concurrency <n>", "most task attempts at once (default: 64)", integer(1, 10_000))
    .option("--idempotency-key <key>", "start at most one run per key (a repeat shows the existing run)")
    .option("--grace-ms <ms>", "on Ctrl-C, how long running tasks may finish (default: 10000)", integer(0, 3_600_000))
    .addOption(eventsOption())
    .addOption(jsonOption())
    .action(async (file: string, name: string, flags: RunFlags, command: Command) => {
      process.exitCode = await runWorkflow(file, name, flags, isVerbose(command));
    });
}

async function runWorkflow(file: string, name: string, flags: RunFlags, verbose: boolean): Promise<number> {
  await loadModule(file);
  const wf = findWorkflow(name, file);
  const executor = await openExecutor(flags.db, {
    ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
    ...eventsOptions(flags.events),
    ...(flags.graceMs === undefined ? {} : { closeGraceMs: flags.graceMs }),
  });
  const stop = listenForStop();
  try {
    const key = flags.idempotencyKey;
    const handle = await executor.start(wf, flags.context, key === undefined ? undefined : { idempotencyKey: key });
    const watcher = flags.json ? undefined : watchRun(executor, wf, handle);
    const done = watcher ? watcher.result : handle.result();
    const outcome = await Promise.race([done, stop.received]);
    if (typeof outcome === "string") {
      done.catch(() => {}); // the executor closes under it
      await watcher?.stop();
      process.stderr.write(
        `\n${outcome}: stopping (running tasks may finish first; press Ctrl-C again to exit at once). ` +
          `Run ${handle.executionId} stays stored as Running: \`cloacina worker ${file}\` on this database ` +
          `resumes it, \`cloacina cancel ${handle.executionId}\` cancels it.\n`,
      );
      return EXIT.interrupted;
    }
    return report(outcome, flags.json === true, verbose);
  } finally {
    await executor.close();
    stop.dispose();
  }
}

/** Follows the run's events into the progress view until the run ends (or `stop()`). */
function watchRun(executor: Executor, wf: Workflow, handle: RunHandle) {
  const id = handle.executionId;
  const progress = new RunProgress(wf, id);
  const view = progressView(progress);
  const stream = executor.events({ executionId: id });
  const follow = (async () => {
    for await (const event of stream) {
      if (event.executionId === id) view.update(event, progress.apply(event));
    }
  })().catch((error: unknown) => {
    process.stderr.write(`warning: live progress stopped: ${(error as Error)?.message ?? String(error)}\n`);
  });
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      view.finish();
      await stream.close();
      await follow;
    })());
  const result = (async () => {
    try {
      const result = await handle.result();
      // The stream ends after the run's final event; give it a moment to deliver the last ones.
      await Promise.race([follow, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
      progress.settle(result);
      // The result has no instances: their counts come from the stored run, whatever events were
      // missed (a failed read only leaves the counts as the events left them).
      if ([...progress.tasks.values()].some((row) => row.instances || row.childRunId)) {
        const detail = await executor.inspect(id).catch(() => undefined);
        if (detail) progress.settleDetail(detail);
      }
      return result;
    } finally {
      await stop();
    }
  })();
  return { result, stop };
}

function report(result: RunResult, json: boolean, verbose: boolean): number {
  const code = result.status === "Completed" ? EXIT.ok : EXIT.failure;
  if (json) {
    print(toJson(resultJson(result)));
    return code;
  }
  const first = result.tasks.map((t) => t.startedAt?.getTime()).find((t) => t !== undefined);
  const last = Math.max(0, ...result.tasks.map((t) => t.finishedAt?.getTime() ?? 0));
  const took = first !== undefined && last >= first ? ` in ${formatDuration(last - first)}` : "";
  print(`run ${result.executionId} ${result.status}${took}`);
  if (result.status === "Completed") {
    print("final context:");
    print(toJson(result.finalContext));
  } else if (result.error) {
    reportError(result.error, { verbose });
  }
  return code;
}

function resultJson(result: RunResult) {
  return {
    executionId: result.executionId,
    workflow: result.workflow,
    status: result.status,
    finalContext: result.finalContext,
    tasks: result.tasks,
    ...(result.error ? { error: result.error } : {}),
  };
}
