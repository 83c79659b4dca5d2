// Telling members about published posts: in the app and by Web Push, at once or in a daily
// digest, never at night (22:00–06:00 in LOA_TIMEZONE) unless the post is urgent. A post is
// told once: the notice row is claimed in the same transaction as the in-app notifications.
import type { Database, Executor } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import { toWallClock } from '../shared/zoned-time.ts';
import { fromWallClock } from '../shared/zoned-time.ts';
import type { Translate } from './consent.ts';
import type { MembersRepo } from './members.repo.ts';
import type { NoticesRepo } from './notices.repo.ts';
import type { PushSender } from './push-sender.ts';

export const NIGHT_STARTS_HOUR = 22;
export const NIGHT_ENDS_HOUR = 6;
/** The daily digest goes out from this local hour on. */
export const DIGEST_HOUR = 7;

export function isNight(at: Date, timeZone: string): boolean {
  const hour = toWallClock(at, timeZone).getUTCHours();
  return hour >= NIGHT_STARTS_HOUR || hour < NIGHT_ENDS_HOUR;
}

export interface NoticesDeps {
  db: Database;
  repo: NoticesRepo;
  members: Pick<MembersRepo, 'pushSubscriptions'>;
  notify: (
    target: { userIds: string[] },
    input: { kind: string; message: string; link: string | null },
    tx?: Executor,
  ) => Promise<number>;
  push: Pick<PushSender, 'send'>;
  consentVersion: number;
  t: Translate;
  settings: { timeZone: string };
  logger: Logger;
  now?: () => Date;
}

export function createNoticesService(deps: NoticesDeps) {
  const { db, repo } = deps;
  const now = deps.now ?? (() => new Date());

  async function pushTo(userIds: string[], message: { body: string; url: string; urgent: boolean }) {
    const subscriptions = await deps.members.pushSubscriptions(userIds);
    if (subscriptions.length === 0) return 0;
    return deps.push.send(subscriptions, { title: 'Loa', ...message });
  }

  /** New published posts → their instant members. Returns how many posts were told about. */
  async function notifyPublished(): Promise<{ posts: number; members: number; pushed: number }> {
    const night = isNight(now(), deps.settings.timeZone);
    const pending = await repo.pendingPosts(50, night);
    let members = 0;
    let pushed = 0;
    for (const post of pending) {
      const told = await db.transaction(async (tx) => {
        if (!(await repo.claimNotice(post.id, tx))) return undefined;
        const userIds = await repo.instantMembers(post.unitIds, deps.consentVersion, tx);
        const message = deps.t('members.notifyNew', { title: post.title });
        await deps.notify(
          { userIds },
          { kind: 'member_new_post', message, link: `/feed#post-${post.id}` },
          tx,
        );
        await repo.setNoticeCount(post.id, userIds.length, tx);
        return { userIds, message };
      });
      if (!told) continue;
      members += told.userIds.length;
      pushed += await pushTo(told.userIds, {
        body: told.message,
        url: `/feed#post-${post.id}`,
        urgent: post.urgent,
      });
    }
    return { posts: pending.length, members, pushed };
  }

  /** Once a day, from DIGEST_HOUR and never at night: one notice with the day's count. */
  async function sendDigests(): Promise<number> {
    const at = now();
    const wall = toWallClock(at, deps.settings.timeZone);
    if (isNight(at, deps.settings.timeZone) || wall.getUTCHours() < DIGEST_HOUR) return 0;
    const todayDigestTime = fromWallClock(
      new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), DIGEST_HOUR)),
      deps.settings.timeZone,
    );
    const due = await repo.dueDigests(todayDigestTime, deps.consentVersion);
    let sent = 0;
    for (const entry of due) {
      const message = deps.t('members.notifyDigest', { count: entry.posts });
      await db.transaction(async (tx) => {
        if (entry.posts > 0) {
          await deps.notify(
            { userIds: [entry.userId] },
            { kind: 'member_digest', message, link: '/feed' },
            tx,
          );
        }
        await repo.markDigested(entry.userId, at, tx);
      });
      if (entry.posts > 0) {
        sent += 1;
        await pushTo([entry.userId], { body: message, url: '/feed', urgent: false });
      }
    }
    return sent;
  }

  return { notifyPublished, sendDigests };
}

export type NoticesService = ReturnType<typeof createNoticesService>;
