/**
 * Text for humans (tables, statuses in colour, durations) and JSON for scripts. Colours come
 * from picocolors, which turns itself off when stdout is not a terminal or NO_COLOR is set.
 */
import { stripVTControlCharacters } from "node:util";
import type { RunStatus, TaskStatus } from "@cloacina/engine";
import pc from "picocolors";

/** A status word in its colour: green done, red failed, yellow in progress, grey not run. */
export function colorStatus(status: RunStatus | TaskStatus): string {
  switch (status) {
    case "Completed":
      return pc.green(status);
    case "Failed":
      return pc.red(status);
    case "Running":
    case "Ready":
      return pc.yellow(status);
    case "Waiting":
      return pc.cyan(status);
    case "Cancelled":
    case "Skipped":
    case "Pending":
      return pc.dim(status);
  }
}

/** `850ms`, `12.3s`, `4m 05s`, `2h 03m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const s = Math.floor(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor(s / 60) % 60).padStart(2, "0")}m`;
}

/** A local date and time to the second, `2025-01-31 09:05:00`. */
export function formatTime(date: Date | number | null | undefined): string {
  if (date === null || date === undefined) return "-";
  const d = new Date(date);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
  );
}

/** Left-aligned columns under a dim header; widths ignore colour codes. */
export function table(headers: string[], rows: string[][]): string {
  const width = (s: string) => stripVTControlCharacters(s).length;
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - width(cell))))
      .join("  ");
  return [pc.dim(line(headers)), ...rows.map(line)].join("\n");
}

/**
 * JSON that survives what contexts may hold: BigInts as strings, Maps as objects, Sets as
 * arrays, Errors as `{ name, message }` (Dates become ISO strings as usual).
 */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Map) return Object.fromEntries(v);
      if (v instanceof Set) return [...v];
      if (v instanceof Error) return { name: v.name, message: v.message, ...("code" in v ? { code: v.code } : {}) };
      return v;
    },
    indent,
  );
}

/** Writes a line to stdout. */
export function print(text = ""): void {
  process.stdout.write(`${text}\n`);
}
