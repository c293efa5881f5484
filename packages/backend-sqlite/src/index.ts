import { type Backend, createExecutorWith, type Executor, type ExecutorOptions } from "@cloacina/engine";
import { SqliteStore } from "./sqlite-store.js";
import { parseSqliteUrl, SQLITE_URL_FORMS, type SqliteConfig } from "./url.js";

/** The SQLite backend descriptor, found by the `cloacina` dispatcher for `sqlite://` URLs. */
export const backend: Backend<SqliteConfig> = {
  kind: "cloacina.backend",
  name: "sqlite",
  packageName: "@cloacina/backend-sqlite",
  schemes: ["sqlite"],
  urlForms: SQLITE_URL_FORMS,
  parseUrl: (url) => parseSqliteUrl(url),
  createStore: (config) => Promise.resolve(new SqliteStore(config)),
};

/** Opens an executor on a SQLite database. The URL is required and validated. */
export function createExecutor(url: string, options?: ExecutorOptions): Promise<Executor> {
  return createExecutorWith(backend, url, options);
}

export { SqliteStore } from "./sqlite-store.js";
export { parseSqliteUrl, SQLITE_URL_FORMS, type SqliteConfig } from "./url.js";
