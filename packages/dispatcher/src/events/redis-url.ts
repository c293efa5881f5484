import { redactUrl, ValidationError } from "@cloacina/engine";
import { z } from "zod";

export const REDIS_URL_FORMS = [
  "redis://[USER:PASSWORD@]HOST[:6379][/DB]   (rediss:// for TLS; DB is a number, default 0)",
  "query parameters, all optional:",
  "  stream=key      the stream key events are relayed to (default: cloacina:events)",
  "  maxlen=100000   keep about this many entries in the stream, 0 = never trim (older events stay in the database's log)",
] as const;

export const DEFAULT_STREAM = "cloacina:events";
export const DEFAULT_MAXLEN = 100_000;

const querySchema = z.strictObject({
  stream: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[A-Za-z0-9_.:{}-]+$/, "a stream key uses letters, digits and _ . : - { }")
    .default(DEFAULT_STREAM),
  maxlen: z.coerce.number().int().min(0).max(1_000_000_000).default(DEFAULT_MAXLEN),
});

export interface RedisUrlConfig {
  /** The URL node-redis connects to: ours without Cloacina's query parameters. */
  clientUrl: string;
  stream: string;
  /** 0: never trim. */
  maxlen: number;
  /** The URL with its password masked, for messages. */
  display: string;
}

/** True when `url` names a Redis server (the events transport), not a database. */
export function isRedisUrl(url: string): boolean {
  return /^rediss?:\/\//i.test(url);
}

/** Parses and validates a Redis events URL, or throws INVALID_EVENTS_TRANSPORT with the accepted form. */
export function parseRedisUrl(url: string): RedisUrlConfig {
  const display = redactUrl(String(url));
  const problem = (why: string) =>
    new ValidationError(
      "INVALID_EVENTS_TRANSPORT",
      `Invalid Redis events URL "${display}": ${why}.\nAccepted form:\n  ${REDIS_URL_FORMS.join("\n  ")}`,
      { details: { accepted: [...REDIS_URL_FORMS] } },
    );
  if (typeof url !== "string" || !isRedisUrl(url)) throw problem('it must start with "redis://" or "rediss://"');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw problem("it is not a well-formed URL (is the port a number from 1 to 65535?)");
  }
  if (parsed.hostname === "") throw problem("it names no host");
  if (parsed.hash !== "") throw problem('a "#" fragment is not allowed');
  // `new URL` already rejects ports above 65535 and non-numeric ones; it turns ":0" into "0".
  if (parsed.port === "0") throw problem("the port must be a number from 1 to 65535");
  const db = parsed.pathname.replace(/^\//, "");
  if (db !== "" && !/^\d{1,5}$/.test(db)) throw problem(`the path must be a database number like /0 (got "/${db}")`);
  const params = querySchema.safeParse(Object.fromEntries(parsed.searchParams));
  if (!params.success) throw problem(z.prettifyError(params.error).replace(/\n/g, " "));
  const client = new URL(parsed.href);
  client.search = "";
  return { clientUrl: client.href, stream: params.data.stream, maxlen: params.data.maxlen, display };
}
