/**
 * `cloacina`: what users import. The engine's API, plus `createExecutor(url)`, which finds the
 * installed backend for the URL's scheme.
 */
export * from "@cloacina/engine";
export { createExecutor, discoverBackend, type CreateExecutorOptions } from "./create-executor.js";
export { redisTransport, type RedisTransportOptions } from "./events/redis-transport.js";
