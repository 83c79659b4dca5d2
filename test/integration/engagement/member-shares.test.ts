// Members' shares in the engagement collector, against real PostgreSQL and the mock Share
// Dialog: a share made through the share flow is followed on the publications' schedule, its
// tracked-link clicks (bots apart) reach post stats, the overview's rollup and the CSV, a
// restart or a second worker doubles nothing, and the platform figures the app cannot read stay
// null with a reason instead of a made-up 0.
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { createEngagementRepo } from '../../../server/engagement/engagement.repo.ts';
import {
  createEngagementService,
  occurrenceOffsets,
  type EngagementSettings,
} from '../../../server/engagement/engagement.service.ts';
import { makeUser, signedInAgent } from '../../support/app.ts';
import { testLogger } from '../../support/database.ts';
import { mockFacebookPerson, startMembersHarness, type MembersHarness } from '../members/members-harness.ts';
import { mockCredentials } from '../publishing/harness.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const PHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';

const settings: EngagementSettings = {
  earlyOffsetsMinutes: [15, 60, 360, 1440, 4320, 10080],
  horizonDays: 90,
  batchSize: 50,
  claimSize: 200,
  metrics: ['post_media_view', 'post_clicks'],
  slowAtPercent: 80,
  stopAtPercent: 95,
  pauseMs: 10 * MIN,
  slowDelayMs: 0,
  retentionDays: 90,
  timeZone: 'Asia/Ho_Chi_Minh',
  facebookAppSecret: mockCredentials.facebookAppSecret,
  facebookVerifyToken: mockCredentials.facebookVerifyToken,
  zaloAppId: mockCredentials.zaloAppId,
  zaloOaSecretKey: mockCredentials.zaloOaSecretKey,
};

describe('engagement: members’ shares', function () {
  this.timeout(120_000);
  let h: MembersHarness;
  let clock: Date;
  const enqueued: unknown[] = [];

  /** A collector process (a fresh one is a restart: same database, nothing in memory). */
  function collector() {
    const c = h.t.c;
    return createEngagementService({
      db: c.database.db,
      repo: createEngagementRepo(c.database.db),
      connectors: c.connectors,
      channels: c.channels,
      notifications: c.notifications,
      memberShares: c.amplification.shareReach,
      metricUnavailableMessage: (v) => v.metric,
      enqueueCollect: async (payload) => {
        enqueued.push(payload);
      },
      settings,
      logger: testLogger,
      now: () => clock,
    });
  }

  const db = () => h.t.c.database.db;

  async function snapshots(shareId: string): Promise<number> {
    const result = await db().execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM share_snapshots WHERE share_id = ${shareId}`,
    );
    return result.rows[0]?.n ?? 0;
  }

  async function tracking(shareId: string) {
    const result = await db().execute<{
      occurrence: number;
      next_due_at: string | null;
      early_at: string | null;
      link_clicks: string;
    }>(
      sql`SELECT occurrence, next_due_at, early_at, link_clicks FROM share_engagement_tracking WHERE share_id = ${shareId}`,
    );
    return result.rows[0];
  }

  async function click(path: string, ip: string, userAgent = PHONE) {
    const res = await request(h.t.app).get(path).set('User-Agent', userAgent).set('X-Forwarded-For', ip);
    assert.equal(res.status, 302);
  }

  /** A member shares the post through /s/:token and the mock Share Dialog's "Post". */
  async function shareOnFacebook(member: Awaited<ReturnType<MembersHarness['member']>>, postId: string) {
    const person = await mockFacebookPerson(h, 'Lê Thị Chia Sẻ');
    const feed = await request(h.t.app).get('/api/v1/feed').set(member.auth);
    const url = feed.body.items
      .find((i: { postId: string }) => i.postId === postId)
      .shareLinks.find((l: { platform: string }) => l.platform === 'facebook').url as string;
    const { agent, ip } = await signedInAgent(h.t, member.user.email);
    const open = await agent.get(new URL(url).pathname).set('X-Forwarded-For', ip);
    assert.equal(open.status, 302);
    const dialog = new URL(open.headers.location as string);
    const posted = await fetch(new URL('/dialog/share', dialog), {
      method: 'POST',
      headers: { cookie: person.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        app_id: dialog.searchParams.get('app_id') ?? '',
        href: dialog.searchParams.get('href') ?? '',
        redirect_uri: dialog.searchParams.get('redirect_uri') ?? '',
        display: 'page',
        message: 'Mọi người đọc kỹ nhé',
        action: 'post',
      }),
      redirect: 'manual',
    });
    assert.equal(posted.status, 302);
    const back = new URL(posted.headers.get('location') ?? '');
    const done = await agent.get(`${back.pathname}${back.search}`).set('X-Forwarded-For', ip);
    assert.equal(done.status, 303);
    const mine = await request(h.t.app).get('/api/v1/me/shares').set(member.auth);
    const share = mine.body.items.find((s: { postId: string; status: string }) => s.postId === postId);
    assert.equal(share.status, 'shared');
    const href = dialog.searchParams.get('href') ?? '';
    return { shareId: String(share.shareId), path: new URL(href).pathname, href, person };
  }

  /** A member shares through another app (Web Share): recorded as shared at once. */
  async function shareElsewhere(member: Awaited<ReturnType<MembersHarness['member']>>, postId: string) {
    const res = await request(h.t.app)
      .post(`/api/v1/feed/${postId}/share-intent`)
      .set(member.auth)
      .send({ platform: 'zalo' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return {
      shareId: String(res.body.shareId),
      path: new URL(res.body.url as string).pathname,
      sharedAt: new Date(String(res.body.at)),
    };
  }

  /** One CSV line's cells (quoted cells may hold commas and doubled quotes). */
  function cells(line: string): string[] {
    const out: string[] = [];
    const pattern = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
    for (let match = pattern.exec(line); match; match = pattern.exec(line)) {
      const cell = match[1] ?? '';
      out.push(cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);
      if (match[2] === '') break;
    }
    return out;
  }

  const dayOf = (at: Date) => new Date(at.getTime() + 7 * HOUR).toISOString().slice(0, 10);
  /** A range around `at` wide enough that a shift across midnight in Vietnam changes nothing. */
  const around = (at: Date) => ({
    from: dayOf(new Date(at.getTime() - DAY)),
    to: dayOf(new Date(at.getTime() + DAY)),
  });

  before(async () => {
    h = await startMembersHarness();
  });
  after(() => h.close());

  it('counts a share made through the share flow in post stats, the overview and the CSV after a collection, bots apart', async () => {
    const unit = await h.unit('Công an xã Chia Sẻ');
    const post = await h.publishedPost([unit.id]);
    const a = await h.member(unit.id);
    const b = await h.member(unit.id);
    const editor = await makeUser(h.t, 'editor');
    const local = await makeUser(h.t, 'editor', { unitId: unit.id });

    const fb = await shareOnFacebook(a, post.id);
    const other = await shareElsewhere(b, post.id);
    for (const ip of ['10.7.0.1', '10.7.0.2', '10.7.0.2']) await click(fb.path, ip);
    await click(other.path, '10.7.0.3');
    for (const bot of [
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
      'Googlebot/2.1',
    ])
      await click(fb.path, '10.7.0.9', bot);

    const range = around(new Date());
    const before = await request(h.t.app).get('/api/v1/stats/overview').query(range).set(local.auth);
    assert.equal(before.status, 200, JSON.stringify(before.body));
    assert.equal(
      before.body.totals.memberShares.value,
      0,
      'the overview reads the rollup: nothing before a collection',
    );

    // The mock's simulated time moves on: the share grows engagement on the member's timeline.
    await fetch(`${h.platforms.mock.facebook}/_mock/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 6 * 3600 }),
    });
    clock = new Date(Date.now() + 20 * MIN);
    const summary = await collector().collectDue();
    assert.ok(summary.shares >= 2, JSON.stringify(summary));
    assert.equal(await snapshots(fb.shareId), 1);
    assert.equal(await snapshots(other.shareId), 1);

    const overview = await request(h.t.app).get('/api/v1/stats/overview').query(range).set(local.auth);
    assert.equal(overview.status, 200, JSON.stringify(overview.body));
    assert.equal(overview.body.totals.memberShares.value, 2);
    assert.equal(overview.body.totals.memberShares.source, 'loa');
    assert.equal(overview.body.totals.memberClicks.value, 4, 'people’s clicks only, the two bots apart');
    const byUnit = overview.body.byUnit.find((u: { unitId: string }) => u.unitId === unit.id);
    assert.deepEqual(
      [byUnit.memberShares.value, byUnit.memberClicks.value, byUnit.memberUniqueVisitors.value],
      [2, 4, 3],
    );
    const perDay = overview.body.byDay.reduce(
      (
        t: { shares: number; clicks: number },
        d: { memberShares: { value: number }; memberClicks: { value: number } },
      ) => ({
        shares: t.shares + d.memberShares.value,
        clicks: t.clicks + d.memberClicks.value,
      }),
      { shares: 0, clicks: 0 },
    );
    assert.deepEqual(perDay, { shares: 2, clicks: 4 }, 'the days add up to the totals');

    const stats = await request(h.t.app).get(`/api/v1/posts/${post.id}/stats`).set(editor.auth);
    assert.equal(stats.status, 200, JSON.stringify(stats.body));
    assert.deepEqual(stats.body.totals.memberShares, {
      value: 2,
      source: 'loa',
      fetchedAt: stats.body.totals.memberShares.fetchedAt,
    });
    assert.equal(stats.body.totals.memberClicks.value, 4);
    assert.equal(stats.body.memberShares.botClicks.value, 2);
    assert.equal(stats.body.memberShares.uniqueVisitors.value, 3);
    assert.equal(typeof stats.body.memberShares.firstShareMinutes, 'number');
    assert.deepEqual(
      stats.body.memberShares.byUnit.map((u: { unitId: string; shares: { value: number } }) => [
        u.unitId,
        u.shares.value,
      ]),
      [[unit.id, 2]],
    );
    const item = stats.body.memberShares.items.find((s: { shareId: string }) => s.shareId === fb.shareId);
    assert.equal(item.platform, 'facebook');
    assert.equal(item.clicks.value, 3);
    assert.ok(item.fetchedAt, 'snapshotted by the collector');

    // Ground truth: the mock's ledger holds exactly the share Loa recorded, with the member's
    // own link. It grew engagement there, but Facebook gives an app no way to read a person's
    // share (no post id from the dialog, no token for their timeline): null with a reason, not 0.
    const ledger = (await (
      await fetch(`${h.platforms.mock.facebook}/_mock/shares?user_id=${fb.person.id}`)
    ).json()) as {
      items: { link: string; engagement: { reactions: number; views: number } }[];
    };
    assert.deepEqual(
      ledger.items.map((i) => i.link),
      [fb.href],
    );
    assert.equal(
      stats.body.memberShares.items.filter((s: { platform: string }) => s.platform === 'facebook').length,
      ledger.items.length,
    );
    assert.ok((ledger.items[0]?.engagement.views ?? 0) > 0, 'the mock did grow the share');
    for (const key of ['impressions', 'reactions', 'comments', 'shares'])
      assert.deepEqual(item[key], {
        value: null,
        source: 'platform',
        fetchedAt: null,
        unavailable: 'not_provided',
      });

    const csv = await request(h.t.app)
      .get('/api/v1/stats/export.csv')
      .query(range)
      .set(local.auth)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () => done(null, text));
      });
    assert.equal(csv.status, 200);
    const lines = String(csv.body)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\n');
    const header = cells(lines[0] ?? '');
    assert.equal(header.length, 17);
    const found = lines.find((line) => line.includes(fb.shareId));
    const row = found === undefined ? undefined : cells(found);
    assert.ok(row, 'a row for the member’s share');
    assert.equal(row[1], post.id);
    assert.equal(row[3], 'facebook');
    assert.deepEqual(row.slice(7, 11), ['', '', '', ''], 'no platform figures invented');
    assert.equal(row[11], '3');
    assert.equal(row[13], 'member_share');
    assert.equal(row[16], '2');
    assert.ok(lines.some((line) => line.includes(other.shareId)));
  });

  it('follows a share on the schedule, takes an early snapshot on refresh, and stops after the horizon', async () => {
    const unit = await h.unit('Công an phường Lịch Trình');
    const post = await h.publishedPost([unit.id]);
    const m = await h.member(unit.id);
    const editor = await makeUser(h.t, 'editor');
    const share = await shareElsewhere(m, post.id);
    const { sharedAt } = share;
    const offsets = occurrenceOffsets(settings);

    clock = new Date(sharedAt.getTime() + 10 * MIN);
    await collector().collectDue();
    assert.equal(await snapshots(share.shareId), 0, 'not due before +15 min');
    const followed = await tracking(share.shareId);
    assert.equal(followed?.occurrence, 0);

    clock = new Date(sharedAt.getTime() + 16 * MIN);
    await collector().collectDue();
    assert.equal(await snapshots(share.shareId), 1);
    assert.equal((await tracking(share.shareId))?.occurrence, 1);

    // Refresh: an extra snapshot that leaves the schedule where it was.
    clock = new Date(sharedAt.getTime() + 20 * MIN);
    const refreshed = await request(h.t.app).post(`/api/v1/posts/${post.id}/stats/refresh`).set(editor.auth);
    assert.equal(refreshed.status, 202, JSON.stringify(refreshed.body));
    assert.equal(refreshed.body.memberShares, 1);
    assert.ok((await tracking(share.shareId))?.early_at);
    // The collect job it queues names the share.
    const actor = await h.t.c.auth.actorFor(editor.user, 'token', null);
    await collector().refresh(actor, post.id);
    const last = enqueued[enqueued.length - 1] as { shareIds?: string[] };
    assert.deepEqual(last.shareIds, [share.shareId]);
    await collector().collectDue({ shareIds: [share.shareId] });
    assert.equal(await snapshots(share.shareId), 2);
    const after = await tracking(share.shareId);
    assert.equal(after?.occurrence, 1);
    assert.equal(after?.early_at, null);

    // Past the horizon: one last snapshot, then no more.
    clock = new Date(sharedAt.getTime() + 91 * DAY);
    await collector().collectDue();
    const stopped = await tracking(share.shareId);
    assert.equal(stopped?.next_due_at, null);
    assert.equal(stopped?.occurrence, offsets.length);
    const count = await snapshots(share.shareId);
    clock = new Date(sharedAt.getTime() + 95 * DAY);
    await collector().collectDue();
    assert.equal(await snapshots(share.shareId), count, 'not followed past the horizon');
  });

  it('resumes after a restart and under two workers without doubling a snapshot or a click', async () => {
    const unit = await h.unit('Công an xã Khởi Động Lại');
    const post = await h.publishedPost([unit.id]);
    const m = await h.member(unit.id);
    const local = await makeUser(h.t, 'editor', { unitId: unit.id });
    const share = await shareElsewhere(m, post.id);
    const { sharedAt } = share;
    await click(share.path, '10.8.0.1');

    clock = new Date(sharedAt.getTime() + 16 * MIN);
    await collector().collectDue();
    await collector().collectDue();
    assert.equal(await snapshots(share.shareId), 1, 'a restart at the same moment finds nothing due');

    for (const ip of ['10.8.0.2', '10.8.0.3']) await click(share.path, ip);
    // Down for seven hours, then two workers at once: the missed occurrences are covered once.
    clock = new Date(sharedAt.getTime() + 7 * HOUR);
    await Promise.all([collector().collectDue(), collector().collectDue()]);
    assert.equal(await snapshots(share.shareId), 2);
    const row = await tracking(share.shareId);
    assert.equal(row?.occurrence, 3);
    assert.equal(new Date(row?.next_due_at ?? 0).getTime(), sharedAt.getTime() + DAY);
    assert.equal(Number(row?.link_clicks), 3);

    const overview = await request(h.t.app)
      .get('/api/v1/stats/overview')
      .query(around(sharedAt))
      .set(local.auth);
    assert.equal(overview.body.totals.memberShares.value, 1, 'the share counted once');
    assert.equal(overview.body.totals.memberClicks.value, 3, 'each click counted once');
  });
});
