// A short-lived, in-process memory of which actor a bearer token stands for, so a crowd of API
// clients costs no authentication query on most requests. Correctness comes first:
//  - in this process, every change that could alter an answer (a token revoked; a user's role,
//    unit, name or active flag changed; a unit created, moved or deleted) calls `invalidate()`,
//    which forgets everything at once, so the very next request reads the database again;
//  - a lookup that started before an invalidation never stores its (possibly stale) answer;
//  - other processes (a second web process) learn of a change within `ttlMs` at most.
// Expiry of the token itself is checked on every hit.
import { LRUCache } from 'lru-cache';
import type { TokenActorRow } from './tokens.repo.ts';

/** How long another process may go on accepting a token revoked (or a user changed) elsewhere. */
export const ACTOR_CACHE_MS = 5000;

export interface ActorCache {
  /** The cached lookup for a token hash, if still fresh. */
  get(tokenHash: string, at: number): TokenActorRow | undefined;
  /** The generation to pass back to `set`: a lookup that overlapped an invalidation is dropped. */
  generation(): number;
  set(tokenHash: string, row: TokenActorRow, generation: number): void;
  /** Forget every cached actor (after the change has committed). */
  invalidate(): void;
}

export function createActorCache(options: { ttlMs: number; maxEntries: number }): ActorCache {
  const entries = new LRUCache<string, TokenActorRow>({ max: options.maxEntries, ttl: options.ttlMs });
  let generation = 0;
  return {
    get(tokenHash, at) {
      const row = entries.get(tokenHash);
      if (!row) return undefined;
      if (row.expiresAt.getTime() <= at) {
        entries.delete(tokenHash);
        return undefined;
      }
      return row;
    },
    generation: () => generation,
    set(tokenHash, row, seen) {
      if (seen === generation) entries.set(tokenHash, row);
    },
    invalidate() {
      generation += 1;
      entries.clear();
    },
  };
}
