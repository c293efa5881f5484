/** `fn` once, `ms` after the last of a burst of calls (events arrive in bursts; one refetch is enough). */
export function debounce(fn: () => void | Promise<void>, ms: number): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(() => void fn(), ms);
  };
}
