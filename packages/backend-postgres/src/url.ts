import { DatabaseUrlError, redactUrl } from "@cloacina/engine";
import { queryParameterProblem } from "@cloacina/engine/store";
import type { PoolConfig } from "pg";
import { z } from "zod";

export const POSTGRES_URL_FORMS = [
  "postgres://USER@HOST:5432/DATABASE   (postgresql:// works too; HOST is required; a password goes after USER and a colon)",
  "query parameters, all optional:",
  "  sslmode=disable|require|no-verify|verify-ca|verify-full   TLS (default: disable)",
  "  max=10                  pool size per executor (1-1000)",
  "  connect_timeout=10      seconds to wait for a connection",
  "  application_name=name   shown in pg_stat_activity",
  "  schema=name             tenant schema for Cloacina's tables (default: public)",
  "  prepare=true|false      prepare the engine's statements once per connection (default: true; false behind a pooler that cannot keep them)",
] as const;

/** Lower-case identifier, as PostgreSQL folds unquoted names: no quoting games, no injection. */
const schemaName = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    "a schema name is 1-63 characters: lower-case letters, digits and _, not starting with a digit",
  )
  .refine((s) => !s.startsWith("pg_"), "schema names starting with pg_ are reserved by PostgreSQL");

const querySchema = z.strictObject({
  sslmode: z.enum(["disable", "require", "no-verify", "verify-ca", "verify-full"]).default("disable"),
  max: z.coerce.number().int().min(1).max(1000).default(10),
  connect_timeout: z.coerce.number().int().min(1).max(3600).default(10),
  application_name: z.string().max(63).default("cloacina"),
  schema: schemaName.default("public"),
  prepare: z
    .enum(["true", "false"], "prepare is true or false")
    .default("true")
    .transform((v) => v === "true"),
});

export interface PostgresConfig {
  pool: PoolConfig;
  schema: string;
  /** Whether the engine's statements are prepared once per connection (see PipelinedTransaction). */
  prepare: boolean;
  /** The URL with its password masked, for messages. */
  display: string;
}

/** Parses and validates a PostgreSQL URL, or throws INVALID_DATABASE_URL with the accepted form. */
export function parsePostgresUrl(url: string): PostgresConfig {
  const display = redactUrl(String(url));
  const problem = (why: string) =>
    new DatabaseUrlError(
      "INVALID_DATABASE_URL",
      `Invalid PostgreSQL URL "${display}": ${why}.\nAccepted form:\n  ${POSTGRES_URL_FORMS.join("\n  ")}`,
      { details: { accepted: [...POSTGRES_URL_FORMS] } },
    );
  if (typeof url !== "string" || !/^postgres(ql)?:\/\//i.test(url))
    throw problem('it must start with "postgres://" or "postgresql://"');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problem("it is not a well-formed URL");
  }
  if (parsed.hostname === "") throw problem("it names no host");
  if (parsed.hash !== "") throw problem('a "#" fragment is not allowed');
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw problem(`${what} has an invalid %-escape`);
    }
  };
  const database = decode(parsed.pathname.replace(/^\//, ""), "the database name");
  if (database.includes("/")) throw problem("the path must be just the database name");
  const badName = queryParameterProblem(parsed.searchParams, Object.keys(querySchema.shape));
  if (badName !== undefined) throw problem(badName);
  const params = querySchema.safeParse(Object.fromEntries(parsed.searchParams));
  if (!params.success) throw problem(z.prettifyError(params.error).replace(/\n/g, " "));
  const q = params.data;
  const pool: PoolConfig = {
    host: parsed.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: parsed.port === "" ? 5432 : Number(parsed.port),
    max: q.max,
    connectionTimeoutMillis: q.connect_timeout * 1000,
    application_name: q.application_name,
    ssl: tls(q.sslmode),
  };
  if (parsed.username !== "") pool.user = decode(parsed.username, "the user");
  if (parsed.password !== "") pool.password = decode(parsed.password, "the password");
  if (database !== "") pool.database = database;
  return { pool, schema: q.schema, prepare: q.prepare, display };
}

function tls(mode: z.output<typeof querySchema>["sslmode"]): PoolConfig["ssl"] {
  switch (mode) {
    case "disable":
      return false;
    case "require":
    case "no-verify":
      // libpq's "require": encrypted, certificate not checked.
      return { rejectUnauthorized: false };
    case "verify-ca":
      return { rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-full":
      return { rejectUnauthorized: true };
  }
}
