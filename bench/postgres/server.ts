import { randomUUID } from "node:crypto";
import { redactUrls } from "@cloacina/engine";
import pg from "pg";

/** The PostgreSQL server the benchmark uses: this machine's, unless CLOACINA_BENCH_POSTGRES_URL says otherwise. */
export const SERVER_URL = process.env.CLOACINA_BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** The server URL as it may be printed: any password masked. */
export const SERVER_DISPLAY = redactUrls(SERVER_URL);

/** Why the server does not answer, or undefined when it does. */
export async function probeServer(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 3000 });
  // Without a listener, an error event after a failed connect would crash the process.
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
    return undefined;
  } catch (error) {
    return redactUrls(describe(error));
  } finally {
    await client.end().catch(() => {});
  }
}

/** An error's message; a refused connection to a name with several addresses is an AggregateError with none. */
function describe(error: unknown): string {
  if (error instanceof AggregateError && error.message === "") return error.errors.map(describe).join("; ");
  return error instanceof Error ? error.message || error.name : String(error);
}

/** The server's version string, e.g. "15.20". */
export async function serverVersion(): Promise<string> {
  return withClient(
    async (client) =>
      (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]?.v ?? "?",
  );
}

/** A new schema name no earlier run used: each benchmark starts from empty tables. */
export function freshSchemaName(prefix: string): string {
  return `bench_${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
}

/** The Cloacina URL of a tenant schema on the server. */
export function schemaUrl(schema: string): string {
  return `${SERVER_URL}${SERVER_URL.includes("?") ? "&" : "?"}schema=${schema}`;
}

/** A quoted identifier (the generated schema names need none, but SQL text should not depend on that). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function withClient<T>(use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema(schema: string): Promise<void> {
  await withClient((client) => client.query(`drop schema if exists ${quoteIdent(schema)} cascade`));
}

/** Schemas created and not yet dropped: what an interrupted run must still drop. */
const liveSchemas = new Set<string>();

/** Runs `use` with a fresh schema, dropped afterwards whatever happens. */
export async function withSchema<T>(prefix: string, use: (schema: string) => Promise<T>): Promise<T> {
  const schema = freshSchemaName(prefix);
  liveSchemas.add(schema);
  try {
    return await use(schema);
  } finally {
    await dropSchema(schema);
    liveSchemas.delete(schema);
  }
}

/** The server URL with another database in its path (its query parameters kept). */
export function databaseUrl(database: string): string {
  const url = new URL(SERVER_URL);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Databases created and not yet dropped (for peers that want a database of their own). */
const liveDatabases = new Set<string>();

async function dropDatabase(database: string): Promise<void> {
  // FORCE: a peer's process killed on a timeout may leave connections behind.
  await withClient((client) => client.query(`drop database if exists ${quoteIdent(database)} with (force)`));
}

/** Runs `use` with a fresh database on the server (its URL), dropped afterwards whatever happens. */
export async function withDatabase<T>(prefix: string, use: (url: string) => Promise<T>): Promise<T> {
  const database = `cloacina_bench_${prefix}_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await withClient((client) => client.query(`create database ${quoteIdent(database)}`));
  liveDatabases.add(database);
  try {
    return await use(databaseUrl(database));
  } finally {
    await dropDatabase(database);
    liveDatabases.delete(database);
  }
}

/** Drops the schemas and databases of figures still under way (on Ctrl-C), ignoring failures. */
export async function dropLiveSchemas(): Promise<void> {
  await Promise.all([
    ...[...liveSchemas].map((schema) => dropSchema(schema).catch(() => {})),
    ...[...liveDatabases].map((database) => dropDatabase(database).catch(() => {})),
  ]);
}
