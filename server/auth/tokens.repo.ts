import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { apiTokens, units, users, type UserRole } from '../db/schema.ts';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

/** A usable token with its active user and the user's unit subtree, read in one round trip. */
export interface TokenActorRow {
  tokenId: string;
  lastUsedAt: Date | null;
  expiresAt: Date;
  user: { id: string; email: string; name: string; role: UserRole; unitId: string | null };
  /** The user's unit and every unit below it (empty without a unit). */
  subtree: string[];
}

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
    /**
     * The bearer path's only read: token, user and unit subtree in one statement, because a
     * request that pays three round trips before its own query is three times as slow under load.
     * Takes the hashes of every request waiting at that moment (the service batches them), and
     * answers one row or undefined per hash, in order.
     */
    async findActors(tokenHashes: string[], now: Date): Promise<Array<TokenActorRow | undefined>> {
      const result = await db.execute<{
        token_hash: string;
        token_id: string;
        last_used_at: string | Date | null;
        expires_at: string | Date;
        user_id: string;
        email: string;
        name: string;
        role: UserRole;
        unit_id: string | null;
        subtree: string[] | null;
      }>(sql`
        SELECT t.token_hash, t.id AS token_id, t.last_used_at, t.expires_at,
               u.id AS user_id, u.email, u.name, u.role, u.unit_id,
               (WITH RECURSIVE tree(id) AS (
                  SELECT s.id FROM ${units} s WHERE s.id = u.unit_id
                  UNION
                  SELECT c.id FROM ${units} c JOIN tree ON c.parent_id = tree.id
                ) SELECT array_agg(tree.id::text) FROM tree) AS subtree
          FROM ${apiTokens} t JOIN ${users} u ON u.id = t.user_id
         WHERE t.token_hash = ANY(${`{${tokenHashes.join(',')}}`}::text[])
           AND t.revoked_at IS NULL AND t.expires_at > ${now.toISOString()}
           AND u.active`);
      const byHash = new Map(
        result.rows.map((row) => [
          row.token_hash,
          {
            tokenId: row.token_id,
            lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
            expiresAt: new Date(row.expires_at),
            user: { id: row.user_id, email: row.email, name: row.name, role: row.role, unitId: row.unit_id },
            subtree: row.subtree ?? [],
          } satisfies TokenActorRow,
        ]),
      );
      return tokenHashes.map((hash) => byHash.get(hash));
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
