// Where each removal of a retracted post stands, per channel: for the post's page and the API.
import { inArray } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { channels } from '../db/schema.ts';
import type { PublicationRepo } from '../publishing/publication.repo.ts';
import type { RetractionRepo } from './retraction.repo.ts';

export async function retractionStatus(
  deps: { db: Database; repo: RetractionRepo; publications: Pick<PublicationRepo, 'findByPost'> },
  postId: string,
) {
  const { db, repo } = deps;

  const rows = await repo.findByPost(postId);
  if (rows.length === 0) return [];
  const pubs = await deps.publications.findByPost(postId);
  const channelIds = [...new Set(pubs.map((p) => p.channelId))];
  // Removed channels still name their old publications.
  const channelRows = channelIds.length
    ? await db
        .select({ id: channels.id, name: channels.name, platform: channels.platform })
        .from(channels)
        .where(inArray(channels.id, channelIds))
    : [];
  return rows.map((r) => {
    const pub = pubs.find((p) => p.id === r.publicationId);
    const channel = channelRows.find((c) => c.id === pub?.channelId);
    return {
      publicationId: r.publicationId,
      channelId: pub?.channelId ?? null,
      channelName: channel?.name ?? null,
      platform: channel?.platform ?? null,
      externalId: pub?.externalId ?? null,
      status: r.status,
      attempts: r.attempts,
      lastError: r.lastError,
      lastErrorKind: r.lastErrorKind,
      nextAttemptAt: r.nextAttemptAt?.toISOString() ?? null,
      requestedAt: r.requestedAt.toISOString(),
      retractedAt: r.retractedAt?.toISOString() ?? null,
    };
  });
}
