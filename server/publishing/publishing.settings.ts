// The publisher's knobs, with the defaults production uses. Leases are derived from the
// connectors' own time limits: just above the worst case of one publish, never Agenda's lock.
import { DEFAULT_RETRY, type RetrySettings } from './retry-policy.ts';

export interface PublishingSettings {
  /** Base of tracked links: `${publicUrl}/l/<code>`. */
  publicUrl: string;
  /** The connectors' per-request timeout. */
  connectorTimeoutMs: number;
  /** Zalo: the verify-polling budget after `article/create`. */
  zaloVerifyBudgetMs: number;
  /** Added to every lease: database round trips and clock differences between machines. */
  leaseMarginMs: number;
  /** Claimed this long after its time or later: the publication is flagged late. */
  lateGraceMs: number;
  retry: RetrySettings;
  /** The sweeper leaves publications alone until they are this overdue (their own job comes first). */
  sweepGraceMs: number;
  /** An Agenda lock older than this, on a job whose publication is still waiting, belongs to a dead worker. */
  staleJobLockMs: number;
  /** Zalo: also send each published article to the OA's followers (outside 22:00–06:00). */
  zaloBroadcast: boolean;
  /** A worker checks this often when the next publication falls due, and wakes itself then. */
  lookAheadMs: number;
  /**
   * A first attempt's job is queued this long after the due time. A running worker claims at the
   * due time itself (look-ahead); the job is the guarantee when none did, and stays out of the way
   * of a burst while it is being published.
   */
  publishJobDelayMs: number;
}

export const DEFAULT_PUBLISHING: Omit<PublishingSettings, 'publicUrl'> = {
  connectorTimeoutMs: 15_000,
  zaloVerifyBudgetMs: 30_000,
  leaseMarginMs: 5_000,
  lateGraceMs: 60_000,
  retry: DEFAULT_RETRY,
  sweepGraceMs: 2_000,
  staleJobLockMs: 30_000,
  zaloBroadcast: true,
  lookAheadMs: 1_000,
  publishJobDelayMs: 3_000,
};

/**
 * Facebook: one request (several for a multi-photo post, each renewing the lease). Zalo: create,
 * the verify budget and its last poll, and the broadcast.
 */
export function leaseMs(settings: PublishingSettings): { facebook: number; zalo: number } {
  return {
    facebook: settings.connectorTimeoutMs + settings.leaseMarginMs,
    zalo: 3 * settings.connectorTimeoutMs + settings.zaloVerifyBudgetMs + settings.leaseMarginMs,
  };
}

export const NOT_AFTER_REASON = 'not published: past its do-not-publish-after time';

/** Zalo refuses promotional messages 22:00–06:00 Asia/Ho_Chi_Minh (UTC+7, no daylight saving). */
export function isZaloNight(now: Date): boolean {
  const hour = new Date(now.getTime() + 7 * 3_600_000).getUTCHours();
  return hour >= 22 || hour < 6;
}
