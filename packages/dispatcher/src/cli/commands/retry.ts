/**
 * `cloacina retry <id> --module <file>`: makes a Failed or Cancelled run Running again from its
 * unfinished tasks. The module must register the run's workflow version; a worker (or any
 * executor with the module) then executes the tasks.
 */
import type { Command } from "commander";
import { print, toJson } from "../format.js";
import { loadModule } from "../load-module.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

export function registerRetry(program: Command): void {
  program
    .command("retry")
    .description("run a Failed or Cancelled run again from its unfinished tasks")
    .argument("<id>", "the run's execution id")
    .requiredOption("-m, --module <file>", "the module that declares the run's workflow")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (id: string, flags: { module: string; db: string; json?: boolean }) => {
      await loadModule(flags.module);
      const status = await withAdminExecutor(flags.db, async (executor) => (await executor.retry(id)).status());
      if (flags.json) {
        print(toJson({ executionId: id, status }));
        return;
      }
      print(`run ${id} is ${status} again from its unfinished tasks`);
      if (status === "Running") print(`a worker runs them: cloacina worker ${flags.module}`);
    });
}
