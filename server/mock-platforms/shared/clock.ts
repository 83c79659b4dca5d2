// The mocks' simulated time: real time plus an offset that the control plane moves forward.
// Everything time-based in the mocks (token expiry, engagement, scheduled posts, the Zalo night
// window) reads this clock, so a test can jump days ahead without waiting.

export interface MockClock {
  /** Simulated now, epoch milliseconds. */
  now(): number;
  offsetMs(): number;
  /** Moves simulated time forward and tells every listener (scheduled posts, webhooks). */
  advance(seconds: number): void;
  reset(): void;
  onAdvance(listener: () => void): () => void;
}

export function createClock(realNow: () => number = Date.now): MockClock {
  let offset = 0;
  const listeners = new Set<() => void>();
  return {
    now: () => realNow() + offset,
    offsetMs: () => offset,
    advance(seconds) {
      offset += Math.round(seconds * 1000);
      for (const listener of listeners) listener();
    },
    reset() {
      offset = 0;
    },
    onAdvance(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
