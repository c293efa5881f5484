/**
 * `cloacina signal <id> <task> --data JSON`: sends a payload to a `waitForSignal` task
 * (`executor.signal`), for people and scripts. The payload is marshalled like a context
 * (UNSERIALIZABLE_CONTEXT) and stored as sent: the task's schema is checked only by a sender whose
 * process registers the workflow, and this command loads no module. (A `--module` flag would not
 * help yet: a module loaded through tsx registers its wait tasks in another copy of the engine,
 * whose schemas this process cannot see.)
 */
import type { Command } from "commander";
import { print, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";
import { parseSignalData } from "../signal-data.js";

interface SignalFlags {
  data: string;
  key?: string;
  db: string;
  json?: boolean;
}

export function registerSignal(program: Command): void {
  program
    .command("signal")
    .description("send a signal (a JSON payload) to a task that waits for one")
    .argument("<id>", "the run's execution id")
    .argument("<task>", "the id of the waitForSignal task")
    .requiredOption("--data <json|@file>", "the payload: any JSON value, or @file holding one")
    .option("--key <key>", "an idempotency key: a second signal with the same key is a no-op")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (id: string, taskId: string, flags: SignalFlags) => {
      const payload = parseSignalData(flags.data);
      const { delivered } = await withAdminExecutor(flags.db, async (executor) => {
        await executor.get(id); // an unknown run is RUN_NOT_FOUND, as for show and cancel
        return executor.signal(id, taskId, payload, flags.key === undefined ? {} : { key: flags.key });
      });
      if (flags.json) {
        print(toJson({ executionId: id, taskId, delivered }));
      } else if (delivered) {
        print(`signal delivered to ${taskId} of run ${id}`);
      } else {
        print(`signal not delivered: ${taskId} of run ${id} already has the signal with key ${flags.key ?? ""}`);
      }
    });
}
