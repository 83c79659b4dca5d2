// Numeric string ids shaped like the real platforms' (Facebook pages 15 digits, objects 18).
// The counter survives /_mock/reset on purpose: a client that kept an old id must never see
// it reused for a different object. `start` lets several mock processes that share one Loa
// database (test files, each with its own mocks) hand out disjoint ids; by default the ids,
// like the simulated engagement keyed on them, are the same in every run.
import { randomBytes } from 'node:crypto';

export interface IdSource {
  next(prefix: string, digits: number): string;
  token(prefix: string, bytes?: number): string;
}

export function createIdSource(start = 0): IdSource {
  let counter = start;
  return {
    next(prefix, digits) {
      counter += 1;
      const tail = String(counter);
      return prefix + tail.padStart(Math.max(digits - prefix.length, tail.length), '0');
    },
    token(prefix, bytes = 24) {
      return prefix + randomBytes(bytes).toString('base64url');
    },
  };
}
