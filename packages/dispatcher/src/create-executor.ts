import {
  type Backend,
  BackendNotInstalledError,
  CloacinaError,
  DatabaseUrlError,
  type Executor,
  type ExecutorOptions,
  redactUrl,
  ValidationError,
} from "@cloacina/engine";
import { createExecutorWith, isBackend, requireUrl } from "@cloacina/engine/store";
import { KNOWN_BACKENDS } from "./backends.js";
import { redisTransport } from "./events/redis-transport.js";
import { isRedisUrl } from "./events/redis-url.js";
import { isMissingPackage } from "./missing-package.js";

export interface CreateExecutorOptions extends Omit<ExecutorOptions, "events"> {
  /** Use this backend instead of discovering one by the URL's scheme. */
  backend?: Backend<any>;
  /**
   * How live events reach subscribers: "memory", "postgres", a Redis URL
   * (`"redis://host:6379/0?stream=cloacina:events"`, see docs/events-redis.md) or a transport factory.
   */
  events?: ExecutorOptions["events"] | `redis://${string}` | `rediss://${string}`;
}

/**
 * Opens an executor on the database a URL names. The backend is picked by the URL's scheme
 * among the installed backend packages; swapping databases is installing a package and changing
 * the URL.
 *
 * ```ts
 * const executor = await createExecutor("sqlite://./cloacina.db");
 * ```
 */
export async function createExecutor(url: string, options: CreateExecutorOptions = {}): Promise<Executor> {
  requireUrl(url);
  const { backend: explicit, events, ...rest } = options;
  const executorOptions: ExecutorOptions = { ...rest };
  if (events !== undefined) executorOptions.events = resolveEvents(events);
  const backend = explicit ?? (await discoverBackend(url));
  return createExecutorWith(backend, url, executorOptions);
}

/** A Redis URL becomes the Redis transport; any other string must be a built-in transport. */
function resolveEvents(events: NonNullable<CreateExecutorOptions["events"]>): ExecutorOptions["events"] {
  if (typeof events !== "string" || events === "memory" || events === "postgres") return events;
  if (isRedisUrl(events)) return redisTransport(events);
  throw new ValidationError(
    "INVALID_EVENTS_TRANSPORT",
    `Unknown events transport "${redactUrl(events)}". Accepted: "memory", "postgres", a Redis URL ` +
      `("redis://host:6379/0?stream=cloacina:events", or rediss:// for TLS) or a transport factory.`,
    { details: { accepted: ["memory", "postgres", "redis://…", "rediss://…", "a transport factory"] } },
  );
}

/** The installed backend for a URL's scheme (`backends` maps schemes to packages; for tests). */
export async function discoverBackend(url: string, backends = KNOWN_BACKENDS): Promise<Backend<unknown>> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  const accepted = Object.keys(backends).map((s) => `${s}://`);
  if (scheme === undefined) {
    throw new DatabaseUrlError(
      "INVALID_DATABASE_URL",
      `"${redactUrl(url)}" is not a database URL: it needs a scheme, one of ${accepted.join(", ")} (e.g. "sqlite://./cloacina.db").`,
      { details: { accepted } },
    );
  }
  const known = backends[scheme];
  if (!known) {
    throw new DatabaseUrlError(
      "UNSUPPORTED_DATABASE_SCHEME",
      `No Cloacina backend handles "${scheme}://" URLs. Supported schemes: ${accepted.join(", ")}.`,
      { details: { scheme, accepted } },
    );
  }
  let loaded: unknown;
  try {
    loaded = await known.load();
  } catch (error) {
    if (isMissingPackage(error, known.packageName)) {
      throw new BackendNotInstalledError(
        "BACKEND_NOT_INSTALLED",
        `"${scheme}://" URLs need the ${known.packageName} package, which is not installed. Run: npm install ${known.packageName}`,
        { cause: error, details: { scheme, packageName: known.packageName } },
      );
    }
    throw new CloacinaError(
      "BACKEND_LOAD_FAILED",
      `${known.packageName} is installed but failed to load: ${String(error)}`,
      {
        cause: error,
      },
    );
  }
  const backend = (loaded as { backend?: unknown }).backend;
  if (!isBackend(backend) || !backend.schemes.includes(scheme)) {
    throw new CloacinaError(
      "INVALID_BACKEND",
      `${known.packageName} does not export a Cloacina backend for "${scheme}://" (expected \`export const backend\`). ` +
        `Check that its version matches cloacina's.`,
      { details: { packageName: known.packageName } },
    );
  }
  return backend;
}
