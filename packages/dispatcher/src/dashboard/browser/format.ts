/** Durations and times as the page prints them. */

export function fmtDuration(ms: number | undefined | null): string {
  if (ms === undefined || ms === null) return "";
  if (ms < 1000) return Math.round(ms) + " ms";
  if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 2 : 1) + " s";
  const m = Math.floor(ms / 60000);
  const sec = Math.round((ms % 60000) / 1000);
  if (m < 60) return m + "m " + sec + "s";
  return Math.floor(m / 60) + "h " + (m % 60) + "m";
}

/** A local date and time with seconds; "" without a time. */
export function fmtTime(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString(undefined, {
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
}

/** "just now", "5 min ago", "3 h ago", "2 d ago". */
export function ago(iso: string): string {
  const ms = Date.now() - new Date(iso).getTime();
  if (ms < 45000) return "just now";
  if (ms < 3600000) return Math.round(ms / 60000) + " min ago";
  if (ms < 86400000) return Math.round(ms / 3600000) + " h ago";
  return Math.round(ms / 86400000) + " d ago";
}

/** A finished run's duration, or how long a running one has run so far. */
export function elapsed(run: { durationMs?: number; createdAt: string }): number {
  if (run.durationMs !== undefined) return run.durationMs;
  return Date.now() - new Date(run.createdAt).getTime();
}
