// Health is polled by load balancers, uptime checkers and the start page, often many times a
// second; its probe (a database round trip) tells nothing new within a second. Every check in
// that second shares one probe, including the ones that arrive while it is still running.
import type { HealthService } from './health.service.ts';

export const HEALTH_CACHE_MS = 1_000;

export function withCachedCheck(
  service: HealthService,
  ttlMs = HEALTH_CACHE_MS,
  now: () => number = Date.now,
): HealthService {
  let cached: { at: number; result: ReturnType<HealthService['check']> } | undefined;
  return {
    ...service,
    check() {
      if (cached && now() - cached.at < ttlMs) return cached.result;
      const entry = { at: now(), result: service.check() };
      cached = entry;
      // A probe that threw is not kept: the next caller asks again.
      entry.result.catch(() => {
        if (cached === entry) cached = undefined;
      });
      return entry.result;
    },
  };
}
