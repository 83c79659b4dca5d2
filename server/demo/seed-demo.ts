// The living demo: a province with ten communes, its people and members, channels on the mock
// platforms and a month-long campaign (the past fortnight published, with engagement, shares and
// clicks collected; the next fortnight scheduled, in review or drafted). Everything is made
// through Loa's own services and the mocks' control plane (MOCK-PLATFORMS.md), never by writing
// tables: what the demo shows is what Loa itself would have recorded.
//
// Time. Loa's publishing and collecting run on the database's clock, so the past fortnight's
// posts are written and approved at their own dates (the posts module reads `clock`), go out
// through the worker as soon as they are approved (late, which publishing records), and their
// engagement is simulated by moving the mocks' clock a day at a time between them: on the
// platforms the oldest post has a fortnight of reactions, the newest a day.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Actor } from '../auth/actor.ts';
import { SYSTEM_ACTOR } from '../auth/actor.ts';
import type { Container, MockPlatformUrls } from '../container.ts';
import type { Logger } from '../logger.ts';
import { fromWallClock, toWallClock } from '../shared/zoned-time.ts';
import {
  DEMO_CAMPAIGN,
  DEMO_CHANNELS,
  DEMO_COMMUNES,
  DEMO_MEMBERS,
  DEMO_POSTS,
  DEMO_PROVINCE,
  DEMO_STAFF,
  type DemoChannel,
  type DemoPostPlan,
} from './demo-data.ts';

/** The posts module's time: the real time, or a moment the seed moves it to while it writes the past. */
export interface DemoClock {
  now(): Date;
  travelTo(at: Date | null): void;
}

export function createDemoClock(realNow: () => Date = () => new Date()): DemoClock {
  let fixed: Date | null = null;
  return {
    now: () => (fixed ? new Date(fixed) : realNow()),
    travelTo(at) {
      fixed = at ? new Date(at) : null;
    },
  };
}

export interface DemoPasswords {
  admin: string;
  editor: string;
  reviewer: string;
  member: string;
}

export interface DemoLogin {
  role: string;
  email: string;
  name: string;
  unit: string | null;
}

export interface DemoSummary {
  province: string;
  communes: number;
  staff: number;
  members: number;
  channels: number;
  campaign: string;
  posts: Record<'published' | 'scheduled' | 'in_review' | 'draft', number>;
  publications: number;
  memberShares: number;
  clicks: number;
  snapshots: number;
}

export type SeedResult =
  { created: true; summary: DemoSummary; logins: DemoLogin[] } | { created: false; logins: DemoLogin[] };

export interface SeedDeps {
  container: Container;
  /** The mock platforms' base URLs (their control plane is under /_mock). */
  mocks: MockPlatformUrls;
  /** The same clock the container's posts module was built with. */
  clock: DemoClock;
  logger: Logger;
  /** Where the shipped pictures are (the repository's media/). */
  mediaRoot: string;
  /** How long to wait for the worker to publish a post (default 60 s). */
  publishTimeoutMs?: number;
}

/** A small deterministic generator: the same demo every time. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function control<T>(base: string, route: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base.replace(/\/+$/, '')}/_mock${route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`mock ${route} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The mock Page or OA for a demo channel, made in DEMO_CHANNELS order. */
async function mockAccount(mocks: MockPlatformUrls, channel: DemoChannel) {
  if (channel.platform === 'facebook') {
    const page = await control<{ id: string; name: string; access_token: string }>(mocks.facebook, '/pages', {
      name: channel.name,
      fan_count: channel.fans ?? 1000,
    });
    return { externalId: page.id, accessToken: page.access_token };
  }
  const oa = await control<{
    oa_id: string;
    access_token: string;
    refresh_token: string;
    expires_in?: string;
  }>(mocks.zalo, '/oas', { name: channel.name });
  return {
    externalId: oa.oa_id,
    accessToken: oa.access_token,
    refreshToken: oa.refresh_token,
    expiresIn: Number(oa.expires_in) || 90_000,
  };
}

export async function demoExists(container: Container): Promise<boolean> {
  const units = await container.users.listAllUnits();
  return units.some((unit) => unit.parentId === null && unit.name === DEMO_PROVINCE.name);
}

export function demoLogins(): DemoLogin[] {
  const communeName = (key: string | null) =>
    key === null
      ? null
      : key === 'province'
        ? DEMO_PROVINCE.name
        : (DEMO_COMMUNES.find((c) => c.key === key)?.name ?? key);
  return [
    ...DEMO_STAFF.map((s) => ({ role: s.role, email: s.email, name: s.name, unit: communeName(s.unit) })),
    ...DEMO_MEMBERS.map((m) => ({ role: 'member', email: m.email, name: m.name, unit: communeName(m.unit) })),
  ];
}

/**
 * A later start of the demo: the in-process mocks begin empty, so the demo's Pages and OAs are
 * made again, in the same order (the same ids), and each channel reconnected with its new token.
 * Runs before the worker takes jobs, so nothing is published with a token the mocks forgot.
 */
export async function reconnectDemoChannels(
  deps: Pick<SeedDeps, 'container' | 'mocks' | 'logger'>,
): Promise<number> {
  const { container, mocks, logger } = deps;
  const existing = await container.channels.list(SYSTEM_ACTOR);
  let reconnected = 0;
  for (const plan of DEMO_CHANNELS) {
    const account = await mockAccount(mocks, plan);
    const row = existing.find((c) => c.platform === plan.platform && c.externalId === account.externalId);
    if (!row || row.name !== plan.name) {
      logger.warn(
        { channel: plan.name, externalId: account.externalId },
        'demo channel not found again on the mocks',
      );
      continue;
    }
    await container.channels.connect(SYSTEM_ACTOR, {
      platform: plan.platform,
      externalId: account.externalId,
      accessToken: account.accessToken,
      ...(account.refreshToken ? { refreshToken: account.refreshToken, expiresIn: account.expiresIn } : {}),
      unitId: row.unitId,
    });
    reconnected++;
  }
  return reconnected;
}

export async function seedDemo(deps: SeedDeps, passwords: DemoPasswords): Promise<SeedResult> {
  const { container: c, mocks, clock, logger } = deps;
  const log = logger.child({ module: 'demo' });
  if (await demoExists(c)) return { created: false, logins: demoLogins() };
  const zone = c.config.timeZone;
  const random = rng(20_261_201);
  const realStart = new Date();
  const picture = (relative: string) => readFile(path.join(deps.mediaRoot, relative));

  // The mock side first, in a fixed order, before anything else takes an id on the mocks.
  const accounts = [];
  for (const plan of DEMO_CHANNELS) accounts.push(await mockAccount(mocks, plan));

  // Pictures into the media library: logos by the system, the posts' pictures by the province's
  // editor (an image belongs to its uploader's unit and the units below may not use it).
  const mediaIds = new Map<string, string>();
  const upload = async (relative: string, altText: string, by: Actor = SYSTEM_ACTOR) => {
    const row = await c.media.upload(by, {
      data: await picture(relative),
      originalName: path.basename(relative),
      altText,
    });
    mediaIds.set(relative, row.id);
    return row.id;
  };

  // The province and its communes, with profiles and logos.
  const province = await c.users.createUnit(SYSTEM_ACTOR, {
    name: DEMO_PROVINCE.name,
    profile: DEMO_PROVINCE.profile,
  });
  await c.units.setLogo(
    SYSTEM_ACTOR,
    province.id,
    await upload(DEMO_PROVINCE.logo, `Biểu trưng ${DEMO_PROVINCE.name}`),
  );
  const unitIds = new Map<string, string>([['province', province.id]]);
  for (const commune of DEMO_COMMUNES) {
    const unit = await c.users.createUnit(SYSTEM_ACTOR, {
      name: commune.name,
      parentId: province.id,
      profile: {
        shortName: commune.shortName,
        hotline: commune.hotline,
        area: commune.area,
        address: commune.address,
      },
    });
    await c.units.setLogo(SYSTEM_ACTOR, unit.id, await upload(commune.logo, `Biểu trưng ${commune.name}`));
    unitIds.set(commune.key, unit.id);
  }
  const unitOf = (key: string | null) => (key === null ? null : (unitIds.get(key) ?? null));

  // People.
  const actors = new Map<string, Actor>();
  for (const staff of DEMO_STAFF) {
    const user = await c.users.createUser(SYSTEM_ACTOR, {
      email: staff.email,
      name: staff.name,
      password: passwords[staff.role],
      role: staff.role,
      unitId: unitOf(staff.unit),
    });
    actors.set(staff.key, await c.auth.actorFor(user, 'token', null));
  }
  const admin = actors.get('admin') ?? SYSTEM_ACTOR;

  // Members: consent accepted, some listed by name, each with a person on the mock Facebook.
  const members: Array<{ actor: Actor; mockUser: { id: string; access_token: string } }> = [];
  for (const member of DEMO_MEMBERS) {
    const user = await c.users.createUser(SYSTEM_ACTOR, {
      email: member.email,
      name: member.name,
      password: passwords.member,
      role: 'member',
      unitId: unitOf(member.unit),
    });
    const actor = await c.auth.actorFor(user, 'token', null);
    await c.amplification.members.acceptConsent(actor, c.amplification.members.consent.version);
    await c.amplification.members.updateSettings(actor, { listedInStats: member.listed });
    const mockUser = await control<{ id: string; access_token: string }>(mocks.facebook, '/users', {
      name: member.name,
      friends: member.friends,
    });
    members.push({ actor, mockUser });
  }

  // Channels, each in its unit.
  const channelIds: string[] = [];
  for (const [i, plan] of DEMO_CHANNELS.entries()) {
    const account = accounts[i];
    if (!account) throw new Error('demo channel without a mock account');
    const row = await c.channels.connect(admin, {
      platform: plan.platform,
      externalId: account.externalId,
      name: plan.name,
      accessToken: account.accessToken,
      ...(account.refreshToken ? { refreshToken: account.refreshToken, expiresIn: account.expiresIn } : {}),
      unitId: unitOf(plan.unit),
    });
    channelIds.push(row.id);
  }

  const today = toWallClock(realStart, zone);
  const dayAt = (day: number, hour: number) =>
    fromWallClock(
      new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + day, hour)),
      zone,
    );
  const editor = actors.get('editor');
  const editorCommune = actors.get('editor-commune');
  const reviewer = actors.get('reviewer');
  const reviewerCommune = actors.get('reviewer-commune');
  if (!editor || !editorCommune || !reviewer || !reviewerCommune) throw new Error('demo staff missing');
  for (const relative of new Set(DEMO_POSTS.flatMap((p) => [p.background, p.photo]))) {
    if (relative && !mediaIds.has(relative)) await upload(relative, 'Ảnh minh họa của bản demo Loa', editor);
  }
  clock.travelTo(dayAt(-15, 9));
  const campaign = await c.campaigns.create(editor, {
    name: DEMO_CAMPAIGN.name,
    description: DEMO_CAMPAIGN.description,
    startsAt: dayAt(-14, 0),
    endsAt: dayAt(14, 23),
  });

  const counts = { published: 0, scheduled: 0, in_review: 0, draft: 0 };
  let memberShares = 0;
  let clicks = 0;
  const published: Array<{ postId: string; publicationIds: string[] }> = [];
  const browsers = [
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
    'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  ];
  const visitor = () => ({
    ip: `100.${64 + Math.floor(random() * 60)}.${Math.floor(random() * 255)}.${1 + Math.floor(random() * 250)}`,
    userAgent: browsers[Math.floor(random() * browsers.length)] ?? browsers[0] ?? '',
  });
  /** People following a tracked link, and the platforms' link-preview fetchers (counted apart, as bots). */
  const visit = async (code: string | null, people: number) => {
    if (!code) return;
    for (let i = 0; i < people; i++) if (await c.links.follow(code, visitor())) clicks++;
    await c.links.follow(code, { ip: '69.171.249.1', userAgent: 'facebookexternalhit/1.1' });
  };

  const plans = [...DEMO_POSTS].sort((a, b) => a.day - b.day || a.hour - b.hour);
  const pastPlans = plans.filter((p) => p.state === 'published');
  for (const [index, plan] of plans.entries()) {
    const isPast = plan.state === 'published';
    const author = plan.author === 'editor' ? editor : editorCommune;
    const approver = plan.author === 'editor' ? reviewer : reviewerCommune;
    const at = dayAt(plan.day, plan.hour);
    // The past is written the evening before its date; the future today.
    clock.travelTo(isPast ? new Date(at.getTime() - 14 * 3_600_000) : null);
    const post = await c.posts.createPost(author, {
      templateId: plan.template,
      variables: { date: toWallClock(at, zone).toISOString().slice(0, 10) },
      withCard: true,
      ...(plan.background ? { backgroundMediaId: mediaIds.get(plan.background) ?? null } : {}),
      ...(plan.photo ? { mediaIds: [mediaIds.get(plan.photo) ?? ''].filter(Boolean) } : {}),
      channelIds: plan.channels.map((i) => channelIds[i] ?? '').filter(Boolean),
      scheduledAt: at,
      campaignId: campaign.id,
    });
    counts[plan.state]++;
    if (plan.state === 'draft') continue;
    await c.postWorkflow.submit(author, post.id);
    if (plan.state === 'in_review') continue;
    if (isPast) clock.travelTo(new Date(at.getTime() - 2 * 3_600_000));
    await c.postWorkflow.approve(approver, post.id, { comment: 'Đồng ý đăng.' });
    if (!isPast) continue;
    clock.travelTo(null);

    const publications = await waitForPublished(c, post.id, deps.publishTimeoutMs ?? 60_000);
    published.push({ postId: post.id, publicationIds: publications.map((p) => p.id) });
    for (const publication of publications) await visit(publication.linkCode, 4 + Math.floor(random() * 12));

    // Members share it: some on Facebook through the mock's control plane (what the Share
    // Dialog's "Post" records), some through another app (Zalo, the Web Share API).
    for (const member of members) {
      const roll = random();
      if (roll < 0.3) {
        const token =
          c.amplification.feed.shareUrl(member.actor.id, post.id, 'facebook').split('/s/')[1] ?? '';
        const opened = await c.amplification.feed.openShareLink(member.actor, token);
        await control(
          mocks.facebook,
          `/users/${member.mockUser.id}/shares`,
          { link: opened.linkUrl, message: 'Mọi người cảnh giác nhé!' },
          member.mockUser.access_token,
        );
        await c.amplification.feed.completeShareLink(member.actor, token, {});
        memberShares++;
        await visit(opened.share.linkCode, 1 + Math.floor(random() * 6));
      } else if (roll < 0.42) {
        const shared = await c.amplification.feed.shareIntent(member.actor, post.id, 'zalo');
        memberShares++;
        await visit(shared.url.split('/l/')[1] ?? null, Math.floor(random() * 4));
      }
    }

    // On the platforms, a day (or two) passes before the next post.
    const next = pastPlans[pastPlans.indexOf(plan) + 1];
    const days = next ? next.day - plan.day : -plan.day;
    await control(mocks.facebook, '/clock/advance', { seconds: days * 86_400 });
    log.debug({ index, postId: post.id }, 'demo post published');
  }
  clock.travelTo(null);
  // A fortnight passed on the mocks: the Zalo OAs' 25-hour access tokens have expired there, so
  // they are refreshed (as Loa's refresh job would have done each day) before anything reads them.
  for (const [i, plan] of DEMO_CHANNELS.entries()) {
    const id = channelIds[i];
    if (plan.platform === 'zalo' && id) await c.channels.refreshCredentials(id);
  }

  // The real collector takes the snapshots: asked for early (as a webhook or "refresh" would),
  // twice, a few simulated hours apart, so every post has a curve.
  let snapshots = 0;
  for (const round of [0, 1]) {
    if (round > 0) await control(mocks.facebook, '/clock/advance', { seconds: 6 * 3600 });
    const since = new Date();
    for (const item of published) await c.engagement.refresh(admin, item.postId);
    snapshots += await collectAll(
      c,
      admin,
      published.map((p) => p.postId),
      since,
    );
  }

  return {
    created: true,
    logins: demoLogins(),
    summary: {
      province: province.name,
      communes: DEMO_COMMUNES.length,
      staff: DEMO_STAFF.length,
      members: DEMO_MEMBERS.length,
      channels: channelIds.length,
      campaign: campaign.name,
      posts: counts,
      publications: published.reduce((n, p) => n + p.publicationIds.length, 0),
      memberShares,
      clicks,
      snapshots,
    },
  };
}

/** Waits until the worker has published every publication of the post; a failure stops the seed. */
async function waitForPublished(c: Container, postId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await c.publishing.listForPost(postId);
    const failed = rows.find((r) => r.status === 'failed');
    if (failed)
      throw new Error(
        `demo post ${postId} failed on ${failed.channelName ?? failed.channelId}: ${failed.lastError ?? ''}`,
      );
    if (rows.length > 0 && rows.every((r) => r.status === 'published')) return rows;
    if (Date.now() > deadline)
      throw new Error(`demo post ${postId} not published within ${timeoutMs} ms: is the worker running?`);
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/**
 * Collection rounds until every publication of these posts has a snapshot fetched since `since`
 * (the worker's own collect job, queued by the refresh, may take some of them first).
 */
async function collectAll(c: Container, actor: Actor, postIds: string[], since: Date): Promise<number> {
  const publicationIds = (await Promise.all(postIds.map((id) => c.publishing.listForPost(id)))).flatMap(
    (rows) => rows.map((r) => r.id),
  );
  let collected = 0;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const summary = await c.engagement.collectDue({ publicationIds });
    collected += summary.collected;
    const stats = await Promise.all(postIds.map((id) => c.engagement.postStats(actor, id)));
    const fresh = stats.every((s) =>
      s.channels.every((ch) => ch.fetchedAt !== null && ch.fetchedAt >= since),
    );
    if (fresh) return collected;
    if (Date.now() > deadline) throw new Error('demo engagement not collected within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export type { DemoPostPlan };
