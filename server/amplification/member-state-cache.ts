// A short memory, per member, of what the feed reads about them on every request: the consent
// version they accepted and which posts they have shared. A member reloading their feed (or a
// crowd after a notification) then costs no query. Correctness comes first:
//  - in this process, every committed change to a member's consent or shares calls `forget()`
//    for that member, so their very next request reads the database again;
//  - a lookup is remembered from the moment it starts (as a promise), so a change committed
//    while it runs deletes it too, and a stale answer is never stored after the change;
//  - another web process learns of a change within `ttlMs` at most (as with the actor cache);
//  - an entry only answers for the posts it was read for: a page showing another post reads again.
import { LRUCache } from 'lru-cache';
import type { SharePlatform } from '../db/schema.ts';

/** How long another process may go on showing a member's old consent or share marks. */
export const MEMBER_STATE_CACHE_MS = 5000;

export interface MemberMark {
  platform: SharePlatform;
  at: Date;
}

export interface MemberState {
  consentVersion: number | null;
  /** Completed shares per post id, oldest first. */
  marks: Map<string, MemberMark[]>;
}

interface Entry {
  until: number;
  postIds: ReadonlySet<string>;
  state: Promise<MemberState>;
}

export interface MemberStateCache {
  /**
   * The member's state for these posts: remembered if a fresh lookup covered all of them,
   * otherwise read with `load` (and remembered).
   */
  get(
    userId: string,
    postIds: readonly string[],
    at: number,
    load: () => Promise<MemberState>,
  ): Promise<MemberState>;
  /** Forget one member (after a change to their consent or shares has committed). */
  forget(userId: string): void;
}

export function createMemberStateCache(options: { ttlMs: number; maxEntries: number }): MemberStateCache {
  const entries = new LRUCache<string, Entry>({ max: options.maxEntries });
  return {
    async get(userId, postIds, at, load) {
      const cached = entries.get(userId);
      if (cached && cached.until > at && postIds.every((id) => cached.postIds.has(id))) return cached.state;
      const entry: Entry = { until: at + options.ttlMs, postIds: new Set(postIds), state: load() };
      entries.set(userId, entry);
      try {
        return await entry.state;
      } catch (error) {
        // A failed read is not kept: the next request tries again.
        if (entries.get(userId) === entry) entries.delete(userId);
        throw error;
      }
    },
    forget(userId) {
      entries.delete(userId);
    },
  };
}
