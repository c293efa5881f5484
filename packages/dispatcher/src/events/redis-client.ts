/**
 * The few things the Redis transport needs from node-redis, loaded only when a Redis URL is used
 * (`redis` is an optional peer dependency). Commands go through `sendCommand` with RESP2 replies,
 * so this file is the only one that knows node-redis' API, and no node-redis type leaks into
 * cloacina's declarations.
 */
import { createHash } from "node:crypto";
import { ExecutorError, redactUrls } from "@cloacina/engine";
import { isMissingPackage } from "../missing-package.js";

export type Reply = string | number | null | Reply[];

/** One connection. A blocking command (XREAD BLOCK) holds it: subscribers each get their own. */
export interface RedisConnection {
  send(args: readonly string[]): Promise<Reply>;
  /** Runs a Lua script by its hash, sending its text only the first time a server lacks it. */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<Reply>;
  /** A new connection to the same server, connected. */
  duplicate(): Promise<RedisConnection>;
  /** Ends the connection now; a command it is blocked in rejects. */
  destroy(): void;
}

export interface LuaScript {
  source: string;
  sha: string;
}

export function lua(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

interface NodeRedisClient {
  connect(): Promise<unknown>;
  sendCommand(args: readonly string[]): Promise<unknown>;
  duplicate(): NodeRedisClient;
  destroy(): void;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

interface NodeRedisModule {
  createClient(options: {
    url: string;
    RESP: 2;
    socket: { connectTimeout: number; reconnectStrategy: (retries: number, cause: Error) => number | Error };
  }): NodeRedisClient;
}

async function loadRedis(): Promise<NodeRedisModule> {
  let loaded: unknown;
  try {
    loaded = await import("redis");
  } catch (error) {
    if (isMissingPackage(error, "redis")) {
      throw new ExecutorError(
        "EVENTS_TRANSPORT_FAILED",
        'The Redis events transport needs the "redis" package (node-redis), which is not installed. Run: npm install redis',
        { cause: error, details: { packageName: "redis" } },
      );
    }
    throw new ExecutorError(
      "EVENTS_TRANSPORT_FAILED",
      `The "redis" package is installed but failed to load: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const createClient = (loaded as { createClient?: unknown }).createClient;
  if (typeof createClient !== "function") {
    throw new ExecutorError(
      "EVENTS_TRANSPORT_FAILED",
      'The installed "redis" package has no createClient(); the Redis events transport needs redis (node-redis) 5 or later.',
    );
  }
  return loaded as NodeRedisModule;
}

/**
 * Connects to `url`. A first connection that fails is an error at once (the executor does not
 * open); once connected, a dropped connection is retried with backoff and reported to `onError`.
 */
export async function connectRedis(
  url: string,
  display: string,
  onError: (error: unknown) => void,
): Promise<RedisConnection> {
  const redis = await loadRedis();
  const open = async (): Promise<RedisConnection> => {
    let connected = false;
    const client = redis.createClient({
      url,
      // Reply shapes as this file expects them, whatever a node-redis version defaults to.
      RESP: 2,
      socket: {
        connectTimeout: 5000,
        reconnectStrategy: (retries, cause) => (connected ? Math.min(50 * 2 ** retries, 2000) : cause),
      },
    });
    let lastReported = "";
    client.on("error", (error) => {
      if (!connected) return; // the rejected connect() reports it
      // A server that is down says so on every retry: report each distinct problem once in a row.
      const text = String(error);
      if (text === lastReported) return;
      lastReported = text;
      onError(
        new ExecutorError("EVENTS_TRANSPORT_FAILED", `Redis events transport (${display}): ${text}`, { cause: error }),
      );
    });
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new ExecutorError(
        "EVENTS_TRANSPORT_FAILED",
        `Cannot connect to Redis at ${display} for live events: ${redactUrls(String(error))}`,
        { cause: error },
      );
    }
    connected = true;
    return wrap(client, open);
  };
  return open();
}

function wrap(client: NodeRedisClient, open: () => Promise<RedisConnection>): RedisConnection {
  const send = (args: readonly string[]) => client.sendCommand(args) as Promise<Reply>;
  return {
    send,
    async run(script, keys, args) {
      const rest = [String(keys.length), ...keys, ...args];
      try {
        return await send(["EVALSHA", script.sha, ...rest]);
      } catch (error) {
        if (!String(error).includes("NOSCRIPT")) throw error;
        return send(["EVAL", script.source, ...rest]);
      }
    },
    duplicate: open,
    destroy: () => client.destroy(),
  };
}
