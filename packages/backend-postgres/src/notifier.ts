import { type FinalRunStatus, redactUrls, type StoreEvent } from "@cloacina/engine";
import pg from "pg";

const FINAL: ReadonlySet<string> = new Set(["Completed", "Failed", "Cancelled"]);

/**
 * One dedicated connection that LISTENs on the tenant's channel and turns notices into store
 * events. If the connection drops (a server restart, a terminated backend) it reconnects with
 * backoff and reports `reconnected`, since notices sent meanwhile are lost.
 */
export class Notifier {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #onEvent: (event: StoreEvent) => void;
  #client: pg.Client | undefined;
  #stopped = false;
  #retryMs = 100;
  #timer: NodeJS.Timeout | undefined;

  constructor(config: pg.ClientConfig, channel: string, onEvent: (event: StoreEvent) => void) {
    this.#config = config;
    this.#channel = channel;
    this.#onEvent = onEvent;
  }

  async start(): Promise<void> {
    await this.#connect();
  }

  async #connect(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on("notification", (message) => {
      if (message.channel === this.#channel && message.payload !== undefined) this.#deliver(message.payload);
    });
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    try {
      await client.connect();
      // The channel name is built from a validated schema name: safe as an identifier.
      await client.query(`LISTEN ${client.escapeIdentifier(this.#channel)}`);
    } catch (error) {
      // Connected but could not LISTEN (or half-connected): close it, the caller tries again.
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#stopped) {
      // stop() ran while this (re)connection was being made: do not leak it.
      client.removeAllListeners("end");
      await client.end().catch(() => {});
      return;
    }
    this.#client = client;
    this.#retryMs = 100;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#stopped) return;
    this.#client = undefined;
    client.removeAllListeners("end");
    void client.end().catch(() => {});
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#connect().then(
        () => this.#onEvent({ type: "reconnected" }),
        (error: unknown) => {
          this.#retryMs = Math.min(this.#retryMs * 2, 5000);
          if (process.env.CLOACINA_DEBUG)
            console.error(redactUrls(`[cloacina] LISTEN reconnect failed: ${String(error)}`));
          this.#scheduleReconnect();
        },
      );
    }, this.#retryMs);
    this.#timer.unref();
  }

  #deliver(payload: string): void {
    const [kind, ...rest] = payload.split(":");
    if (kind === "ready") {
      this.#onEvent({ type: "ready", from: rest.join(":") });
    } else if (kind === "finished" && rest.length >= 2 && FINAL.has(rest[0]!)) {
      this.#onEvent({ type: "finished", status: rest[0] as FinalRunStatus, runId: rest.slice(1).join(":") });
    } else if (kind === "cancelled") {
      this.#onEvent({ type: "cancelled", runId: rest.join(":") });
    } else if (kind === "events") {
      this.#onEvent({ type: "events" });
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    if (client) {
      client.removeAllListeners("end");
      await client.end().catch(() => {});
    }
  }
}

/** A notice as a NOTIFY payload ("ready:<owner>", "finished:<status>:<run>", …), read back by `#deliver`. */
export function encodeNotice(notice: StoreEvent): string {
  switch (notice.type) {
    case "ready":
      return `ready:${notice.from}`;
    case "finished":
      return `finished:${notice.status}:${notice.runId}`;
    case "cancelled":
      return `cancelled:${notice.runId}`;
    case "events":
      return "events:";
    case "reconnected":
      return "reconnected:";
  }
}
