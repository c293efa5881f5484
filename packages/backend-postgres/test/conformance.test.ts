import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { runConformanceSuite } from "@cloacina/engine/conformance";
import { describe } from "vitest";
import { dropSchema, freshSchema, skipPostgres } from "./pg-test-db.js";

// Every store behaviour, on the real server: one fresh tenant schema per test.
describe.skipIf(skipPostgres)("postgres", () => {
  runConformanceSuite({
    name: "postgres",
    eventTransports: [
      { name: "postgres", events: "postgres" },
      { name: "memory", events: "memory" },
    ],
    async createDatabase() {
      const { schema, url } = freshSchema("conf");
      return {
        connect: () => Promise.resolve(new PostgresDriver(parsePostgresUrl(url))),
        dispose: () => dropSchema(schema),
      };
    },
  });
});
