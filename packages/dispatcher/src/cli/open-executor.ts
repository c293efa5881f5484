/**
 * Executors the commands open. Admin commands (runs, show, cancel, retry, signal, schedules, migrate,
 * dashboard) never execute tasks, never resume runs and never fail runs of other versions: they
 * only read and change what is stored, so they are safe to point at a production database.
 */
import { type Executor, isCloacinaError, redactUrl } from "@cloacina/engine";
import { createExecutor, type CreateExecutorOptions } from "../create-executor.js";
import { CliError } from "./errors.js";

export const ADMIN_OPTIONS = { runTasks: false, resume: false, versionMismatch: "leave" } as const;

/** Opens an executor; a database that cannot be reached is DATABASE_UNAVAILABLE, URL redacted. */
export async function openExecutor(db: string, options: CreateExecutorOptions = {}): Promise<Executor> {
  try {
    return await createExecutor(db, options);
  } catch (error) {
    // A store failure while opening is the database being out of reach; other coded errors stand.
    if (isCloacinaError(error) && error.code !== "STORE_FAILURE") throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliError("DATABASE_UNAVAILABLE", `Cannot open ${redactUrl(db)}: ${reason}`, { cause: error });
  }
}

export function openAdminExecutor(db: string, options: CreateExecutorOptions = {}): Promise<Executor> {
  return openExecutor(db, { ...options, ...ADMIN_OPTIONS });
}

/** Opens an admin executor, runs `use`, and always closes it. */
export async function withAdminExecutor<T>(db: string, use: (executor: Executor) => Promise<T>): Promise<T> {
  const executor = await openAdminExecutor(db);
  try {
    return await use(executor);
  } finally {
    await executor.close();
  }
}
