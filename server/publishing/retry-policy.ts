// When to try again after a failed attempt: exponential backoff with full jitter for transient
// failures (bounded), the platform's own wait for rate limits, never for permanent ones.
import type { ConnectorError } from '../connectors/index.ts';

export interface RetrySettings {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_RETRY: RetrySettings = {
  maxAttempts: 6,
  backoffBaseMs: 2_000,
  backoffMaxMs: 5 * 60_000,
};

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: string };

/** `attempt` is the number of the attempt that just failed (1-based). */
export function decideRetry(
  failure: ConnectorError,
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.kind === 'rejected' || failure.kind === 'auth_expired')
    return { retry: false, reason: failure.message };
  if (attempt >= settings.maxAttempts) {
    return { retry: false, reason: `gave up after ${attempt} attempts: ${failure.message}` };
  }
  if (failure.kind === 'rate_limited') {
    // The platform's wait, plus a little jitter so a page's queue does not stampede back at once.
    return { retry: true, delayMs: Math.round(failure.retryAfterMs * (1 + 0.1 * random())) };
  }
  const ceiling = Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** (attempt - 1));
  // Half fixed, half random ("equal jitter"): never a zero wait, never in lockstep.
  return { retry: true, delayMs: Math.round(ceiling / 2 + (ceiling / 2) * random()) };
}
