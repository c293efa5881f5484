import type { Database as SqliteDatabase, Statement } from "better-sqlite3";
import type { Compilable } from "kysely";

/**
 * A kysely query compiled once into a better-sqlite3 prepared statement.
 *
 * The query is built with sentinel strings in place of its arguments; the compiled parameter list
 * then tells, slot by slot, which argument (or which constant of the query) goes where. Hot
 * queries thus pay neither kysely's build and compile nor SQLite's parse on every call, and all
 * SQL is still written with kysely.
 */
export interface Prepared<Args extends unknown[]> {
  run(...args: Args): { changes: number };
  all<Row>(...args: Args): Row[];
  get<Row>(...args: Args): Row | undefined;
}

type Slot = { arg: number } | { value: unknown };

export function prepare<Args extends unknown[]>(
  sqlite: SqliteDatabase,
  arity: Args["length"],
  build: (...placeholders: any[]) => Compilable,
): Prepared<Args> {
  const sentinels = Array.from({ length: arity }, (_, i) => `\u0000cloacina-arg-${i}\u0000`);
  const compiled = build(...sentinels).compile();
  const slots: Slot[] = compiled.parameters.map((value) => {
    const arg = sentinels.indexOf(value as string);
    return arg === -1 ? { value } : { arg };
  });
  const statement: Statement = sqlite.prepare(compiled.sql);
  const bind = (args: unknown[]) => slots.map((slot) => ("arg" in slot ? args[slot.arg] : slot.value));
  return {
    run: (...args) => statement.run(bind(args)),
    all: <Row>(...args: Args) => statement.all(bind(args)) as Row[],
    get: <Row>(...args: Args) => statement.get(bind(args)) as Row | undefined,
  };
}
