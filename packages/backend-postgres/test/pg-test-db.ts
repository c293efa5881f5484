/**
 * The real PostgreSQL server on this machine (../shared/services.md). Each test database is a
 * fresh schema with a unique name, dropped afterwards. Tests skip only when no server answers and
 * CLOACINA_REQUIRE_POSTGRES is unset; CI sets it, so there they fail instead.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";

export const TEST_URL = process.env.CLOACINA_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return String(error);
  } finally {
    await client.end().catch(() => {});
  }
}

const unavailable = await probe();
if (unavailable && process.env.CLOACINA_REQUIRE_POSTGRES) {
  throw new Error(`CLOACINA_REQUIRE_POSTGRES is set but PostgreSQL at ${TEST_URL} does not answer: ${unavailable}`);
}
/** True when the PostgreSQL tests must skip (no server, and not required). */
export const skipPostgres = unavailable !== undefined;

/** A new tenant schema name, and its URL. */
export function freshSchema(prefix = "t"): { schema: string; url: string } {
  const schema = `${prefix}_${randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const url = `${TEST_URL}${TEST_URL.includes("?") ? "&" : "?"}schema=${schema}`;
  return { schema, url };
}

/** Runs SQL as the admin connection (to drop schemas, terminate backends...). */
export async function admin<T extends pg.QueryResultRow = pg.QueryResultRow>(
  text: string,
  values?: unknown[],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: TEST_URL });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await admin(`drop schema if exists "${schema}" cascade`);
}
