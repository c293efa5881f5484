import { printTable } from "../table.js";
import { measurePostgres, type PostgresResults, type Stage } from "./measure-postgres.js";
import { POSTGRES_HEADINGS, postgresLines } from "./report.js";
import { dropLiveSchemas, probeServer, SERVER_DISPLAY, serverVersion } from "./server.js";

const NOTES = [
  "Ratios are figure ÷ Cloacina's. (a)/(b): Cloacina's one wide run / one-task runs, on as many processes or connections.",
  "Cloacina ends at the stored finished_at of the last run; the one-task runs are awaited by a light count, not 20,000 handle.result() calls.",
  "Raw loops ANALYZE the table first, except the last (like Cloacina's tables here, which have no statistics during a run).",
  "graphile-worker high-throughput preset: concurrentJobs 24, maxPoolSize 25, localQueue.size 500, complete/failJobBatchDelay 0.",
  "5.: each figure after 20 warm-up workflows. DBOS: a fresh database per figure, a child process, system pool 10 (its default),",
  "    steps via DBOS.runStep, (b) without a queue, timed to the last getResult(); Cloacina (b) ends at the stored finished_at.",
];

/** The PostgreSQL part: skipped, saying why, when the server does not answer. */
export async function runPostgres(stage: Stage): Promise<void> {
  const unavailable = await probeServer();
  if (unavailable !== undefined) {
    console.log(`PostgreSQL part skipped: ${SERVER_DISPLAY} does not answer (${unavailable}).`);
    return;
  }
  console.log(
    `Cloacina benchmark: PostgreSQL ${await serverVersion()} at ${SERVER_DISPLAY}, a fresh schema per figure (dropped after)`,
  );
  // Ctrl-C skips `finally`: drop the schemas of the figures under way here too.
  const onInterrupt = () => void dropLiveSchemas().finally(() => process.exit(130));
  process.once("SIGINT", onInterrupt);
  let results: PostgresResults;
  try {
    results = await measurePostgres(stage);
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  console.log();
  printTable(postgresLines(results), POSTGRES_HEADINGS);
  for (const note of NOTES) console.log(note);
  const dbos = results.workflows.dbos.sequential;
  if (!dbos.measured) console.log(`DBOS: not measured: ${dbos.reason}`);
}
