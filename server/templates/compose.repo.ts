// The composer's read-only lists from other modules' tables: channels to post to, campaigns.
import type { UnitScope } from '../auth/actor.ts';
import { and, asc, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { campaigns, channels } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';

export function createComposeRepo(db: Executor) {
  return {
    /** The scope's channels that are not deleted (a channel needing reconnection is shown, marked). */
    listChannels: (scope: UnitScope) =>
      db
        .select({
          id: channels.id,
          name: channels.name,
          platform: channels.platform,
          status: channels.status,
        })
        .from(channels)
        .where(and(isNull(channels.deletedAt), withinScope(channels.unitId, scope)))
        .orderBy(asc(channels.platform), asc(channels.name)),
    listCampaigns: () =>
      db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).orderBy(asc(campaigns.name)),
  };
}
