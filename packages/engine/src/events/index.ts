/**
 * `@cloacina/engine/events`: what an events transport author needs (the Redis transport of the
 * `cloacina` package is one): the log a transport relays, and the pieces every transport shares.
 */
export type { EventLog, EventTransport, EventTransportContext, EventTransportFactory } from "./transport.js";
export { endsRunStream, parseEventsOptions } from "./log-stream.js";
export { Doorbell } from "./doorbell.js";
export { OpenStreams } from "./open-streams.js";
