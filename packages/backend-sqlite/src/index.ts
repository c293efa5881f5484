import { type Executor, type ExecutorOptions } from "@cloacina/engine";
import { type Backend, createExecutorWith } from "@cloacina/engine/store";
import { SqliteDriver } from "./sqlite-driver.js";
import { parseSqliteUrl, SQLITE_URL_FORMS, type SqliteConfig } from "./url.js";

/** The SQLite backend descriptor, found by the `cloacina` dispatcher for `sqlite://` URLs. */
export const backend: Backend<SqliteConfig> = {
  kind: "cloacina.backend",
  name: "sqlite",
  packageName: "@cloacina/backend-sqlite",
  schemes: ["sqlite"],
  urlForms: SQLITE_URL_FORMS,
  parseUrl: (url) => parseSqliteUrl(url),
  createDriver: (config) => Promise.resolve(new SqliteDriver(config)),
};

/** Opens an executor on a SQLite database. The URL is required and validated. */
export function createExecutor(url: string, options?: ExecutorOptions): Promise<Executor> {
  return createExecutorWith(backend, url, options);
}

export { SqliteDriver } from "./sqlite-driver.js";
export { parseSqliteUrl, SQLITE_URL_FORMS, type SqliteConfig } from "./url.js";
