import { DatabaseUrlError, redactUrl } from "@cloacina/engine";
import { queryParameterProblem } from "@cloacina/engine/store";
import path from "node:path";
import { z } from "zod";

/** The SQLite URL forms we accept, shown in every invalid-URL error. */
export const SQLITE_URL_FORMS = [
  "sqlite://:memory:                  (in memory, gone when the executor closes)",
  "sqlite:///absolute/path/to/file.db (absolute path: three slashes)",
  "sqlite://relative/path/file.db     (relative to the working directory; also sqlite://./file.db)",
  "optional query: ?synchronous=NORMAL|FULL&busy_timeout=5000",
] as const;

export interface SqliteConfig {
  /** Absolute file path, or ":memory:". */
  filename: string;
  /**
   * NORMAL (default) in WAL mode never corrupts the database, but the last transactions before a
   * power loss or OS crash may be lost (a process crash loses nothing). FULL syncs every commit.
   */
  synchronous: "NORMAL" | "FULL";
  /** Milliseconds to wait for another process's write lock before failing. */
  busyTimeoutMs: number;
}

const querySchema = z.strictObject({
  synchronous: z.enum(["NORMAL", "FULL", "normal", "full"]).optional(),
  busy_timeout: z.coerce.number().int().min(0).max(600_000).optional(),
});

/** Parses and validates a SQLite URL, or throws INVALID_DATABASE_URL listing the accepted forms. */
export function parseSqliteUrl(url: string, cwd: string = process.cwd()): SqliteConfig {
  const problem = (why: string) =>
    new DatabaseUrlError(
      "INVALID_DATABASE_URL",
      `Invalid SQLite URL "${redactUrl(String(url))}": ${why}.\nAccepted forms:\n  ${SQLITE_URL_FORMS.join("\n  ")}`,
      { details: { accepted: [...SQLITE_URL_FORMS] } },
    );
  if (typeof url !== "string" || !url.startsWith("sqlite://")) throw problem('it must start with "sqlite://"');
  const rest = url.slice("sqlite://".length);
  const queryAt = rest.indexOf("?");
  const rawPath = queryAt === -1 ? rest : rest.slice(0, queryAt);
  const query = queryAt === -1 ? "" : rest.slice(queryAt + 1);
  if (rawPath === "") throw problem("it names no file (use sqlite://:memory: for an in-memory database)");
  // Up to the first "/", query included: "sqlite://u:p?w@host/db" is a password too.
  const firstSegment = rest.split("/")[0] ?? "";
  if (firstSegment.includes("@")) throw problem("SQLite takes a file path, not a user, password or host");
  if (rawPath.includes("#")) throw problem('a "#" fragment is not allowed');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw problem("its path has an invalid %-escape");
  }
  if (decoded.includes("\0")) throw problem("its path contains a NUL character");
  const search = new URLSearchParams(query);
  const badName = queryParameterProblem(search, Object.keys(querySchema.shape));
  if (badName !== undefined) throw problem(badName);
  const params = querySchema.safeParse(Object.fromEntries(search));
  if (!params.success) throw problem(`bad query parameters (${z.prettifyError(params.error).replace(/\n/g, " ")})`);
  const filename = decoded === ":memory:" ? ":memory:" : path.resolve(cwd, decoded);
  if (filename !== ":memory:" && decoded.endsWith("/")) throw problem("its path is a directory, not a file");
  return {
    filename,
    synchronous: (params.data.synchronous?.toUpperCase() as "NORMAL" | "FULL" | undefined) ?? "NORMAL",
    busyTimeoutMs: params.data.busy_timeout ?? 5000,
  };
}
