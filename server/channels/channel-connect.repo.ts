// All SQL on channel_connect_flows: the steps of connecting a channel through a platform login.
import { and, eq, isNotNull, lt } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { channelConnectFlows, type ConnectStage } from '../db/schema.ts';

export type ConnectFlowRow = typeof channelConnectFlows.$inferSelect;
export type NewConnectFlow = typeof channelConnectFlows.$inferInsert;

export function createChannelConnectRepo(db: Executor) {
  return {
    async insert(values: NewConnectFlow, tx: Executor = db): Promise<ConnectFlowRow> {
      const [row] = await tx.insert(channelConnectFlows).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    /** The step, if this session owns it; it stays (a page that only shows it may be reloaded). */
    async find(
      keyHash: string,
      sessionHash: string,
      stage: ConnectStage,
    ): Promise<ConnectFlowRow | undefined> {
      const [row] = await db
        .select()
        .from(channelConnectFlows)
        .where(
          and(
            eq(channelConnectFlows.keyHash, keyHash),
            eq(channelConnectFlows.sessionHash, sessionHash),
            eq(channelConnectFlows.stage, stage),
          ),
        );
      return row;
    },
    /**
     * Takes the step once: one DELETE … RETURNING, so of two requests with the same key only one
     * gets the row, whatever the timing. Expiry is the caller's check (it says so to the person).
     */
    async take(
      keyHash: string,
      sessionHash: string,
      stage: ConnectStage,
      tx: Executor = db,
    ): Promise<ConnectFlowRow | undefined> {
      const [row] = await tx
        .delete(channelConnectFlows)
        .where(
          and(
            eq(channelConnectFlows.keyHash, keyHash),
            eq(channelConnectFlows.sessionHash, sessionHash),
            eq(channelConnectFlows.stage, stage),
          ),
        )
        .returning();
      return row;
    },
    /** Every step holding a secret, locked: for re-encryption under a new key. */
    async lockSecrets(tx: Executor): Promise<Array<Pick<ConnectFlowRow, 'id' | 'keyHash' | 'secretEnc'>>> {
      return tx
        .select({
          id: channelConnectFlows.id,
          keyHash: channelConnectFlows.keyHash,
          secretEnc: channelConnectFlows.secretEnc,
        })
        .from(channelConnectFlows)
        .where(isNotNull(channelConnectFlows.secretEnc))
        .for('update');
    },
    async setSecret(id: string, secretEnc: string, tx: Executor): Promise<void> {
      await tx.update(channelConnectFlows).set({ secretEnc }).where(eq(channelConnectFlows.id, id));
    },
    async deleteExpired(now: Date, tx: Executor = db): Promise<number> {
      const rows = await tx
        .delete(channelConnectFlows)
        .where(lt(channelConnectFlows.expiresAt, now))
        .returning({ id: channelConnectFlows.id });
      return rows.length;
    },
  };
}

export type ChannelConnectRepo = ReturnType<typeof createChannelConnectRepo>;
