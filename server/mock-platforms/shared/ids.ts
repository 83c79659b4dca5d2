// Numeric string ids shaped like the real platforms' (Facebook pages 15 digits, objects 18).
// The counter survives /_mock/reset on purpose: a client that kept an old id must never see
// it reused for a different object. It starts at a random point for the same reason across
// restarts: Loa's database outlives a mock process, and a Page id it stored must not come back
// as another Page (the real platforms never reuse ids either).
import { randomBytes, randomInt } from 'node:crypto';

export interface IdSource {
  next(prefix: string, digits: number): string;
  token(prefix: string, bytes?: number): string;
}

export function createIdSource(): IdSource {
  let counter = randomInt(1, 1_000_000) * 1000;
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
