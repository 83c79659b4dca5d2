// Where each removal of a retracted post stands, per channel: for the post's page and the API.
import type { ChannelsService } from '../channels/channels.service.ts';
import type { PublicationRepo } from '../publishing/publication.repo.ts';
import type { RetractionRepo } from './retraction.repo.ts';

export async function retractionStatus(
  deps: {
    repo: RetractionRepo;
    publications: Pick<PublicationRepo, 'findByPost'>;
    channels: Pick<ChannelsService, 'namesIncludingRemoved'>;
  },
  postId: string,
) {
  const { repo } = deps;

  const rows = await repo.findByPost(postId);
  if (rows.length === 0) return [];
  const pubs = await deps.publications.findByPost(postId);
  const channelIds = [...new Set(pubs.map((p) => p.channelId))];
  // Removed channels still name their old publications.
  const channelRows = await deps.channels.namesIncludingRemoved(channelIds);
  return rows.map((r) => {
    const pub = pubs.find((p) => p.id === r.publicationId);
    const channel = pub ? channelRows.get(pub.channelId) : undefined;
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
