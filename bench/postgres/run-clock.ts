import { quoteIdent, withClient } from "./server.js";

/**
 * When the last of a schema's runs finished, by the engine's own clock: `finished_at` is the
 * Date.now() of the process that finished it (all on this machine), so the figure does not
 * depend on how the benchmark noticed the end. Also checks that every task completed.
 */
export async function lastRunFinishedAt(schema: string, expectedTasks: number): Promise<number> {
  return withClient(async (client) => {
    const s = quoteIdent(schema);
    const { rows } = await client.query<{ completed: number; unfinished: number; at: string | null }>(
      `select (select count(*)::int from ${s}.cloacina_task_runs where status = 'Completed') as completed,
              (select count(*)::int from ${s}.cloacina_runs where status <> 'Completed') as unfinished,
              (select max(finished_at)::text from ${s}.cloacina_runs) as at`,
    );
    const row = rows[0];
    if (!row || row.completed !== expectedTasks || row.unfinished > 0 || row.at === null) {
      throw new Error(`${row?.completed ?? 0} of ${expectedTasks} tasks completed in ${schema}`);
    }
    return Number(row.at);
  });
}

/**
 * Resolves once no run of the schema is Running, asking with one indexed count every `everyMs`
 * on one connection: far lighter than 20,000 `handle.result()` calls, which would compete with
 * the drain being measured (see the report's notes).
 */
export async function waitUntilNoRunIsRunning(schema: string, timeoutMs: number, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await withClient(async (client) => {
    const sql = `select count(*)::int as n from ${quoteIdent(schema)}.cloacina_runs where status = 'Running'`;
    for (;;) {
      const n = (await client.query<{ n: number }>(sql)).rows[0]?.n ?? 0;
      if (n === 0) return;
      if (Date.now() > deadline) throw new Error(`${n} runs still running after ${timeoutMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  });
}
