import type { EventStream } from "./event.js";

/** A transport's open subscriptions, so that closing the transport ends every one of them. */
export class OpenStreams {
  readonly #streams = new Set<EventStream>();

  /** Keeps `stream` until it closes (by `close()`, `break`, or `closeAll()`). */
  add<S extends EventStream>(stream: S): S {
    this.#streams.add(stream);
    const close = stream.close.bind(stream);
    stream.close = async () => {
      this.#streams.delete(stream);
      await close();
    };
    return stream;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#streams].map((s) => s.close()));
  }
}
