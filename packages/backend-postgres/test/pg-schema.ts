/**
 * Reads a tenant schema back (test code): columns from information_schema, index definitions from
 * pg_indexes and constraints from pg_constraint, with the schema's own name written as "<schema>"
 * so that two schemas compare equal; and the names-only shape the conformance suite checks.
 */
import type { SchemaShape } from "@cloacina/engine/conformance";
import { admin } from "./pg-test-db.js";

export interface PgSchema {
  tables: Record<
    string,
    {
      columns: {
        name: string;
        type: string;
        nullable: string;
        default: string | null;
        identity: string | null;
      }[];
      /** Index name → its definition (CREATE INDEX ..., with the partial-index predicate). */
      indexes: Record<string, string>;
      /** Constraint name → its definition (PRIMARY KEY (...), ...). */
      constraints: Record<string, string>;
    }
  >;
}

/** The full description of a tenant schema's tables. */
export async function readPgSchema(schema: string): Promise<PgSchema> {
  const anon = (text: string) => text.replaceAll(`${schema}.`, "<schema>.");
  const columns = await admin<{
    table_name: string;
    column_name: string;
    data_type: string;
    is_nullable: string;
    column_default: string | null;
    identity_generation: string | null;
  }>(
    `select table_name, column_name, data_type, is_nullable, column_default, identity_generation
       from information_schema.columns where table_schema = $1 order by table_name, ordinal_position`,
    [schema],
  );
  const indexes = await admin<{ tablename: string; indexname: string; indexdef: string }>(
    "select tablename, indexname, indexdef from pg_indexes where schemaname = $1 order by indexname",
    [schema],
  );
  const constraints = await admin<{ table_name: string; conname: string; def: string }>(
    `select r.relname as table_name, c.conname, pg_get_constraintdef(c.oid) as def
       from pg_constraint c join pg_class r on r.oid = c.conrelid join pg_namespace n on n.oid = r.relnamespace
      where n.nspname = $1 order by c.conname`,
    [schema],
  );
  const result: PgSchema = { tables: {} };
  const table = (name: string) => (result.tables[name] ??= { columns: [], indexes: {}, constraints: {} });
  for (const c of columns) {
    table(c.table_name).columns.push({
      name: c.column_name,
      type: c.data_type,
      nullable: c.is_nullable,
      default: c.column_default === null ? null : anon(c.column_default),
      identity: c.identity_generation,
    });
  }
  for (const i of indexes) table(i.tablename).indexes[i.indexname] = anon(i.indexdef);
  for (const c of constraints) table(c.table_name).constraints[c.conname] = anon(c.def);
  return result;
}

/** Table, column and index names (indexes behind a primary key or unique constraint left out). */
export async function pgSchemaShape(schema: string): Promise<SchemaShape> {
  const { tables } = await readPgSchema(schema);
  return {
    tables: Object.fromEntries(
      Object.entries(tables).map(([name, t]) => [
        name,
        {
          columns: t.columns.map((c) => c.name),
          indexes: Object.keys(t.indexes).filter((i) => !(i in t.constraints)),
        },
      ]),
    ),
  };
}
