/**
 * Every PostgreSQL migration of a tenant schema, in the order they run. Each is a frozen file of
 * its own: once shipped, never edited. To change the schema, add `NNNN-name.ts` with the next
 * number (its DDL written out, importing nothing from the engine), list it last here, and update
 * the conformance suite's schema spec and this package's schema snapshot (test/migrations.test.ts).
 */
import type { Migration } from "kysely";
import { initial } from "./0001-initial.js";
import { events } from "./0002-events.js";
import { waiting } from "./0003-waiting.js";
import { maps } from "./0004-maps.js";

export function migrations(schema: string): Record<string, Migration> {
  return {
    "0001_initial": initial(schema),
    "0002_events": events(schema),
    "0003_waiting": waiting(schema),
    "0004_maps": maps(schema),
  };
}
