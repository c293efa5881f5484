import { parsePostgresUrl, POSTGRES_URL_FORMS } from "@cloacina/backend-postgres";
import { parseSqliteUrl, SQLITE_URL_FORMS } from "@cloacina/backend-sqlite";
import { createExecutor, redactUrl } from "cloacina";
import fc from "fast-check";
import { describe, expect, test } from "vitest";

/**
 * Whatever a database URL looks like, a password typed in it never reaches an error: not its
 * message, stack, details or own properties, nor anything down its cause chain.
 */

// Everything printable a password may hold, "@", ":", "/", "?", "#" and white space included.
const passwordChar = fc.constantFrom(..."abcXYZ019/:?#@%&=+!$*;,.~'\"()[]{}<>|\\^` \t-_");
const HELP = [...SQLITE_URL_FORMS, ...POSTGRES_URL_FORMS].join("\n");
const password = fc
  .string({ unit: passwordChar, minLength: 8, maxLength: 20 })
  // An upper-case letter sets it apart from the (lower-case) user and host around it.
  .map((s) => `${s.slice(0, 4)}X${s.slice(4)}`)
  // "user://pw@host" is a URL whose user is "pw": no reading of it can tell.
  .filter((pw) => !pw.startsWith("//") && !HELP.includes(pw));
const user = fc.stringMatching(/^[a-z0-9._-]{0,6}$/);
const host = fc.constantFrom("h", "db.internal", "127.0.0.1", "[::1]", "");
const scheme = fc.constantFrom("postgres", "postgresql", "POSTGRES", "sqlite", "redis", "mysql", "");
const rest = fc.constantFrom("", "/db", ":5432/db", "/db?schema=a", "/db?sslmode=require&max=3", "/a/b", "/db#x");

type Parts = { scheme: string; user: string; pw: string; host: string; rest: string };
/** Well-formed and malformed places for user:password@. */
const SHAPES: ((p: Parts) => string)[] = [
  (p) => `${p.scheme}://${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}:/${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}:${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `://${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}//${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}:///${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}:\\\\${p.user}:${p.pw}@${p.host}${p.rest}`,
  (p) => `${p.scheme}://${p.user}:${p.pw}@`,
  (p) => `${p.scheme}://${p.user}:${p.pw}@${p.host}@${p.host}${p.rest}`,
  (p) => `${p.scheme}://${p.user}:${p.pw}@${p.host}${p.rest}?application_name=me@home`,
  (p) => `  ${p.scheme}://${p.user}:${p.pw}@${p.host}${p.rest}  `,
  (p) => `${p.scheme} :// ${p.user}:${p.pw}@${p.host}${p.rest}`,
];
const url = fc
  .record({ scheme, user, pw: password, host, rest, shape: fc.nat(SHAPES.length - 1) })
  .map(({ shape, ...parts }) => ({ pw: parts.pw, url: SHAPES[shape]!(parts) }));

/** Every text an error carries, down its cause chain. */
function texts(error: unknown, depth = 0): string[] {
  if (typeof error !== "object" || error === null || depth > 10) return [String(error)];
  const e = error as Error & { details?: unknown };
  const own = Object.fromEntries(
    Object.getOwnPropertyNames(e).map((k) => [k, (e as unknown as Record<string, unknown>)[k]]),
  );
  return [
    String(e.message),
    String(e.stack),
    JSON.stringify(e.details ?? null),
    JSON.stringify(own, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
    String(e),
    ...(e.cause === undefined ? [] : texts(e.cause, depth + 1)),
  ];
}

function expectNoPassword(error: unknown, pw: string): void {
  for (const text of texts(error)) expect(text).not.toContain(pw);
}

function thrownBy(f: () => unknown): unknown {
  try {
    return f();
  } catch (error) {
    return error;
  }
}

describe("no password from a database URL reaches an error, whatever the URL looks like", () => {
  test.each([
    "postgres:/u:S3cr3tPw@h",
    "postgres:u:S3cr3tPw@h/db",
    "://u:S3cr3tPw@x",
    "postgres//u:S3cr3tPw@h/db",
    "sqlite:/u:S3cr3tPw@h/app.db",
    "u:S3cr3tPw@h/db",
  ])("%s, through createExecutor and each backend's parser", async (bad) => {
    const error = await createExecutor(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "INVALID_DATABASE_URL" });
    expectNoPassword(error, "S3cr3tPw");
    expectNoPassword(
      thrownBy(() => parsePostgresUrl(bad)),
      "S3cr3tPw",
    );
    expectNoPassword(
      thrownBy(() => parseSqliteUrl(bad)),
      "S3cr3tPw",
    );
  });

  test.each([
    ["postgres://u:1234?S3cr3tTail@h/db", parsePostgresUrl],
    ["sqlite://u:pw?S3cr3tTail@h/app.db", parseSqliteUrl],
    ["postgres://h/db?u:S3cr3tTail@x=1", parsePostgresUrl],
  ])("%s: no part of a password cut by a '?' is echoed as a parameter name", (bad, parse) => {
    const error = thrownBy(() => parse(bad));
    expect(error).toMatchObject({ code: "INVALID_DATABASE_URL" });
    expectNoPassword(error, "S3cr3tTail");
  });

  test("each backend's parser (property)", () => {
    fc.assert(
      fc.property(url, ({ url, pw }) => {
        expect(redactUrl(url)).not.toContain(pw);
        for (const parse of [parsePostgresUrl, parseSqliteUrl]) {
          const outcome = thrownBy(() => parse(url));
          if (outcome instanceof Error) expectNoPassword(outcome, pw);
          else expect(JSON.stringify((outcome as { display?: string }).display ?? "")).not.toContain(pw);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("createExecutor (property)", async () => {
    // "bogus=1" keeps every URL from opening anything: an unknown parameter is refused by both
    // backends, and the rest fail earlier (no scheme, unknown scheme, malformed).
    await fc.assert(
      fc.asyncProperty(url, async ({ url, pw }) => {
        const error = await createExecutor(`${url}${url.includes("?") ? "&" : "?"}bogus=1`).then(
          () => new Error(`opened ${url}`),
          (e: unknown) => e,
        );
        expect(error).toMatchObject({
          code: expect.stringMatching(/^(INVALID_DATABASE_URL|UNSUPPORTED_DATABASE_SCHEME)$/),
        });
        expectNoPassword(error, pw);
      }),
      { numRuns: 500 },
    );
  });
});
