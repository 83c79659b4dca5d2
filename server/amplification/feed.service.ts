// The share feed and sharing itself. A member shares by their own hand: Loa records that they
// opened the platform's share screen with their own tracked link, and what the screen answered.
// No bulk share, no share for someone else: every write is the signed-in member's own.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database, Executor } from '../db/database.ts';
import type { PostCard, SharePlatform } from '../db/schema.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { fromWallClock, toWallClock } from '../shared/zoned-time.ts';
import { createBatcher } from '../shared/batcher.ts';
import { JsonText } from '../shared/json-text.ts';
import { LRUCache } from 'lru-cache';
import type { MemberMark, MemberState, MemberStateCache } from './member-state-cache.ts';
import type { FeedPostRow, PostsFeedRepo } from '../posts/feed.repo.ts';
import type { OpenValues, ShareRow, ShareRulesRow, SharesRepo } from './shares.repo.ts';
import { readShareToken, shareToken } from './share-token.ts';
import { ConsentRequiredError } from './members.service.ts';

export const FEED_PLATFORMS: readonly SharePlatform[] = ['facebook', 'zalo', 'other'];
/** How long a unit's feed page is reused: a retraction shows within this, sharing never lags. */
export const FEED_CACHE_MS = 2000;
const FEED_CACHE_ENTRIES = 5000;
/** Members × posts whose signed share links are kept (about half a kilobyte each). */
const SHARE_LINKS_CACHE_ENTRIES = 40_000;

interface PreparedItem {
  row: FeedPostRow;
  common: {
    postId: string;
    title: string;
    text: string;
    card: { url: string; width: number; height: number; altText: string } | null;
    publicUrl: string;
    suggestedCaptions: string[];
    publishedAt: string;
    urgent: boolean;
  };
  supersededBy: { postId: string; publicUrl: string | null } | null;
  head: string;
  tail: string;
}

export class ShareCapError extends AppError {
  constructor(cap: number) {
    super(
      429,
      'share_cap_reached',
      `Your unit allows ${cap} shares a day and you have reached it; you can share again tomorrow`,
      { dailyCap: cap },
    );
  }
}

export interface FeedDeps {
  db: Database;
  repo: SharesRepo;
  posts: Pick<PostsFeedRepo, 'feed'>;
  audit: AuditRecorder;
  requireConsent: (actor: Actor) => Promise<unknown>;
  units: { findById(id: string): Promise<unknown> };
  links: {
    linkForShare(input: { shareId: string; postId: string; target: string }, tx: Executor): Promise<string>;
    linksForShares(
      inputs: { shareId: string; postId: string; target: string; fresh?: boolean }[],
      tx: Executor,
    ): Promise<Map<string, string>>;
  };
  /** 2–3 suggested captions for a published post (from its template, else from its title). */
  captionsFor: (post: {
    id: string;
    templateId: string | null;
    variables: Record<string, string>;
    title: string;
  }) => Promise<string[]>;
  cardUrl: (card: PostCard) => string;
  /** The members' consent and share marks, remembered briefly; forgotten on every change here. */
  memberStates: MemberStateCache;
  settings: {
    publicUrl: string;
    timeZone: string;
    secretKey: string;
    facebookAppId: string;
    /** Where people's browsers reach Facebook (FACEBOOK_WWW_URL): the Share Dialog lives there. */
    facebookWwwUrl: () => string;
    /** The consent text in force: the feed answers consent_required to anyone who has not accepted it. */
    consentVersion: number;
  };
  now?: () => Date;
}

export function createFeedService(deps: FeedDeps) {
  const { db, repo, audit, settings } = deps;
  const now = deps.now ?? (() => new Date());
  const base = settings.publicUrl;
  const memberStates = deps.memberStates;

  const shareUrl = (userId: string, postId: string, platform: SharePlatform) =>
    `${base}/s/${shareToken(settings.secretKey, { userId, postId, platform })}`;

  // A member's three share links for a post, serialised: each is an HMAC, and they never change,
  // so a member reloading their feed signs nothing. Bounded: a miss only costs the signing.
  const shareLinksCache = new LRUCache<string, string>({ max: SHARE_LINKS_CACHE_ENTRIES });
  function shareLinksJson(userId: string, postId: string): string {
    const key = `${userId}${postId}`;
    let json = shareLinksCache.get(key);
    if (json === undefined) {
      json = JSON.stringify(
        FEED_PLATFORMS.map((platform) => ({ platform, url: shareUrl(userId, postId, platform) })),
      );
      shareLinksCache.set(key, json);
    }
    return json;
  }

  /** A feed item without what belongs to the member, built once per unit page and kept serialised. */
  async function prepareItem(row: FeedPostRow): Promise<PreparedItem> {
    const superseded = row.supersededBy !== null;
    const common = {
      postId: row.id,
      title: row.title,
      text: row.text,
      card: row.card
        ? {
            url: deps.cardUrl(row.card),
            width: row.card.width,
            height: row.card.height,
            altText: row.card.altText,
          }
        : null,
      publicUrl: `${base}/w/${row.slug}`,
      suggestedCaptions: superseded ? [] : await deps.captionsFor(row),
      publishedAt: row.publishedAt.toISOString(),
      urgent: row.urgent,
    };
    const supersededBy =
      superseded && row.supersededBy
        ? {
            postId: row.supersededBy,
            publicUrl: row.successorSlug ? `${base}/w/${row.successorSlug}` : null,
          }
        : null;
    return {
      row,
      common,
      supersededBy,
      // `{…,"urgent":x` and `,"supersededBy":…}`: the member's marks and links go in between.
      head: JSON.stringify(common).slice(0, -1),
      tail: `,"supersededBy":${JSON.stringify(supersededBy)}}`,
    };
  }

  const marksJson = (marks: readonly MemberMark[] | undefined) =>
    marks && marks.length > 0
      ? JSON.stringify(marks.map((m) => ({ platform: m.platform, at: m.at.toISOString() })))
      : '[]';

  // Every member of a unit sees the same posts: a unit's page is kept for a moment, so a crowd
  // opening the feed after a notification costs one query per unit, not one per member, and
  // its items are serialised once per refresh. Sharing re-checks the post itself.
  // The page being read is kept too (a promise), so when a page expires under a crowd one query
  // refreshes it instead of one per member who arrived meanwhile.
  const unitPages = new Map<string, { until: number; items: Promise<PreparedItem[]> }>();
  async function unitPage(
    unitId: string | null,
    limit: number,
    before: { at: Date; id: string } | undefined,
  ): Promise<PreparedItem[]> {
    const key = `${unitId ?? ''}|${limit}|${before ? `${before.at.getTime()}_${before.id}` : ''}`;
    const at = now().getTime();
    const cached = unitPages.get(key);
    if (cached && cached.until > at) {
      const items = await cached.items;
      return items.filter(({ row }) => row.notAfter === null || row.notAfter.getTime() > at);
    }
    const items = deps.posts
      .feed(unitId, { limit, ...(before && { before }) })
      .then((rows) => Promise.all(rows.map(prepareItem)));
    if (unitPages.size >= FEED_CACHE_ENTRIES) unitPages.clear();
    const entry = { until: at + FEED_CACHE_MS, items };
    unitPages.set(key, entry);
    try {
      return await items;
    } catch (error) {
      // A failed read is not kept: the next request tries again.
      if (unitPages.get(key) === entry) unitPages.delete(key);
      throw error;
    }
  }

  /** The member's consent and share marks for these posts (remembered briefly, see member-state-cache.ts). */
  async function memberState(userId: string, postIds: string[]): Promise<MemberState> {
    return memberStates.get(userId, postIds, now().getTime(), async () => {
      const { consentVersion, marks } = await repo.consentAndMarks(userId, postIds);
      const byPost = new Map<string, MemberMark[]>();
      for (const m of marks) {
        const list = byPost.get(m.postId);
        if (list) list.push({ platform: m.platform, at: m.at });
        else byPost.set(m.postId, [{ platform: m.platform, at: m.at }]);
      }
      return { consentVersion, marks: byPost };
    });
  }

  /** One page of the member's feed: the unit's prepared items, the member's marks, the cursor. */
  async function feedParts(actor: Actor, page: { limit: number; cursor?: string | undefined }) {
    if (actor.role !== 'member') throw new ForbiddenError('Only members have a share feed');
    let before: { at: Date; id: string } | undefined;
    if (page.cursor) {
      const [at, id] = page.cursor.split('_');
      const date = new Date(Number(at));
      if (!id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(date.getTime())) {
        throw new ValidationError([{ path: 'query.cursor', message: 'not a cursor from this feed' }]);
      }
      before = { at: date, id };
    }
    const items = await unitPage(actor.unitId, page.limit + 1, before);
    const shown = items.slice(0, page.limit);
    // The consent check rides on the same (remembered) read as the member's share marks.
    const state = await memberState(
      actor.id,
      shown.map((item) => item.row.id),
    );
    if (state.consentVersion !== settings.consentVersion) throw new ConsentRequiredError();
    const last = items.length > page.limit ? items[page.limit - 1] : undefined;
    return {
      shown,
      marks: state.marks,
      nextCursor: last ? `${last.row.publishedAt.getTime()}_${last.row.id}` : null,
    };
  }

  async function feed(actor: Actor, page: { limit: number; cursor?: string | undefined }) {
    const { shown, marks, nextCursor } = await feedParts(actor, page);
    const items = shown.map((item) => ({
      ...item.common,
      shared: (marks.get(item.row.id) ?? []).map((m) => ({ platform: m.platform, at: m.at.toISOString() })),
      shareLinks:
        item.supersededBy !== null
          ? []
          : (JSON.parse(shareLinksJson(actor.id, item.row.id)) as { platform: SharePlatform; url: string }[]),
      supersededBy: item.supersededBy,
    }));
    return { items, nextCursor };
  }

  /** The same answer as `feed`, serialised: the unit's part of each item is spliced in as kept. */
  async function feedJson(actor: Actor, page: { limit: number; cursor?: string | undefined }) {
    const { shown, marks, nextCursor } = await feedParts(actor, page);
    let text = '{"items":[';
    for (let i = 0; i < shown.length; i += 1) {
      const item = shown[i] as PreparedItem;
      const links = item.supersededBy !== null ? '[]' : shareLinksJson(actor.id, item.row.id);
      text += `${i > 0 ? ',' : ''}${item.head},"shared":${marksJson(marks.get(item.row.id))},"shareLinks":${links}${item.tail}`;
    }
    return new JsonText(`${text}],"nextCursor":${JSON.stringify(nextCursor)}}`);
  }

  /** Share hours (local, [from, to)): a clear refusal, and nothing recorded. */
  function checkHours(rules: ShareRulesRow | undefined, at: Date): void {
    if (!rules || rules.hoursFrom === null || rules.hoursTo === null) return;
    const hour = toWallClock(at, settings.timeZone).getUTCHours();
    if (hour < rules.hoursFrom || hour >= rules.hoursTo) {
      throw new ConflictError(
        `Your unit shares between ${rules.hoursFrom}:00 and ${rules.hoursTo}:00; try again then`,
        'outside_share_hours',
        { hoursFrom: rules.hoursFrom, hoursTo: rules.hoursTo },
      );
    }
  }

  /** The daily cap (shares started since local midnight, cancelled ones aside). */
  async function checkCap(actor: Actor, cap: number, at: Date, tx: Executor): Promise<void> {
    const wall = toWallClock(at, settings.timeZone);
    const midnight = fromWallClock(
      new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate())),
      settings.timeZone,
    );
    if ((await repo.countSince(actor.id, midnight, tx)) >= cap) throw new ShareCapError(cap);
  }

  /**
   * Records that the member started sharing the post on a platform (once per member × post ×
   * platform: a second visit reuses the row and the link) and makes their tracked link.
   */
  interface OpenItem {
    actor: Actor;
    values: OpenValues;
    target: string;
    via: 'share_link' | 'web_share';
  }

  /**
   * The writes of one share (the row, the member's tracked link, the audit entry) for many
   * members in one transaction of four statements: a crowd opening their links after a
   * notification would otherwise cost a transaction (and a WAL flush) each. Repeats of the same
   * member × post × platform within a batch become one row counting every open; each open keeps
   * its own audit entry, with the count as it stood after that open.
   */
  async function writeOpens(items: OpenItem[]): Promise<ShareRow[]> {
    const written = await db.transaction(async (tx) => {
      const keyOf = (v: OpenValues) => `${v.userId}|${v.postId}|${v.platform}`;
      const merged = new Map<string, OpenValues & { opens: number }>();
      for (const { values } of items) {
        const key = keyOf(values);
        const seen = merged.get(key);
        if (!seen) merged.set(key, { ...values, opens: 1 });
        else {
          seen.opens += 1;
          // In order, a later 'shared' moves an 'opened' row on; a later 'opened' never moves back.
          if (seen.status === 'opened' && values.status === 'shared') {
            seen.status = 'shared';
            seen.completedAt = values.completedAt;
          }
        }
      }
      const rows = new Map(
        (await repo.upsertOpens([...merged.values()], tx)).map((row) => [
          `${row.userId}|${row.postId}|${row.platform}`,
          row,
        ]),
      );
      const needLinks = [...rows.values()].filter((row) => !row.linkCode);
      if (needLinks.length > 0) {
        const targets = new Map(items.map((item) => [keyOf(item.values), item.target]));
        const codes = await deps.links.linksForShares(
          needLinks.map((row) => ({
            shareId: row.id,
            postId: row.postId,
            target: targets.get(`${row.userId}|${row.postId}|${row.platform}`) ?? '',
            fresh: row.fresh,
          })),
          tx,
        );
        const pairs = needLinks.map((row) => ({ id: row.id, linkCode: codes.get(row.id) ?? '' }));
        await repo.setLinkCodes(pairs, tx);
        for (const row of needLinks) row.linkCode = codes.get(row.id) ?? null;
      }
      // The row's count after each open: the last open of a key sees the total.
      const remaining = new Map<string, number>();
      for (const { values } of items) remaining.set(keyOf(values), (remaining.get(keyOf(values)) ?? 0) + 1);
      const results = items.map(({ values }) => {
        const key = keyOf(values);
        const row = rows.get(key);
        if (!row) throw new Error('upsert returned no row');
        const left = (remaining.get(key) ?? 1) - 1;
        remaining.set(key, left);
        const { fresh: _fresh, ...share } = row;
        return { ...share, opens: row.opens - left };
      });
      await audit(
        items.map(({ actor, values, via }, i) => {
          const row = results[i] as ShareRow;
          return {
            ...actorAudit(actor),
            action: values.status === 'shared' ? 'member.shared' : 'member.share_opened',
            targetType: 'post',
            targetId: values.postId,
            details: {
              shareId: row.id,
              platform: values.platform,
              via,
              link: row.linkCode,
              opens: row.opens,
            },
          };
        }),
        tx,
      );
      return results;
    });
    // Committed: the next feed of these members reads their marks again.
    for (const item of items) memberStates.forget(item.actor.id);
    return written;
  }
  const opens = createBatcher(writeOpens, { maxBatch: 200 });
  // The reads before an open, for every open that arrived while the previous read ran: a crowd
  // costs one query per batch instead of one per member. Read-only, so batching changes nothing.
  const contexts = createBatcher(
    (items: { userId: string; unitId: string | null; postId: string }[]) => repo.openContexts(items),
    { maxBatch: 200 },
  );

  async function startShare(
    actor: Actor,
    postId: string,
    platform: SharePlatform,
    how: { via: 'share_link' | 'web_share'; status: 'opened' | 'shared' },
  ): Promise<{ share: ShareRow; linkUrl: string; post: { id: string; slug: string } }> {
    if (actor.role !== 'member') throw new ForbiddenError('Only members have a share feed and consent');
    // Consent, the post and the unit's rules in one (shared) round trip; the consent refusal comes first.
    const context = await contexts.push({ userId: actor.id, unitId: actor.unitId, postId });
    if (context.consentVersion !== settings.consentVersion) throw new ConsentRequiredError();
    const post = context.post;
    if (!post) throw new NotFoundError('Shareable post');
    const at = now();
    const { rules } = context;
    checkHours(rules, at);
    const cap = rules?.dailyCap ?? null;
    const values: OpenValues = {
      userId: actor.id,
      postId,
      platform,
      unitId: actor.unitId,
      status: how.status,
      openedAt: at,
      completedAt: how.status === 'shared' ? at : null,
    };
    const target = `${base}/w/${post.slug}`;
    const share =
      cap === null
        ? await opens.push({ actor, values, target, via: how.via })
        : await db.transaction(async (tx) => {
            // With a cap, the count and the new row must not interleave with the member's other taps.
            await repo.lockMember(actor.id, tx);
            const existing = await repo.find({ userId: actor.id, postId, platform }, tx);
            let row: ShareRow;
            if (existing) {
              row = await repo.upsertOpen(values, tx);
            } else {
              await checkCap(actor, cap, at, tx);
              row = await repo.insert(values, tx);
            }
            if (!row.linkCode) {
              const code = await deps.links.linkForShare({ shareId: row.id, postId, target }, tx);
              row = await repo.update(row.id, { linkCode: code }, tx);
            }
            await audit(
              {
                ...actorAudit(actor),
                action: how.status === 'shared' ? 'member.shared' : 'member.share_opened',
                targetType: 'post',
                targetId: postId,
                details: { shareId: row.id, platform, via: how.via, link: row.linkCode, opens: row.opens },
              },
              tx,
            );
            return row;
          });
    if (cap !== null) memberStates.forget(actor.id);
    return { share, linkUrl: `${base}/l/${share.linkCode ?? ''}`, post };
  }

  function ownToken(actor: Actor, token: string) {
    const parts = readShareToken(settings.secretKey, token);
    if (!parts) throw new NotFoundError('Share link');
    if (parts.userId !== actor.id) {
      throw new ForbiddenError(
        'This share link belongs to another member: share from your own feed',
        'not_your_share',
      );
    }
    return parts;
  }

  /** `/s/:token`: where to send the member's browser next. */
  async function openShareLink(actor: Actor, token: string) {
    const parts = ownToken(actor, token);
    if (parts.platform !== 'facebook') {
      const started = await startShare(actor, parts.postId, parts.platform, {
        via: 'share_link',
        status: 'shared',
      });
      return { kind: 'copy' as const, ...started };
    }
    const started = await startShare(actor, parts.postId, 'facebook', {
      via: 'share_link',
      status: 'opened',
    });
    const dialog = new URL('/dialog/share', settings.facebookWwwUrl());
    dialog.searchParams.set('app_id', settings.facebookAppId);
    dialog.searchParams.set('href', started.linkUrl);
    dialog.searchParams.set('redirect_uri', `${base}/s/${token}/done`);
    dialog.searchParams.set('display', 'page');
    return { kind: 'redirect' as const, location: dialog.href, ...started };
  }

  /** The Share Dialog came back: shared, or cancelled (`error_code=4201`). */
  async function completeShareLink(actor: Actor, token: string, outcome: { errorCode?: string | undefined }) {
    const parts = ownToken(actor, token);
    await deps.requireConsent(actor);
    const completed = await db.transaction(async (tx) => {
      const share = await repo.find({ userId: actor.id, postId: parts.postId, platform: parts.platform }, tx);
      if (!share) throw new NotFoundError('Share');
      const cancelled = outcome.errorCode !== undefined;
      if (share.status === 'shared' && cancelled) return share;
      const row =
        share.status === (cancelled ? 'cancelled' : 'shared')
          ? share
          : await repo.update(
              share.id,
              { status: cancelled ? 'cancelled' : 'shared', completedAt: now() },
              tx,
            );
      await audit(
        {
          ...actorAudit(actor),
          action: cancelled ? 'member.share_cancelled' : 'member.shared',
          targetType: 'post',
          targetId: parts.postId,
          details: {
            shareId: share.id,
            platform: parts.platform,
            via: 'share_dialog',
            ...(cancelled && { errorCode: outcome.errorCode }),
          },
        },
        tx,
      );
      return row;
    });
    memberStates.forget(actor.id);
    return completed;
  }

  /** Web Share API or copy: the page reports that the member shared through another app. */
  async function shareIntent(actor: Actor, postId: string, platform: SharePlatform) {
    const started = await startShare(actor, postId, platform, { via: 'web_share', status: 'shared' });
    return {
      shareId: started.share.id,
      platform,
      status: started.share.status,
      url: started.linkUrl,
      at: (started.share.completedAt ?? started.share.openedAt).toISOString(),
    };
  }

  async function setRules(
    actor: Actor,
    unitId: string,
    input: { dailyCap: number | null; hoursFrom: number | null; hoursTo: number | null },
  ) {
    if (actor.role !== 'admin') throw new ForbiddenError('Only an admin sets share rules');
    if (
      (input.hoursFrom === null) !== (input.hoursTo === null) ||
      (input.hoursFrom !== null && input.hoursTo !== null && input.hoursFrom >= input.hoursTo)
    ) {
      throw new ValidationError([{ path: 'hoursTo', message: 'give both hours, the end after the start' }]);
    }
    if (!(await deps.units.findById(unitId))) throw new NotFoundError('Unit');
    return db.transaction(async (tx) => {
      const row = await repo.setRules(
        { unitId, ...input, updatedBy: actor.via === 'system' ? null : actor.id },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'unit.share_rules_set',
          targetType: 'unit',
          targetId: unitId,
          details: input,
        },
        tx,
      );
      return row;
    });
  }

  async function myShares(actor: Actor) {
    if (actor.role !== 'member') throw new ForbiddenError('Only members have shares');
    const rows = await repo.memberShares(actor.id);
    return rows.map((r) => ({
      shareId: r.id,
      postId: r.postId,
      title: r.title,
      platform: r.platform,
      status: r.status,
      openedAt: r.openedAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
      link: r.linkCode ? `${base}/l/${r.linkCode}` : null,
      clicks: r.clicks,
      uniqueVisitors: r.uniqueVisitors,
      source: 'loa' as const,
    }));
  }

  /** The feed page: the feed plus, per post, the member's shares and the clicks on their links. */
  async function feedPage(actor: Actor, page: { limit: number; cursor?: string | undefined }) {
    const [result, shares] = await Promise.all([feed(actor, page), repo.memberShares(actor.id)]);
    const clicksByPost = new Map<string, number>();
    for (const s of shares) clicksByPost.set(s.postId, (clicksByPost.get(s.postId) ?? 0) + s.clicks);
    return {
      ...result,
      items: result.items.map((item) => ({ ...item, clicks: clicksByPost.get(item.postId) ?? 0 })),
    };
  }

  return {
    feed,
    feedJson,
    feedPage,
    openShareLink,
    completeShareLink,
    shareIntent,
    setRules,
    myShares,
    shareUrl,
  };
}

export type FeedService = ReturnType<typeof createFeedService>;
