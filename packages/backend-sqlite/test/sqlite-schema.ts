/**
 * Reads a SQLite database's schema back (test code): every table's columns and indexes as SQLite
 * reports them, and the names-only shape the conformance suite checks.
 */
import type { SchemaShape } from "@cloacina/engine/conformance";
import BetterSqlite3 from "better-sqlite3";

export interface SqliteSchema {
  tables: Record<
    string,
    {
      /** The CREATE TABLE statement, spaces collapsed. */
      sql: string;
      columns: { name: string; type: string; notnull: number; dflt_value: string | null; pk: number }[];
      indexes: {
        name: string;
        unique: number;
        /** "c" made by CREATE INDEX, "pk" / "u" made for a PRIMARY KEY / UNIQUE constraint. */
        origin: string;
        partial: number;
        columns: string[];
        /** The CREATE INDEX statement, with its partial-index predicate (null for implicit ones). */
        sql: string | null;
      }[];
      foreignKeys: unknown[];
    }
  >;
}

/** The full schema of the database file (tables SQLite keeps for itself left out). */
export function readSqliteSchema(filename: string): SqliteSchema {
  const db = new BetterSqlite3(filename, { readonly: true });
  try {
    const tables = db
      .prepare(
        "select name, sql from sqlite_master where type = 'table' and name not like 'sqlite\\_%' escape '\\' order by name",
      )
      .all() as { name: string; sql: string }[];
    const indexSql = db.prepare("select sql from sqlite_master where type = 'index' and name = ?").pluck();
    const schema: SqliteSchema = { tables: {} };
    for (const { name: table, sql } of tables) {
      const indexes = (
        db.pragma(`index_list("${table}")`) as { name: string; unique: number; origin: string; partial: number }[]
      )
        .map(({ name, unique, origin, partial }) => ({
          name,
          unique,
          origin,
          partial,
          columns: (db.pragma(`index_info("${name}")`) as { seqno: number; name: string }[])
            .sort((a, b) => a.seqno - b.seqno)
            .map((c) => c.name),
          sql: (indexSql.get(name) as string | null | undefined) ?? null,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
      schema.tables[table] = {
        sql: sql.replace(/\s+/g, " "),
        columns: db.pragma(`table_info("${table}")`) as SqliteSchema["tables"][string]["columns"],
        indexes,
        foreignKeys: db.pragma(`foreign_key_list("${table}")`) as unknown[],
      };
    }
    return schema;
  } finally {
    db.close();
  }
}

/** Table, column and index names: the shape every backend shares (implicit key indexes left out). */
export function sqliteSchemaShape(filename: string): SchemaShape {
  const { tables } = readSqliteSchema(filename);
  return {
    tables: Object.fromEntries(
      Object.entries(tables).map(([name, t]) => [
        name,
        {
          columns: t.columns.map((c) => c.name),
          indexes: t.indexes.filter((i) => i.origin === "c").map((i) => i.name),
        },
      ]),
    ),
  };
}
