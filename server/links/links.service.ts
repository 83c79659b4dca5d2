// Tracked links: `/l/:code` → the target Loa stored for that code, counting every click and each
// visitor once a day. Visitors are an HMAC of (ip, user agent, day) under the secret key: no IP
// is stored, and the same person tomorrow counts again (as a daily unique).
import { createHmac, randomBytes } from 'node:crypto';
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
        const target = await repo.countBotClick(code);
        return target === undefined ? undefined : safeTarget(target);
      }
      const hash = visitorHash(deps.secretKey, visitor, now().toISOString().slice(0, 10));
      const target = await repo.countClick(code, hash);
      return target === undefined ? undefined : safeTarget(target);
    },
    stats: (code: string) => repo.stats(code),
    /** The publisher's tracked link of one publication, written in its transaction. */
    createForPublication: (
      values: { code: string; target: string; postId: string; publicationId: string },
      tx: Executor,
    ): Promise<void> => repo.insertForPublication(values, tx),
    /** Where one tracked link leads from now on (a post approved again after an edit). */
    retarget: (code: string, target: string, tx: Executor): Promise<void> => repo.retarget(code, target, tx),
    /** Where every tracked link of a post leads from now on (a retracted post's public page). */
    retargetPost: (postId: string, target: string, tx: Executor): Promise<void> =>
      repo.retargetPost(postId, target, tx),
    /**
     * The member's own tracked link for one share, made once: a second call for the same share
     * returns the same code. Runs in the caller's transaction.
     */
    /**
     * linkForShare for many shares at once (a batch of share-link opens): one read, one insert,
     * and another insert only for the rare code that was taken. Answers share id → code.
     */
    /** `fresh`: the share row was created in this transaction, so no link of it can exist yet. */
    async linksForShares(
      inputs: { shareId: string; postId: string; target: string; fresh?: boolean }[],
      tx: Executor,
    ): Promise<Map<string, string>> {
      const codes = new Map<string, string>();
      for (const row of await repo.findByShares(
        inputs.filter((i) => !i.fresh).map((i) => i.shareId),
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
