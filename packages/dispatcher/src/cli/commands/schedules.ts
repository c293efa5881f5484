/** `cloacina schedules [list|pause <id>|resume <id>]`: the stored cron schedules. */
import type { ScheduleInfo } from "@cloacina/engine";
import type { Command } from "commander";
import pc from "picocolors";
import { formatTime, print, table, toJson } from "../format.js";
import { dbOption, jsonOption } from "../options.js";
import { withAdminExecutor } from "../open-executor.js";

interface Flags {
  db: string;
  json?: boolean;
}

export function registerSchedules(program: Command): void {
  const schedules = program.command("schedules").description("list, pause or resume cron schedules");
  schedules
    .command("list", { isDefault: true })
    .description("list schedules (the default)")
    .addOption(dbOption())
    .addOption(jsonOption())
    .action(async (flags: Flags) => {
      const list = await withAdminExecutor(flags.db, (executor) => executor.schedules());
      print(flags.json ? toJson({ schedules: list }) : describe(list));
    });
  for (const [name, paused] of [
    ["pause", true],
    ["resume", false],
  ] as const) {
    schedules
      .command(name)
      .description(
        paused ? "pause a schedule: it fires no more runs" : "resume a schedule from its next fire after now",
      )
      .argument("<id>", "the schedule's id")
      .addOption(dbOption())
      .addOption(jsonOption())
      .action(async (id: string, flags: Flags) => {
        await withAdminExecutor(flags.db, (executor) =>
          paused ? executor.pauseSchedule(id) : executor.resumeSchedule(id),
        );
        print(flags.json ? toJson({ id, paused }) : `schedule ${id} ${paused ? "paused" : "resumed"}`);
      });
  }
}

function describe(list: ScheduleInfo[]): string {
  if (list.length === 0) return "no schedules";
  return table(
    ["ID", "WORKFLOW", "CRON", "TIME ZONE", "STATE", "NEXT FIRE", "LAST FIRED"],
    list.map((s) => [
      s.id,
      s.workflow,
      s.cron,
      s.timezone,
      s.paused ? pc.dim("paused") : pc.green("active"),
      s.paused ? "-" : formatTime(s.nextFireAt),
      formatTime(s.lastFiredAt),
    ]),
  );
}
