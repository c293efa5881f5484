/** `cloacina cancel <id>`: cancels a run; its running attempts (in any process) are stopped. */
import type { Command } from "commander";
import { print, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

export function registerCancel(program: Command): void {
  program
    .command("cancel")
    .description("cancel a run: nothing more starts, running attempts are aborted")
    .argument("<id>", "the run's execution id")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (id: string, flags: { db: string; json?: boolean }) => {
      const { before, after } = await withAdminExecutor(flags.db, async (executor) => {
        const handle = await executor.get(id);
        const before = await handle.status();
        if (before === "Running") await handle.cancel();
        return { before, after: await handle.status() };
      });
      if (flags.json) {
        print(toJson({ executionId: id, status: after, cancelled: before === "Running" }));
      } else if (before !== "Running") {
        print(`run ${id} is already ${before}: nothing to cancel`);
      } else if (after === "Running") {
        print(`run ${id}: cancel requested; it ends Cancelled once its running attempts stop`);
      } else {
        print(`run ${id} ${after}`);
      }
    });
}
