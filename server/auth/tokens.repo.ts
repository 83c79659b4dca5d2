import { and, desc, eq, gt, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { apiTokens } from '../db/schema.ts';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export function createTokensRepo(db: Executor) {
  return {
    async insert(
      values: { userId: string; name: string; tokenHash: string; expiresAt: Date },
      tx: Executor = db,
    ) {
      const [row] = await tx.insert(apiTokens).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    /** A token that is neither expired nor revoked. */
    async findUsable(tokenHash: string, now: Date): Promise<ApiTokenRow | undefined> {
      const [row] = await db
        .select()
        .from(apiTokens)
        .where(
          and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), gt(apiTokens.expiresAt, now)),
        );
      return row;
    },
    async touch(id: string, now: Date): Promise<void> {
      await db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, id));
    },
    async listForUser(userId: string): Promise<ApiTokenRow[]> {
      return db
        .select()
        .from(apiTokens)
        .where(eq(apiTokens.userId, userId))
        .orderBy(desc(apiTokens.createdAt));
    },
    async revoke(userId: string, id: string, now: Date, tx: Executor = db): Promise<ApiTokenRow | undefined> {
      const [row] = await tx
        .update(apiTokens)
        .set({ revokedAt: now })
        .where(and(eq(apiTokens.id, id), eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
        .returning();
      return row;
    },
  };
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
