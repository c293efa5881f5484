/**
 * `cloacina dashboard`: serves the web dashboard (packages/dispatcher/src/dashboard) on an admin
 * executor until SIGINT/SIGTERM. Imported on demand, so other commands never load hono.
 */
import { type Command, Option } from "commander";
import type { serveDashboard as ServeDashboard } from "../../dashboard/index.js";
import { CliError } from "../errors.js";
import { print } from "../format.js";
import { dbOption, eventsOption, eventsOptions, integer } from "../options.js";
import { openAdminExecutor } from "../open-executor.js";
import { listenForStop } from "../signals.js";
import { loadModule } from "../load-module.js";

interface DashboardFlags {
  db: string;
  module?: string[];
  host: string;
  port?: number;
  events?: string;
  token?: string;
}

export function registerDashboard(program: Command): void {
  program
    .command("dashboard")
    .description("serve the web dashboard until SIGINT/SIGTERM")
    .addOption(dbOption())
    .option("-m, --module <file...>", "modules that declare your workflows (Retry needs the run's workflow registered)")
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on, 0 for any free one (default: 7420)", integer(0, 65_535))
    .addOption(eventsOption())
    .addOption(new Option("--token <token>", "require this bearer token").env("CLOACINA_DASHBOARD_TOKEN"))
    .action(async (flags: DashboardFlags) => {
      const serveDashboard = await loadDashboard();
      for (const file of flags.module ?? []) await loadModule(file);
      const stop = listenForStop();
      const executor = await openAdminExecutor(flags.db, eventsOptions(flags.events));
      try {
        const token = flags.token;
        const server = await serveDashboard({
          executor,
          host: flags.host,
          ...(flags.port === undefined ? {} : { port: flags.port }),
          ...(token ? { token } : {}),
        });
        print(`dashboard on ${server.url}; Ctrl-C or SIGTERM to stop`);
        const signal = await stop.received;
        print(`${signal}: stopping`);
        await server.close();
      } finally {
        await executor.close();
        stop.dispose();
      }
    });
}

async function loadDashboard(): Promise<typeof ServeDashboard> {
  try {
    return (await import("../../dashboard/index.js")).serveDashboard;
  } catch (error) {
    throw new CliError("DASHBOARD_UNAVAILABLE", "The dashboard failed to load.", { cause: error });
  }
}
