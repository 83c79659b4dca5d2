// In-app notifications: someone (by id or by role) is told that something needs them. Rows are
// written inside the caller's transaction when given one, so a notice commits with its cause.
import type { Executor } from '../db/database.ts';
import type { UserRole } from '../db/schema.ts';
import type { NotificationRow, NotificationsRepo } from './notifications.repo.ts';

export const NOTIFICATION_KINDS = [
  'publication_failed',
  'channel_needs_reconnect',
  'review_requested',
  'post_rejected',
  'cascade_received',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number] | (string & {});

export interface NotificationTarget {
  userIds?: string[];
  roles?: UserRole[];
  /**
   * The unit of the post (or other item) the notice is about: people reached by role are then
   * only those whose unit scope reaches it, so a notice never tells another unit about it.
   */
  inScopeOf?: string | null;
}

export interface NotificationInput {
  kind: NotificationKind;
  /** Already in the interface language (Vietnamese by default): shown as written. */
  message: string;
  /** A path inside Loa (`/posts/…`) where the reader can act. */
  link?: string | null;
}

export function presentNotification(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    message: row.message,
    link: row.link,
    createdAt: row.createdAt.toISOString(),
    read: row.readAt !== null,
  };
}

export function createNotificationsService(deps: { repo: NotificationsRepo }) {
  const { repo } = deps;

  /** Returns how many people were told. Only local paths are kept as links (no open redirect). */
  async function notify(
    target: NotificationTarget,
    input: NotificationInput,
    tx?: Executor,
  ): Promise<number> {
    const userIds = await repo.activeUserIds(
      {
        userIds: target.userIds ?? [],
        roles: target.roles ?? [],
        ...(target.inScopeOf !== undefined && { inScopeOf: target.inScopeOf }),
      },
      tx,
    );
    const link = input.link && input.link.startsWith('/') && !input.link.startsWith('//') ? input.link : null;
    await repo.insertMany(
      userIds.map((userId) => ({ userId, kind: input.kind, message: input.message, link })),
      tx,
    );
    return userIds.length;
  }

  /**
   * One notice per unit to the people with `roles` in that unit (e.g. a commune's editors when
   * a warning is handed down to it): one read and one write however many units.
   */
  async function notifyUnits(
    roles: UserRole[],
    notices: { unitId: string; kind: NotificationKind; message: string; link: string }[],
    tx?: Executor,
  ): Promise<number> {
    const people = await repo.activeUsersInUnits([...new Set(notices.map((n) => n.unitId))], roles, tx);
    const byUnit = new Map(notices.map((n) => [n.unitId, n]));
    const rows = people.flatMap((person) => {
      const notice = byUnit.get(person.unitId);
      if (!notice) return [];
      const link = notice.link.startsWith('/') && !notice.link.startsWith('//') ? notice.link : null;
      return [{ userId: person.id, kind: notice.kind, message: notice.message, link }];
    });
    await repo.insertMany(rows, tx);
    return rows.length;
  }

  return {
    notify,
    notifyUnits,
    listForUser: (userId: string, options: { limit?: number; before?: Date } = {}) =>
      repo.listForUser(userId, {
        limit: options.limit ?? 50,
        ...(options.before && { before: options.before }),
      }),
    unreadCount: (userId: string) => repo.countUnread(userId),
    markRead: (userId: string, id?: string) => repo.markRead(userId, id),
  };
}

export type NotificationsService = ReturnType<typeof createNotificationsService>;
