/** Following the API's event stream (`GET /api/events`), with polling while the stream is down. */
import { base, setLive } from "./page.js";
import type { EventView } from "./wire.js";

const POLL_MS = 2000;

/**
 * Follows `/api/events<query>`: `onEvent` gets each event, and `null` when the stream ends after a
 * run's final event. While the stream is down, `poll` is called every 2 s. Returns a stop function.
 */
export function follow(
  query: string,
  onEvent: (event: EventView | null) => void,
  poll?: () => void | Promise<void>,
): () => void {
  let es: EventSource | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let closed = false;
  const startPolling = () => {
    if (!timer && poll) timer = setInterval(() => void poll(), POLL_MS);
  };
  const stopPolling = () => {
    if (timer) {
      clearInterval(timer);
      timer = null;
    }
  };
  try {
    const source = new EventSource(base + "/api/events" + query);
    es = source;
    source.addEventListener("open", () => {
      setLive("on", "live");
      stopPolling();
    });
    source.addEventListener("message", (m) => {
      try {
        onEvent(JSON.parse(m.data as string) as EventView);
      } catch (e) {
        console.error(e);
      }
    });
    source.addEventListener("end", () => {
      source.close();
      setLive("", "finished");
      onEvent(null);
    });
    source.addEventListener("failure", () => {
      setLive("off", "polling");
      startPolling();
    });
    source.addEventListener("error", () => {
      if (closed) return;
      setLive("off", source.readyState === EventSource.CLOSED ? "polling" : "reconnecting");
      startPolling();
    });
  } catch {
    setLive("off", "polling");
    startPolling();
  }
  return () => {
    closed = true;
    if (es) es.close();
    stopPolling();
  };
}
