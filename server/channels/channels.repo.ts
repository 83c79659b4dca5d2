// All SQL on channels.
import { and, asc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import { channels, publications, units, type ChannelStatus, type Platform } from '../db/schema.ts';
import { withinScope } from '../db/unit-scope.ts';

export type ChannelRow = typeof channels.$inferSelect;

export interface NewChannel {
  /** Chosen before the write: the tokens' ciphertexts are bound to it. */
  id: string;
  platform: Platform;
  externalId: string;
  name: string;
  accessTokenEnc: string;
  refreshTokenEnc: string | null;
  tokenExpiresAt: Date | null;
  createdBy: string | null;
  unitId?: string | null;
}

export function createChannelsRepo(db: Executor) {
  return {
    async findById(id: string, tx: Executor = db): Promise<ChannelRow | undefined> {
      const [row] = await tx
        .select()
        .from(channels)
        .where(and(eq(channels.id, id), isNull(channels.deletedAt)));
      return row;
    },
    /** Locks the row: token rotation and status changes on one channel happen one at a time. */
    async lockById(id: string, tx: Executor): Promise<ChannelRow | undefined> {
      const [row] = await tx
        .select()
        .from(channels)
        .where(and(eq(channels.id, id), isNull(channels.deletedAt)))
        .for('update');
      return row;
    },
    async findLive(
      platform: Platform,
      externalId: string,
      tx: Executor = db,
    ): Promise<ChannelRow | undefined> {
      const [row] = await tx
        .select()
        .from(channels)
        .where(
          and(
            eq(channels.platform, platform),
            eq(channels.externalId, externalId),
            isNull(channels.deletedAt),
          ),
        );
      return row;
    },
    async findMany(ids: string[], tx: Executor = db): Promise<ChannelRow[]> {
      if (ids.length === 0) return [];
      return tx
        .select()
        .from(channels)
        .where(and(inArray(channels.id, ids), isNull(channels.deletedAt)));
    },
    /** Platform and name of each channel, removed ones included (they still name old publications). */
    async namesIncludingRemoved(
      ids: readonly string[],
      tx: Executor = db,
    ): Promise<Map<string, { platform: ChannelRow['platform']; name: string }>> {
      if (ids.length === 0) return new Map();
      const rows = await tx
        .select({ id: channels.id, platform: channels.platform, name: channels.name })
        .from(channels)
        .where(inArray(channels.id, [...ids]));
      return new Map(rows.map((r) => [r.id, { platform: r.platform, name: r.name }]));
    },
    /** The usable channels among `ids` or of the unit, by platform and name (a public page's list). */
    async officialOf(
      input: { ids: readonly string[]; unitId: string | null },
      tx: Executor = db,
    ): Promise<Array<{ platform: Platform; name: string; externalId: string }>> {
      const conditions = [
        input.ids.length ? inArray(channels.id, [...input.ids]) : undefined,
        input.unitId ? eq(channels.unitId, input.unitId) : undefined,
      ].filter((c) => c !== undefined);
      if (conditions.length === 0) return [];
      return tx
        .select({ platform: channels.platform, name: channels.name, externalId: channels.externalId })
        .from(channels)
        .where(and(isNull(channels.deletedAt), ne(channels.status, 'disabled'), or(...conditions)))
        .orderBy(channels.platform, channels.name);
    },
    /** Channels whose token the platform no longer accepts. */
    async needingReconnect(tx: Executor = db) {
      return tx
        .select({
          id: channels.id,
          name: channels.name,
          platform: channels.platform,
          reason: channels.statusReason,
          since: channels.updatedAt,
        })
        .from(channels)
        .where(and(eq(channels.status, 'needs_reconnect'), isNull(channels.deletedAt)))
        .orderBy(asc(channels.name), asc(channels.id));
    },

    /** Channels of the scope's units (every channel for an unscoped actor). */
    async list(scope: UnitScope, tx: Executor = db): Promise<ChannelRow[]> {
      return tx
        .select()
        .from(channels)
        .where(and(isNull(channels.deletedAt), withinScope(channels.unitId, scope)))
        .orderBy(asc(channels.platform), asc(channels.name));
    },
    /** Whether a unit exists, before a channel is given to it. */
    async unitExists(unitId: string, tx: Executor = db): Promise<boolean> {
      const [row] = await tx.select({ id: units.id }).from(units).where(eq(units.id, unitId));
      return row !== undefined;
    },
    async insert(values: NewChannel, tx: Executor = db): Promise<ChannelRow> {
      const [row] = await tx.insert(channels).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async update(
      id: string,
      values: Partial<
        Pick<
          ChannelRow,
          | 'name'
          | 'unitId'
          | 'status'
          | 'statusReason'
          | 'accessTokenEnc'
          | 'refreshTokenEnc'
          | 'tokenExpiresAt'
          | 'deletedAt'
          | 'unitId'
        >
      >,
      tx: Executor = db,
    ): Promise<ChannelRow | undefined> {
      const [row] = await tx
        .update(channels)
        .set({ ...values, updatedAt: new Date() })
        .where(and(eq(channels.id, id), isNull(channels.deletedAt)))
        .returning();
      return row;
    },
    /** Every stored token, deleted channels' too, locked: for re-encryption under a new key. */
    async lockAllTokens(
      tx: Executor,
    ): Promise<Array<Pick<ChannelRow, 'id' | 'accessTokenEnc' | 'refreshTokenEnc'>>> {
      return tx
        .select({
          id: channels.id,
          accessTokenEnc: channels.accessTokenEnc,
          refreshTokenEnc: channels.refreshTokenEnc,
        })
        .from(channels)
        .orderBy(asc(channels.id))
        .for('update');
    },
    /** Replaces a row's ciphertexts only (no other field, no timestamp: the tokens did not change). */
    async setTokenCiphertexts(
      id: string,
      values: Pick<ChannelRow, 'accessTokenEnc' | 'refreshTokenEnc'>,
      tx: Executor,
    ): Promise<void> {
      await tx.update(channels).set(values).where(eq(channels.id, id));
    },
    async countInFlightPublications(id: string, tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(publications)
        .where(
          and(eq(publications.channelId, id), inArray(publications.status, ['scheduled', 'publishing'])),
        );
      return row?.n ?? 0;
    },
    /** Zalo channels whose access token expires before `before` (or whose expiry is unknown). */
    async listNeedingRefresh(before: Date, tx: Executor = db): Promise<ChannelRow[]> {
      return tx
        .select()
        .from(channels)
        .where(
          and(
            eq(channels.platform, 'zalo'),
            eq(channels.status, 'active' satisfies ChannelStatus),
            isNull(channels.deletedAt),
            sql`${channels.refreshTokenEnc} is not null`,
            sql`(${channels.tokenExpiresAt} is null or ${channels.tokenExpiresAt} <= ${before.toISOString()})`,
          ),
        );
    },
  };
}

export type ChannelsRepo = ReturnType<typeof createChannelsRepo>;
