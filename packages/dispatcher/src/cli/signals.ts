/**
 * Stopping on SIGINT (Ctrl-C) or SIGTERM (a process manager). The first signal asks for a
 * graceful stop; a second one exits at once, for when draining takes too long.
 */
import { EXIT } from "./errors.js";

export interface StopSignal {
  /** Resolves with the first signal received. */
  readonly received: Promise<NodeJS.Signals>;
  /** Stops listening (the default behaviour of the signals comes back). */
  dispose(): void;
}

export function listenForStop(): StopSignal {
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((r) => (resolve = r));
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (++count > 1) {
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(EXIT.interrupted);
    }
    resolve(signal);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    received,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
