import { createExecutor } from "@cloacina/backend-sqlite";
import { type Executor, type ExecutorOptions, resetRegistry, type Workflow } from "@cloacina/engine";

/** `sqlite:///abs/path.db`, each path segment escaped because the URL's path is %-decoded. */
export function sqliteUrl(file: string): string {
  return `sqlite://${file.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * Defines a benchmark's workflow, opens an executor on its own database file, runs `use`, and
 * closes it. The registry is reset before defining: every step claims by the versions of all registered workflows, so leftovers from an
 * earlier benchmark would make this one's claims look at more than they need to.
 */
export async function withExecutor<Defined, T>(
  file: string,
  options: ExecutorOptions,
  define: () => Defined,
  use: (executor: Executor, defined: Defined) => Promise<T>,
): Promise<T> {
  resetRegistry();
  const defined = define();
  const executor = await createExecutor(sqliteUrl(file), options);
  try {
    return await use(executor, defined);
  } finally {
    await executor.close();
  }
}

/** Runs a workflow to the end; a run that did not complete would make its timing meaningless. */
export async function executeOrThrow(executor: Executor, wf: Workflow): Promise<void> {
  const result = await executor.execute(wf, {});
  if (result.status !== "Completed") {
    throw new Error(`benchmark run of "${wf.name}" ended ${result.status}: ${String(result.error)}`);
  }
}

/** Executes `wf` `count` times, one after another. */
export async function executeSequentially(executor: Executor, wf: Workflow, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await executeOrThrow(executor, wf);
}
