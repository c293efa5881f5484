import { DatabaseUrlError } from "./errors.js";
import { defaultOnError, openExecutor, type Executor } from "./executor/executor.js";
import { type ExecutorOptions, parseExecutorOptions } from "./executor/executor-options.js";
import type { StoreDriver } from "./store/driver.js";

/**
 * What a backend package exports as `backend`: a small factory, nothing more. The engine does
 * the rest (migrations on open, recovery, scheduling). The dispatcher checks this shape on
 * whatever it imports.
 */
export interface Backend<Config = unknown> {
  readonly kind: "cloacina.backend";
  /** Short name, e.g. "sqlite". */
  readonly name: string;
  /** The npm package that provides it, for messages. */
  readonly packageName: string;
  /** URL schemes it accepts, without "://", e.g. ["sqlite"]. */
  readonly schemes: readonly string[];
  /** The accepted URL forms, shown when a URL is invalid. */
  readonly urlForms: readonly string[];
  /** Validates a URL; throws a DatabaseUrlError (`INVALID_DATABASE_URL`) naming the accepted forms. */
  parseUrl(url: string): Config;
  /**
   * Opens a driver on a validated config (see `driver.ts`), without touching the database yet:
   * the engine migrates it. `onError` receives its background errors (a pooled connection that
   * died idle).
   */
  createDriver(config: Config, context?: { onError: (error: unknown) => void }): Promise<StoreDriver>;
}

export function isBackend(value: unknown): value is Backend {
  const b = value as Partial<Backend> | null | undefined;
  return (
    typeof b === "object" &&
    b !== null &&
    b.kind === "cloacina.backend" &&
    typeof b.name === "string" &&
    Array.isArray(b.schemes) &&
    typeof b.parseUrl === "function" &&
    typeof b.createDriver === "function"
  );
}

/** Opens an executor on the database a URL names, through the given backend. */
export async function createExecutorWith<Config>(
  backend: Backend<Config>,
  url: string,
  options?: ExecutorOptions,
): Promise<Executor> {
  requireUrl(url);
  // Everything is validated before the backend opens anything (a SQLite file, a pool).
  const config = backend.parseUrl(url);
  const onError = parseExecutorOptions(options).onError ?? defaultOnError;
  const driver = await backend.createDriver(config, { onError: (error) => onError(error) });
  try {
    return await openExecutor(driver, options);
  } catch (error) {
    await driver.close();
    throw error;
  }
}

/** A database URL is required: there is no default database anywhere. */
export function requireUrl(url: unknown): asserts url is string {
  if (typeof url !== "string" || url.trim() === "") {
    throw new DatabaseUrlError(
      "INVALID_DATABASE_URL",
      `A database URL is required, e.g. "sqlite://./cloacina.db" or "postgres://user@host:5432/db" (got ${url === "" ? "an empty string" : typeof url}).`,
    );
  }
}
