import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { runConformanceSuite } from "@cloacina/engine/conformance";
import { describe } from "vitest";
import { pgSchemaShape } from "./pg-schema.js";
import { dropSchema, freshSchema, skipPostgres } from "./pg-test-db.js";

// Every store behaviour, on the real server: one fresh tenant schema per test.
describe.skipIf(skipPostgres)("postgres", () => {
  runConformanceSuite({
    name: "postgres",
    eventTransports: [
      { name: "postgres", events: "postgres" },
      { name: "memory", events: "memory" },
    ],
    schemaAdditions: [
      {
        reason: "an event's log position is (tx, id): tx is its transaction's id, so readers never skip a late commit",
        tables: { cloacina_events: { columns: ["tx"] } },
      },
    ],
    async createDatabase() {
      const { schema, url } = freshSchema("conf");
      return {
        connect: () => Promise.resolve(new PostgresDriver(parsePostgresUrl(url))),
        dispose: () => dropSchema(schema),
        describeSchema: () => pgSchemaShape(schema),
      };
    },
  });
});
