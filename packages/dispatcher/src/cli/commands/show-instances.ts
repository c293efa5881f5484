/**
 * `cloacina show`'s section for a mapped task: its counts and a capped list of its instances. A
 * map may have 100,000 of them, so the list keeps the first few and the failed ones, and says
 * how many it left out (`--json` has them all).
 */
import type { TaskDetail } from "@cloacina/engine";
import pc from "picocolors";
import { colorStatus, formatDuration, table } from "../format.js";
import { InstanceProgress, instanceSummary } from "../instance-progress.js";

type Instances = NonNullable<TaskDetail["instances"]>;
type Instance = Instances["list"][number];

/** Instances listed from the start of the array, then failed ones from further on. */
export const FIRST_INSTANCES = 20;
export const MORE_FAILED_INSTANCES = 20;

/** `10 instances: 9/10 done, 1 failed`. */
export function instancesLine(instances: Instances): string {
  const progress = new InstanceProgress(0);
  progress.settle(instances);
  return `${instances.total} instance${instances.total === 1 ? "" : "s"}: ${instanceSummary(progress)}`;
}

/** The first instances and the failed ones after them (up to their caps), in element order. */
export function pickInstances(list: readonly Instance[]): Instance[] {
  const first = list.slice(0, FIRST_INSTANCES);
  const failed = list
    .slice(FIRST_INSTANCES)
    .filter((i) => i.status === "Failed" || i.error !== undefined)
    .slice(0, MORE_FAILED_INSTANCES);
  return [...first, ...failed];
}

export function instancesSection(executionId: string, task: TaskDetail & { instances: Instances }): string[] {
  const { list } = task.instances;
  const shown = pickInstances(list);
  const children = list.some((i) => i.childRunId !== undefined);
  const headers = ["INDEX", "STATUS", "ATTEMPTS", "DURATION", ...(children ? ["CHILD RUN"] : []), "ERROR"];
  const rows = shown.map((i) => [
    String(i.index),
    colorStatus(i.status),
    String(i.attempts),
    i.durationMs === undefined ? "-" : formatDuration(i.durationMs),
    ...(children ? [i.childRunId ?? "-"] : []),
    i.error ? pc.red(firstLine(i.error.message)) : "-",
  ]);
  const lines = ["", `${pc.bold(task.id)} ${instancesLine(task.instances)}`];
  lines.push(
    ...table(headers, rows)
      .split("\n")
      .map((line) => `  ${line}`),
  );
  const left = list.length - shown.length;
  if (left > 0) lines.push(pc.dim(`  … ${left} more (\`cloacina show ${executionId} --json\` lists every instance)`));
  return lines;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? "";
}
