/** A measured figure: what it is, its value, how it compares with raw SQLite, and its goal. */
export interface Row {
  label: string;
  value: string;
  vsRaw?: string;
  goal?: string;
}

/** A heading line between groups of rows. */
export interface Section {
  section: string;
}

export type Line = Row | Section;

const HEADINGS: Row = { label: "Measure", value: "Result", vsRaw: "Engine vs raw", goal: "Goal / reference" };

/** Prints rows as aligned columns, sections as headings spanning the table. */
export function printTable(lines: readonly Line[], headings: Row = HEADINGS): void {
  // Rows are indented under their section heading.
  const body = lines.map((line) => ("section" in line ? line : { ...line, label: `  ${line.label}` }));
  const rows = [headings, ...body.filter((line): line is Row => "label" in line)];
  const width = (pick: (row: Row) => string | undefined) => Math.max(...rows.map((row) => (pick(row) ?? "").length));
  const widths = [width((r) => r.label), width((r) => r.value), width((r) => r.vsRaw), width((r) => r.goal)];
  const format = (row: Row) =>
    [row.label, row.value, row.vsRaw ?? "", row.goal ?? ""]
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const rule = "-".repeat(widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1));
  console.log(format(headings));
  console.log(rule);
  body.forEach((line, i) => {
    if ("label" in line) console.log(format(line));
    else console.log(i === 0 ? line.section : `\n${line.section}`);
  });
  console.log(rule);
}

export const formatCount = (n: number): string => Math.round(n).toLocaleString("en-US");
export const formatUs = (us: number): string => `${us.toFixed(us < 10 ? 2 : 1)} µs`;
export const formatMb = (mb: number): string => `${mb.toFixed(2)} MiB`;
export const formatPercent = (fraction: number): string => `${(fraction * 100).toFixed(0)}%`;
export const formatTimes = (ratio: number): string => `${ratio.toFixed(1)}×`;
export const verdict = (met: boolean): string => (met ? "met" : "MISSED");
