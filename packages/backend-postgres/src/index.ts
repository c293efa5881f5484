import type { Executor, ExecutorOptions } from "@cloacina/engine";
import { type Backend, createExecutorWith } from "@cloacina/engine/store";
import { PostgresDriver } from "./pg-driver.js";
import { parsePostgresUrl, POSTGRES_URL_FORMS, type PostgresConfig } from "./url.js";

/** The PostgreSQL backend descriptor, found by the `cloacina` dispatcher for postgres:// URLs. */
export const backend: Backend<PostgresConfig> = {
  kind: "cloacina.backend",
  name: "postgres",
  packageName: "@cloacina/backend-postgres",
  schemes: ["postgres", "postgresql"],
  urlForms: POSTGRES_URL_FORMS,
  parseUrl: (url) => parsePostgresUrl(url),
  createDriver: (config, context) => Promise.resolve(new PostgresDriver(config, context?.onError)),
};

/** Opens an executor on a PostgreSQL database. The URL is required and validated. */
export function createExecutor(url: string, options?: ExecutorOptions): Promise<Executor> {
  return createExecutorWith(backend, url, options);
}

/** Creates or upgrades the tables of the URL's tenant schema, then closes. */
export async function migrate(url: string): Promise<void> {
  const driver = new PostgresDriver(parsePostgresUrl(url));
  try {
    await driver.migrate();
  } finally {
    await driver.close();
  }
}

export { PostgresDriver } from "./pg-driver.js";
export { parsePostgresUrl, POSTGRES_URL_FORMS, type PostgresConfig } from "./url.js";
