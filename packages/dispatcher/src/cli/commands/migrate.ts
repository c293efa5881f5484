/** `cloacina migrate`: creates or upgrades Cloacina's tables (opening an executor migrates). */
import { redactUrl } from "@cloacina/engine";
import type { Command } from "commander";
import { print, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

export function registerMigrate(program: Command): void {
  program
    .command("migrate")
    .description("create or upgrade Cloacina's tables in the database")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (flags: { db: string; json?: boolean }) => {
      await withAdminExecutor(flags.db, async () => {});
      print(flags.json ? toJson({ migrated: true }) : `${redactUrl(flags.db)} is migrated`);
    });
}
