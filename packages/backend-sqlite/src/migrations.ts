import { createTables } from "@cloacina/engine";
import type { Kysely, Migration, MigrationProvider } from "kysely";

/** Migrations, in code so they ship inside the package. Never edit one that has shipped: add one. */
const migrations: Record<string, Migration> = {
  "0001_initial": { up: (db: Kysely<any>) => createTables(db, "integer") },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
