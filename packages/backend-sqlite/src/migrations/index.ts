/**
 * Every SQLite migration, in the order they run. Each is a frozen file of its own: once shipped,
 * never edited. To change the schema, add `NNNN-name.ts` with the next number (its DDL written
 * out, importing nothing from the engine), list it last here, and update the conformance suite's
 * schema spec and this package's schema snapshot (test/migrations.test.ts).
 */
import type { Migration } from "kysely";
import { initial } from "./0001-initial.js";
import { events } from "./0002-events.js";
import { waiting } from "./0003-waiting.js";
import { maps } from "./0004-maps.js";

export const migrations: Readonly<Record<string, Migration>> = {
  "0001_initial": initial,
  "0002_events": events,
  "0003_waiting": waiting,
  "0004_maps": maps,
};
