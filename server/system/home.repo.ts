// The start page's read model: what needs someone's attention, read across posts,
// publications, channels and users in a few bounded queries, each in the repository of the
// module that owns its table. Read only: every change goes through the owning module's service.
import type { UnitScope } from '../auth/actor.ts';
import { createChannelsRepo } from '../channels/channels.repo.ts';
import type { Executor } from '../db/database.ts';
import { createPostsAttentionRepo } from '../posts/attention.repo.ts';
import { createFailuresRepo } from '../publishing/failures.repo.ts';

export { HOME_LIST_LIMIT } from '../posts/attention.repo.ts';

export function createHomeRepo(db: Executor) {
  const posts = createPostsAttentionRepo(db);
  const failures = createFailuresRepo(db);
  const channels = createChannelsRepo(db);
  return {
    awaitingReview: posts.awaitingReview,
    returnedTo: posts.returnedTo,
    recentFailures: failures.recentFailures,
    channelsNeedingReconnect: () => channels.needingReconnect(),
    /** Approved posts due in [from, to), soonest first, with the names of their channels. */
    async dueBetween(from: Date, to: Date, scope: UnitScope) {
      const due = await posts.dueBetween(from, to, scope);
      const names = await channels.namesIncludingRemoved([...new Set(due.rows.flatMap((r) => r.channelIds))]);
      return { ...due, channelNames: new Map([...names].map(([id, c]) => [id, c.name])) };
    },
  };
}

export type HomeRepo = ReturnType<typeof createHomeRepo>;
