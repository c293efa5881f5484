import type { RetryPolicy } from "./task-options.js";

/**
 * Delay before the attempt after `failedAttempt` (1-based), or `undefined` when no attempt is left.
 * `random` is injectable so tests are deterministic.
 */
export function retryDelay(
  policy: RetryPolicy,
  failedAttempt: number,
  random: () => number = Math.random,
): number | undefined {
  if (failedAttempt >= policy.maxAttempts) return undefined;
  const base =
    policy.backoff === "fixed"
      ? policy.delayMs
      : Math.min(policy.maxDelayMs, policy.delayMs * 2 ** (failedAttempt - 1));
  if (policy.jitter === 0) return base;
  const spread = base * policy.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(base + spread));
}

/** Whether `thrown` may be retried under the policy's `when` (attempts are counted elsewhere). */
export function isRetryable(policy: RetryPolicy, thrown: unknown): boolean {
  const when = policy.when;
  if (when === "always") return true;
  if (when === "never") return false;
  const error = thrown as { name?: unknown; code?: unknown } | null | undefined;
  if (when.errors?.some((cls) => thrown instanceof cls)) return true;
  if (typeof error?.name === "string" && when.names?.includes(error.name)) return true;
  if (
    (typeof error?.code === "string" || typeof error?.code === "number") &&
    when.codes?.includes(String(error.code))
  ) {
    return true;
  }
  try {
    return when.predicate?.(thrown) === true;
  } catch {
    // A predicate that throws decides nothing: no retry, rather than a crashed scheduler.
    return false;
  }
}
