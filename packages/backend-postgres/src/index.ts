import { type Backend, createExecutorWith, type Executor, type ExecutorOptions } from "@cloacina/engine";
import { PostgresStore } from "./pg-store.js";
import { parsePostgresUrl, POSTGRES_URL_FORMS, type PostgresConfig } from "./url.js";

/** The PostgreSQL backend descriptor, found by the `cloacina` dispatcher for postgres:// URLs. */
export const backend: Backend<PostgresConfig> = {
  kind: "cloacina.backend",
  name: "postgres",
  packageName: "@cloacina/backend-postgres",
  schemes: ["postgres", "postgresql"],
  urlForms: POSTGRES_URL_FORMS,
  parseUrl: (url) => parsePostgresUrl(url),
  createStore: (config, context) => Promise.resolve(new PostgresStore(config, context?.onError)),
};

/** Opens an executor on a PostgreSQL database. The URL is required and validated. */
export function createExecutor(url: string, options?: ExecutorOptions): Promise<Executor> {
  return createExecutorWith(backend, url, options);
}

/** Creates or upgrades the tables of the URL's tenant schema, then closes. */
export async function migrate(url: string): Promise<void> {
  const store = new PostgresStore(parsePostgresUrl(url));
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

export { PostgresStore } from "./pg-store.js";
export { parsePostgresUrl, POSTGRES_URL_FORMS, type PostgresConfig } from "./url.js";
