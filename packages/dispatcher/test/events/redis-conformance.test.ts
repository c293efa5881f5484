import { parsePostgresUrl, PostgresDriver } from "@cloacina/backend-postgres";
import { parseSqliteUrl, SqliteDriver } from "@cloacina/backend-sqlite";
import type { EventTransportFactory } from "@cloacina/engine/events";
import { type ConformanceTarget, runEventSuite } from "@cloacina/engine/conformance";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe } from "vitest";
import { dropSchema, freshSchema, skipPostgres } from "../../../backend-postgres/test/pg-test-db.js";
import { redisTransport } from "../../src/events/redis-transport.js";
import { deleteStreams, freshStream, skipRedis } from "./redis-test-server.js";

/**
 * The live-event cases, with events travelling through Redis. The executors of one test share a
 * database and so one stream; each database gets a fresh stream key (tests run one at a time).
 */
function redisOn(target: Omit<ConformanceTarget, "createDatabase">, create: ConformanceTarget["createDatabase"]) {
  let url = "";
  const events: EventTransportFactory = (context) => redisTransport(url)(context);
  runEventSuite(
    {
      ...target,
      async createDatabase() {
        const database = await create();
        const stream = freshStream();
        url = stream.url;
        return {
          connect: () => database.connect(),
          dispose: async () => {
            await database.dispose();
            await deleteStreams([stream.key]);
          },
        };
      },
    },
    { name: "redis", events },
  );
}

describe.skipIf(skipRedis)("redis transport", () => {
  redisOn({ name: "sqlite" }, () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cloacina-redis-"));
    const url = `sqlite://${dir}/test.db`;
    return Promise.resolve({
      connect: () => Promise.resolve(new SqliteDriver(parseSqliteUrl(url))),
      dispose: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    });
  });

  describe.skipIf(skipPostgres)("on postgres", () => {
    redisOn({ name: "postgres" }, () => {
      const { schema, url } = freshSchema("redis");
      return Promise.resolve({
        connect: () => Promise.resolve(new PostgresDriver(parsePostgresUrl(url))),
        dispose: () => dropSchema(schema),
      });
    });
  });
});
