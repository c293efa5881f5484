/**
 * The real Redis server on this machine (../shared/services.md). Each test uses its own stream
 * key, deleted afterwards. Tests skip only when no server answers and neither
 * CLOACINA_REQUIRE_REDIS nor CLOACINA_REQUIRE_POSTGRES (which CI sets) is set; there they fail.
 */
import { randomUUID } from "node:crypto";
import { createClient } from "redis";

export const REDIS_HOST = process.env.CLOACINA_TEST_REDIS_URL ?? "redis://127.0.0.1:6379/0";

const newClient = () => createClient({ url: REDIS_HOST });
type Client = ReturnType<typeof newClient>;

async function probe(): Promise<string | undefined> {
  const client = createClient({ url: REDIS_HOST, socket: { connectTimeout: 3000, reconnectStrategy: false } });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.ping();
    return undefined;
  } catch (error) {
    return String(error);
  } finally {
    client.destroy();
  }
}

const unavailable = await probe();
if (unavailable && (process.env.CLOACINA_REQUIRE_REDIS || process.env.CLOACINA_REQUIRE_POSTGRES)) {
  throw new Error(`Redis is required (CLOACINA_REQUIRE_*) but ${REDIS_HOST} does not answer: ${unavailable}`);
}
/** True when the Redis tests must skip (no server, and not required). */
export const skipRedis = unavailable !== undefined;

/** A new stream key, and the transport URL that names it. */
export function freshStream(extra = ""): { key: string; url: string } {
  const key = `cloacina-test:${randomUUID()}`;
  return { key, url: `${REDIS_HOST}?stream=${key}${extra}` };
}

/** A plain client for assertions (XLEN, XINFO...); close it after. */
export async function redisClient(): Promise<Client> {
  const client = newClient();
  client.on("error", () => {});
  await client.connect();
  return client;
}

export async function deleteStreams(keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  const client = await redisClient();
  try {
    await client.del([...keys]);
  } finally {
    client.destroy();
  }
}
