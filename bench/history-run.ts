import { measurePostgresHistory, measureSqliteHistory, type HistoryResult } from "./history.js";
import { printHistory } from "./history-report.js";
import { probeServer } from "./postgres/server.js";
import { createBenchDir } from "./temp-dir.js";

type Stage = <T>(name: string, measure: () => Promise<T>) => Promise<T>;

/** The "cost with history" figure, for each part asked (PostgreSQL only when its server answers). */
export async function measureHistory(parts: { sqlite: boolean; postgres: boolean }, stage: Stage): Promise<void> {
  const results: { backend: string; result: HistoryResult }[] = [];
  if (parts.sqlite) {
    const dir = createBenchDir();
    try {
      const result = await stage("SQLite: chain, empty vs 100,000 stored runs", () =>
        measureSqliteHistory(dir.dbFile("history")),
      );
      results.push({ backend: "SQLite", result });
    } finally {
      dir.remove();
    }
  }
  if (parts.postgres && (await probeServer()) === undefined) {
    const result = await stage("PostgreSQL: chain, empty vs 100,000 stored runs", () => measurePostgresHistory());
    results.push({ backend: "PostgreSQL", result });
  }
  if (results.length === 0) return;
  console.log();
  printHistory(results);
}
