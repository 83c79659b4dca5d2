// All SQL on notifications.
import { and, desc, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { notifications, users, type UserRole } from '../db/schema.ts';
import { userScopeReaches } from '../db/unit-scope.ts';

export type NotificationRow = typeof notifications.$inferSelect;

export function createNotificationsRepo(db: Executor) {
  return {
    /**
     * Active users named by id, or having one of the roles; with `inScopeOf`, those reached by role
     * are only the ones whose unit scope reaches that unit (null: an item without a unit).
     */
    async activeUserIds(
      filter: { userIds: string[]; roles: UserRole[]; inScopeOf?: string | null },
      tx: Executor = db,
    ): Promise<string[]> {
      if (filter.userIds.length === 0 && filter.roles.length === 0) return [];
      const byId = filter.userIds.length > 0 ? inArray(users.id, filter.userIds) : undefined;
      const byRole =
        filter.roles.length > 0
          ? and(
              inArray(users.role, filter.roles),
              filter.inScopeOf === undefined ? undefined : userScopeReaches(users, filter.inScopeOf),
            )
          : undefined;
      const who = byId && byRole ? sql`(${byId} or ${byRole})` : (byId ?? byRole);
      const rows = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.active, true), who));
      return rows.map((r) => r.id);
    },
    /** Active users with one of `roles` in each of `unitIds` (users.unit_id exactly). */
    async activeUsersInUnits(
      unitIds: string[],
      roles: UserRole[],
      tx: Executor = db,
    ): Promise<{ id: string; unitId: string }[]> {
      if (unitIds.length === 0 || roles.length === 0) return [];
      const rows = await tx
        .select({ id: users.id, unitId: users.unitId })
        .from(users)
        .where(and(eq(users.active, true), inArray(users.unitId, unitIds), inArray(users.role, roles)));
      return rows.flatMap((r) => (r.unitId ? [{ id: r.id, unitId: r.unitId }] : []));
    },
    async insertMany(
      rows: { userId: string; kind: string; message: string; link: string | null }[],
      tx: Executor = db,
    ): Promise<void> {
      if (rows.length > 0) await tx.insert(notifications).values(rows);
    },
    async listForUser(userId: string, options: { limit: number; before?: Date }, tx: Executor = db) {
      return tx
        .select()
        .from(notifications)
        .where(
          and(
            eq(notifications.userId, userId),
            options.before ? lt(notifications.createdAt, options.before) : undefined,
          ),
        )
        .orderBy(desc(notifications.createdAt), desc(notifications.id))
        .limit(options.limit);
    },
    async countUnread(userId: string, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(notifications)
        .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
      return row?.n ?? 0;
    },
    /** Marks one (or, without an id, every) unread notification of this user as read. */
    async markRead(userId: string, id: string | undefined, tx: Executor = db): Promise<number> {
      const rows = await tx
        .update(notifications)
        .set({ readAt: new Date() })
        .where(
          and(
            eq(notifications.userId, userId),
            isNull(notifications.readAt),
            id ? eq(notifications.id, id) : undefined,
          ),
        )
        .returning({ id: notifications.id });
      return rows.length;
    },
  };
}

export type NotificationsRepo = ReturnType<typeof createNotificationsRepo>;
