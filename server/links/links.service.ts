// Tracked links: `/l/:code` → the target Loa stored for that code, counting every click and each
// visitor once a day. Visitors are an HMAC of (ip, user agent, day) under the secret key: no IP
// is stored, and the same person tomorrow counts again (as a daily unique).
import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from '../db/database.ts';
import { createLinksRepo } from './links.repo.ts';
import { isBotVisitor } from './visitor-kind.ts';

const CODE_PATTERN = /^[A-Za-z0-9_-]{4,64}$/;

export function visitorHash(
  secretKey: string,
  visitor: { ip: string; userAgent: string },
  day: string,
): string {
  return createHmac('sha256', secretKey)
    .update(`${day}\n${visitor.ip}\n${visitor.userAgent}`)
    .digest('base64url')
    .slice(0, 32);
}

/** Only absolute http(s) URLs are followed, even from our own table. */
export function safeTarget(target: string): string | undefined {
  try {
    const url = new URL(target);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

export function createLinksService(deps: { db: Database; secretKey: string; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const repo = createLinksRepo(deps.db);
  return {
    /**
     * One statement: the visitor row (if new today) and both counters. Bots and link-preview
     * fetchers only move bot_clicks, never the people's figures. Undefined for an unknown code.
     */
    async follow(code: string, visitor: { ip: string; userAgent: string }): Promise<string | undefined> {
      if (!CODE_PATTERN.test(code)) return undefined;
      if (isBotVisitor(visitor.userAgent)) {
        const bot = await deps.db.execute<{ target: string }>(
          sql`UPDATE links SET bot_clicks = bot_clicks + 1 WHERE code = ${code} RETURNING target`,
        );
        const target = bot.rows[0]?.target;
        return target === undefined ? undefined : safeTarget(target);
      }
      const hash = visitorHash(deps.secretKey, visitor, now().toISOString().slice(0, 10));
      const result = await deps.db.execute<{ target: string }>(sql`
        WITH visitor AS (
          INSERT INTO link_visitors (code, visitor_hash)
          SELECT code, ${hash} FROM links WHERE code = ${code}
          ON CONFLICT DO NOTHING
          RETURNING code
        )
        UPDATE links SET clicks = clicks + 1, unique_visitors = unique_visitors + (SELECT count(*)::int FROM visitor)
        WHERE code = ${code}
        RETURNING target`);
      const target = result.rows[0]?.target;
      return target === undefined ? undefined : safeTarget(target);
    },
    async stats(
      code: string,
    ): Promise<{ clicks: number; uniqueVisitors: number; botClicks: number; target: string } | undefined> {
      const result = await deps.db.execute<{
        clicks: number;
        unique_visitors: number;
        bot_clicks: number;
        target: string;
      }>(sql`SELECT clicks, unique_visitors, bot_clicks, target FROM links WHERE code = ${code}`);
      const row = result.rows[0];
      return row
        ? {
            clicks: row.clicks,
            uniqueVisitors: row.unique_visitors,
            botClicks: row.bot_clicks,
            target: row.target,
          }
        : undefined;
    },
    /**
     * The member's own tracked link for one share, made once: a second call for the same share
     * returns the same code. Runs in the caller's transaction.
     */
    /**
     * linkForShare for many shares at once (a batch of share-link opens): one read, one insert,
     * and another insert only for the rare code that was taken. Answers share id → code.
     */
    async linksForShares(
      inputs: { shareId: string; postId: string; target: string }[],
      tx: Executor,
    ): Promise<Map<string, string>> {
      const codes = new Map<string, string>();
      for (const row of await repo.findByShares(
        inputs.map((i) => i.shareId),
        tx,
      ))
        if (row.shareId) codes.set(row.shareId, row.code);
      let missing = inputs.filter((i) => !codes.has(i.shareId));
      while (missing.length > 0) {
        const tried = missing.map((input) => ({
          code: `m${randomBytes(9).toString('base64url')}`,
          ...input,
        }));
        const inserted = new Set(await repo.insertManyIfAbsent(tried, tx));
        for (const link of tried) if (inserted.has(link.code)) codes.set(link.shareId, link.code);
        missing = missing.filter((i) => !codes.has(i.shareId));
      }
      return codes;
    },
    async linkForShare(
      input: { shareId: string; postId: string; target: string },
      tx: Executor,
    ): Promise<string> {
      const existing = await repo.findByShare(input.shareId, tx);
      if (existing) return existing.code;
      for (;;) {
        const code = `m${randomBytes(9).toString('base64url')}`;
        if (await repo.insertIfAbsent({ code, ...input }, tx)) return code;
      }
    },
  };
}

export type LinksService = ReturnType<typeof createLinksService>;
