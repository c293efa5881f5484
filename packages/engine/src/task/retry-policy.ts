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
