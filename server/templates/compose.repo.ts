// The composer's read-only lists from other modules' tables: channels to post to, campaigns.
import { asc, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { campaigns, channels } from '../db/schema.ts';

export function createComposeRepo(db: Executor) {
  return {
    /** Channels that are not deleted (a channel needing reconnection is shown, marked). */
    listChannels: () =>
      db
        .select({ id: channels.id, name: channels.name, platform: channels.platform, status: channels.status })
        .from(channels)
        .where(isNull(channels.deletedAt))
        .orderBy(asc(channels.platform), asc(channels.name)),
    listCampaigns: () => db.select({ id: campaigns.id, name: campaigns.name }).from(campaigns).orderBy(asc(campaigns.name)),
  };
}
