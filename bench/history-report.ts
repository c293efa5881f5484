import { HISTORY_CHAIN, HISTORY_GOAL, HISTORY_RUNS, type HistoryResult } from "./history.js";
import { formatCount, type Line, printTable, verdict } from "./table.js";

const HEADINGS = { label: "Measure", value: "Result", vsRaw: "Stored ÷ empty", goal: "Goal" };

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** One row per backend measured: empty → stored cost per task, the ratio and its verdict. */
export function printHistory(results: { backend: string; result: HistoryResult }[]): void {
  const lines: Line[] = [
    {
      section: `Cost with history: chain of ${HISTORY_CHAIN} per task, empty vs ${formatCount(HISTORY_RUNS)} stored runs (no ANALYZE)`,
    },
    ...results.map(({ backend, result: r }) => {
      const ratio = r.storedMsPerTask / r.emptyMsPerTask;
      return {
        label: `${backend}${r.analyzed ? " (statistics appeared: not the case measured)" : ""}`,
        value: `${ms(r.emptyMsPerTask)} → ${ms(r.storedMsPerTask)}/task`,
        vsRaw: `${ratio.toFixed(2)}×`,
        goal: `≤ ${HISTORY_GOAL}×: ${verdict(ratio <= HISTORY_GOAL)}`,
      };
    }),
  ];
  printTable(lines, HEADINGS);
}
