// SQL on member profiles, consents, invitations and push subscriptions.
import { and, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import {
  memberConsents,
  memberInvitations,
  memberProfiles,
  memberPushSubscriptions,
  type MemberDigest,
} from '../db/schema.ts';

export type MemberProfileRow = typeof memberProfiles.$inferSelect;
export type InvitationRow = typeof memberInvitations.$inferSelect;
export type PushSubscriptionRow = typeof memberPushSubscriptions.$inferSelect;

export function createMembersRepo(db: Executor) {
  return {
    async profile(userId: string, tx: Executor = db): Promise<MemberProfileRow | undefined> {
      const [row] = await tx.select().from(memberProfiles).where(eq(memberProfiles.userId, userId));
      return row;
    },
    /** The profile, made with the defaults when the member has none yet. */
    async ensureProfile(userId: string, tx: Executor = db): Promise<MemberProfileRow> {
      await tx.insert(memberProfiles).values({ userId }).onConflictDoNothing();
      const [row] = await tx.select().from(memberProfiles).where(eq(memberProfiles.userId, userId));
      if (!row) throw new Error('member profile missing after insert');
      return row;
    },
    async updateProfile(
      userId: string,
      values: Partial<{
        listedInStats: boolean;
        digest: MemberDigest;
        consentVersion: number | null;
        consentedAt: Date | null;
        lastDigestAt: Date;
      }>,
      tx: Executor = db,
    ): Promise<MemberProfileRow | undefined> {
      const [row] = await tx
        .update(memberProfiles)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(memberProfiles.userId, userId))
        .returning();
      return row;
    },
    async insertConsent(userId: string, version: number, at: Date, tx: Executor = db): Promise<void> {
      await tx.insert(memberConsents).values({ userId, version, acceptedAt: at });
    },
    async withdrawConsents(userId: string, at: Date, tx: Executor = db): Promise<number> {
      const rows = await tx
        .update(memberConsents)
        .set({ withdrawnAt: at })
        .where(and(eq(memberConsents.userId, userId), isNull(memberConsents.withdrawnAt)))
        .returning({ id: memberConsents.id });
      return rows.length;
    },
    async consents(userId: string, tx: Executor = db) {
      return tx
        .select()
        .from(memberConsents)
        .where(eq(memberConsents.userId, userId))
        .orderBy(desc(memberConsents.id));
    },
    async insertInvitation(
      values: { tokenHash: string; unitId: string; createdBy: string | null; expiresAt: Date },
      tx: Executor = db,
    ): Promise<InvitationRow> {
      const [row] = await tx.insert(memberInvitations).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async invitationByHash(tokenHash: string, tx: Executor = db): Promise<InvitationRow | undefined> {
      const [row] = await tx
        .select()
        .from(memberInvitations)
        .where(eq(memberInvitations.tokenHash, tokenHash));
      return row;
    },
    /** Spends the invitation, only if nobody has yet and nobody revoked it: false otherwise. */
    async useInvitation(id: string, userId: string, at: Date, tx: Executor = db): Promise<boolean> {
      const rows = await tx
        .update(memberInvitations)
        .set({ usedAt: at, usedBy: userId })
        .where(
          and(
            eq(memberInvitations.id, id),
            isNull(memberInvitations.usedAt),
            isNull(memberInvitations.revokedAt),
          ),
        )
        .returning({ id: memberInvitations.id });
      return rows.length === 1;
    },
    async upsertPushSubscription(
      values: { userId: string; endpoint: string; p256dh: string; auth: string },
      tx: Executor = db,
    ): Promise<PushSubscriptionRow> {
      const [row] = await tx
        .insert(memberPushSubscriptions)
        .values(values)
        .onConflictDoUpdate({
          target: memberPushSubscriptions.endpoint,
          set: { userId: values.userId, p256dh: values.p256dh, auth: values.auth },
        })
        .returning();
      if (!row) throw new Error('upsert returned no row');
      return row;
    },
    async pushSubscriptions(userIds: string[], tx: Executor = db): Promise<PushSubscriptionRow[]> {
      if (userIds.length === 0) return [];
      return tx
        .select()
        .from(memberPushSubscriptions)
        .where(inArray(memberPushSubscriptions.userId, userIds));
    },
    async deletePushSubscriptions(userId: string, tx: Executor = db): Promise<number> {
      const rows = await tx
        .delete(memberPushSubscriptions)
        .where(eq(memberPushSubscriptions.userId, userId))
        .returning({ id: memberPushSubscriptions.id });
      return rows.length;
    },
    async deletePushSubscriptionByEndpoint(endpoint: string, tx: Executor = db): Promise<void> {
      await tx.delete(memberPushSubscriptions).where(eq(memberPushSubscriptions.endpoint, endpoint));
    },
  };
}

export type MembersRepo = ReturnType<typeof createMembersRepo>;
