/**
 * A timed wait that a ring ends early, for loops that read the event log (subscribers, relays):
 * `rung` remembers a ring that came while the loop was busy, so the next pass reads again at once.
 */
export class Doorbell {
  /** Set by `ring()`; the loop clears it before each read. Starts set: read at once. */
  rung = true;
  #wake: (() => void) | undefined;

  /** Something may have changed: end the wait, and remember it. */
  ring(): void {
    this.rung = true;
    this.#wake?.();
  }

  /** End the wait without a ring (the loop is closing). */
  interrupt(): void {
    this.#wake?.();
  }

  /** Resolves after `ms`, or as soon as `ring()` or `interrupt()` is called. */
  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.#wake === done) this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
