// Zalo broadcasts (job `publication.broadcast`): after the article is live, it is sent to the
// OA's followers, never 22:00–06:00 Asia/Ho_Chi_Minh. At most once: the record is moved to
// `sending` before the call, and a `sending` found later is left as unknown, not sent again.
import { SYSTEM_AUDIT } from '../auth/actor.ts';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { ChannelsService } from '../channels/channels.service.ts';
import type { BroadcastOutcome, Connectors } from '../connectors/index.ts';
import type { Database } from '../db/database.ts';
import type { JobQueue } from '../jobs/job-queue.ts';
import type { Logger } from '../logger.ts';
import { createPublicationRepo } from './publication.repo.ts';
import { nextBroadcastWindowAfter } from './zalo-window.ts';
import { PUBLISHING_JOBS } from './publishing.jobs.ts';
import { isZaloNight, type PublishingSettings } from './publishing.settings.ts';

const MAX_BROADCAST_TRIES = 3;
const BROADCAST_RETRY_MS = 5 * 60_000;

export interface BroadcastPlan {
  record: Record<string, unknown>;
  enqueueAt?: Date;
}

/** What to store about the broadcast when the article goes out, and when to (re)try it. */
export function broadcastPlan(
  settings: Pick<PublishingSettings, 'zaloBroadcast'>,
  now: Date,
  mode: 'requested' | 'deferred' | 'reconciled',
  outcome?: BroadcastOutcome,
): BroadcastPlan | null {
  if (!settings.zaloBroadcast) return null;
  // The crashed attempt may have broadcast already: better one missing than one doubled.
  if (mode === 'reconciled')
    return { record: { status: 'unknown', reason: 'published by an attempt that was interrupted' } };
  if (mode === 'deferred' || !outcome) {
    const retryAt = nextBroadcastWindowAfter(now);
    return {
      record: {
        status: 'waiting',
        retryAt: retryAt.toISOString(),
        reason: 'night window (22:00–06:00)',
        tries: 0,
      },
      enqueueAt: retryAt,
    };
  }
  return recordOutcome(outcome, now, 1);
}

function recordOutcome(outcome: BroadcastOutcome, now: Date, tries: number): BroadcastPlan {
  if (outcome.status === 'sent')
    return { record: { status: 'sent', messageId: outcome.messageId, at: now.toISOString(), tries } };
  if (outcome.status === 'not_now') {
    return {
      record: { status: 'waiting', retryAt: outcome.retryAt.toISOString(), reason: outcome.message, tries },
      enqueueAt: outcome.retryAt,
    };
  }
  const { failure } = outcome;
  if ((failure.kind === 'transient' || failure.kind === 'rate_limited') && tries < MAX_BROADCAST_TRIES) {
    const wait = failure.kind === 'rate_limited' ? failure.retryAfterMs : BROADCAST_RETRY_MS;
    const retryAt = new Date(now.getTime() + wait);
    return {
      record: { status: 'waiting', retryAt: retryAt.toISOString(), reason: failure.message, tries },
      enqueueAt: retryAt,
    };
  }
  return {
    record: { status: 'failed', kind: failure.kind, reason: failure.message, tries, at: now.toISOString() },
  };
}

export function createBroadcastJob(deps: {
  db: Database;
  channels: ChannelsService;
  connectors: Connectors;
  audit: AuditRecorder;
  queue: JobQueue;
}) {
  const { db } = deps;
  const repo = createPublicationRepo(db);
  return async function run(publicationId: string, log: Logger): Promise<void> {
    const row = await repo.findById(publicationId);
    const record = row?.broadcast;
    if (!row || row.status !== 'published' || !row.externalId || record?.status !== 'waiting') return;
    const now = new Date();
    const retryAt = typeof record.retryAt === 'string' ? new Date(record.retryAt) : now;
    if (retryAt.getTime() > now.getTime() + 1_000) return; // an earlier job; the one for retryAt comes
    const tries = (typeof record.tries === 'number' ? record.tries : 0) + 1;
    if (isZaloNight(now)) {
      const next = nextBroadcastWindowAfter(now);
      await repo.setBroadcast(row.id, { ...record, retryAt: next.toISOString() });
      await deps.queue.enqueue(PUBLISHING_JOBS.broadcast, { publicationId }, next);
      return;
    }
    // At most once: only the worker that moves it from waiting to sending calls Zalo.
    const taken = await repo.takeWaitingBroadcast(row.id, {
      ...record,
      status: 'sending',
      tries,
      startedAt: now.toISOString(),
    });
    if (!taken) return;
    const [channel] = await deps.channels.findMany([row.channelId]);
    const connector = channel ? deps.connectors[channel.platform] : undefined;
    let plan: BroadcastPlan;
    if (!channel || channel.status !== 'active' || !connector?.broadcast) {
      plan = { record: { status: 'failed', reason: 'the channel is not available for broadcasting', tries } };
    } else {
      plan = recordOutcome(
        await connector.broadcast(deps.channels.credentials(channel), row.externalId),
        new Date(),
        tries,
      );
    }
    await db.transaction(async (tx) => {
      await repo.setBroadcast(row.id, plan.record, tx);
      await deps.audit(
        {
          ...SYSTEM_AUDIT,
          action: `publication.broadcast_${String(plan.record.status)}`,
          targetType: 'publication',
          targetId: row.id,
          details: plan.record,
        },
        tx,
      );
    });
    if (plan.enqueueAt)
      await deps.queue.enqueue(PUBLISHING_JOBS.broadcast, { publicationId }, plan.enqueueAt);
    log.info({ publicationId, broadcast: plan.record.status }, 'broadcast handled');
  };
}
