import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import type { Compilable } from "kysely";

/**
 * A kysely query compiled once into a better-sqlite3 prepared statement.
 *
 * The query is built with sentinel strings in place of its arguments; the compiled parameter list
 * then tells, slot by slot, which argument goes where (constants are inlined). Hot
 * queries thus pay neither kysely's build and compile nor SQLite's parse on every call, and all
 * SQL is still written with kysely.
 */
export interface Prepared<Args extends unknown[]> {
  /** Its SQL as prepared (for tests that read its query plan). */
  readonly source: string;
  run(...args: Args): { changes: number };
  all<Row>(...args: Args): Row[];
  get<Row>(...args: Args): Row | undefined;
}

export function prepare<Args extends unknown[]>(
  sqlite: SqliteDatabase,
  arity: Args["length"],
  build: (...placeholders: any[]) => Compilable,
): Prepared<Args> {
  const sentinels = Array.from({ length: arity }, (_, i) => `\u0000cloacina-arg-${i}\u0000`);
  const compiled = build(...sentinels).compile();
  // Constants of the query ('Ready', 1...) are written into the SQL rather than bound: SQLite
  // can then match them against partial indexes (WHERE status = 'Ready') when it plans.
  const pieces = compiled.sql.split("?");
  if (pieces.length !== compiled.parameters.length + 1) throw new Error(`Unexpected "?" in ${compiled.sql}`);
  const argOrder: number[] = [];
  let text = pieces[0]!;
  compiled.parameters.forEach((value, i) => {
    const arg = sentinels.indexOf(value as string);
    if (arg === -1) {
      text += literal(value);
    } else {
      argOrder.push(arg);
      text += "?";
    }
    text += pieces[i + 1]!;
  });
  const statement: Statement = sqlite.prepare(text);
  const bind = (args: unknown[]) => argOrder.map((i) => args[i]);
  return {
    source: text,
    run: (...args) => statement.run(bind(args)),
    all: <Row>(...args: Args) => statement.all(bind(args)) as Row[],
    get: <Row>(...args: Args) => statement.get(bind(args)) as Row | undefined,
  };
}

function literal(value: unknown): string {
  if (value === null) return "NULL";
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  throw new Error(`Cannot inline a constant of type ${typeof value} into a prepared statement`);
}
