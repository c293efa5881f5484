/**
 * `fn` once, `ms` after the last of a burst of calls (events arrive in bursts; one refetch is
 * enough), and, with `maxWaitMs`, at least that often while calls keep coming without a pause.
 */
export function debounce(fn: () => void | Promise<void>, ms: number, maxWaitMs?: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let since: number | undefined;
  return () => {
    clearTimeout(timer);
    since ??= Date.now();
    const wait = maxWaitMs === undefined ? ms : Math.max(0, Math.min(ms, since + maxWaitMs - Date.now()));
    timer = setTimeout(() => {
      since = undefined;
      void fn();
    }, wait);
  };
}
