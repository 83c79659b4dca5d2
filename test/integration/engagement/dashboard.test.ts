// The dashboard's view-models on a real PostgreSQL: the change against the previous period is
// computed from the rollup (and "—" when there is nothing to compare with), Zalo's figures stay
// unavailable instead of 0, and every reader sees only their units' figures.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { SYSTEM_ACTOR, type Actor } from '../../../server/auth/actor.ts';
import { campaigns, channels, posts, type Platform } from '../../../server/db/schema.ts';
import { createEngagementRepo, type SnapshotInput } from '../../../server/engagement/engagement.repo.ts';
import { changePercent, monthRanges } from '../../../server/engagement/dashboard.service.ts';
import { dayStart, zonedDay } from '../../../server/engagement/engagement.service.ts';
import { NotFoundError, ForbiddenError } from '../../../server/errors.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';

const ZONE = 'Asia/Ho_Chi_Minh';
const DAY = 86_400_000;
const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
/** Noon of a LOA_TIMEZONE calendar day. */
const noonOf = (day: string) => new Date(dayStart(day, ZONE).getTime() + 12 * 3_600_000);

describe('dashboard: the view-models', function () {
  this.timeout(60_000);
  let t: TestApp;
  let today: string;
  const unit = { province: '', a: '', b: '' };
  const chan = { fbA: '', zaloA: '', fbB: '' };
  const post = { a: '', b: '' };
  let campaignId: string;
  let reviewerProvince: Actor;
  let reviewerB: Actor;
  let editorA: Actor;
  let reviewerProvinceAuth: Record<string, string>;
  let reviewerProvinceEmail: string;

  async function actorOf(made: Awaited<ReturnType<typeof makeUser>>) {
    return t.c.auth.actorFor(made.user, 'token', null);
  }

  before(async () => {
    t = await createTestApp();
    const db = t.c.database.db;
    // Mid-month, so that "this month" and the ranges below stay inside one month whatever today is.
    today = zonedDay(new Date(), ZONE);
    const mk = (name: string, parentId?: string) =>
      t.c.users.createUnit(SYSTEM_ACTOR, {
        name: `${name} ${randomUUID().slice(0, 6)}`,
        ...(parentId && { parentId }),
      });
    unit.province = (await mk('Công an tỉnh')).id;
    unit.a = (await mk('Công an xã A', unit.province)).id;
    unit.b = (await mk('Công an xã B', unit.province)).id;
    const channel = async (platform: Platform, unitId: string, name: string) => {
      const [row] = await db
        .insert(channels)
        .values({ platform, externalId: `x-${randomUUID()}`, name, accessTokenEnc: 'not-a-token', unitId })
        .returning();
      return row!.id;
    };
    chan.fbA = await channel('facebook', unit.a, 'Trang xã A');
    chan.zaloA = await channel('zalo', unit.a, 'Zalo OA xã A');
    chan.fbB = await channel('facebook', unit.b, 'Trang xã B');
    const [campaign] = await db
      .insert(campaigns)
      .values({ name: `Tháng cao điểm ${randomUUID().slice(0, 6)}` })
      .returning();
    campaignId = campaign!.id;
    const author = await makeUser(t, 'editor', { unitId: unit.a });
    editorA = await actorOf(author);
    const published = noonOf(shift(today, -12));
    const mkPost = async (unitId: string, title: string, withCampaign: boolean) => {
      const [row] = await db
        .insert(posts)
        .values({
          title,
          text: `${title}: không chuyển tiền cho người lạ.`,
          scheduledAt: published,
          publishedAt: published,
          status: 'published',
          authorId: author.user.id,
          unitId,
          slug: `s-${randomUUID()}`,
          ...(withCampaign && { campaignId }),
        })
        .returning();
      return row!.id;
    };
    post.a = await mkPost(unit.a, 'Cảnh báo giả danh công an', true);
    post.b = await mkPost(unit.b, 'Cảnh báo việc nhẹ lương cao', false);
    const publication = async (postId: string, channelId: string) => {
      const id = randomUUID();
      await db.execute(sql`
        INSERT INTO publications (id, post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
        VALUES (${id}, ${postId}, ${channelId}, 'published', ${published.toISOString()},
          ${`d${randomUUID().replace(/-/g, '').slice(0, 12)}`}, ${`ext-${id}`}, ${published.toISOString()})`);
      return id;
    };
    const pubFbA = await publication(post.a, chan.fbA);
    const pubZaloA = await publication(post.a, chan.zaloA);
    const pubFbB = await publication(post.b, chan.fbB);

    // Cumulative figures as the collector stores them (same repository, same rollups).
    const snap = (
      publicationId: string,
      day: string,
      figures: Partial<SnapshotInput> & { linkClicks: number },
    ): SnapshotInput => ({
      publicationId,
      fetchedAt: noonOf(day),
      occurrence: null,
      impressions: null,
      reactions: null,
      comments: null,
      shares: null,
      clicks: null,
      ...figures,
    });
    const repo = createEngagementRepo(db);
    await repo.ensurePartitions(noonOf(shift(today, -12)), noonOf(today));
    const batches: SnapshotInput[][] = [
      // The previous period (days −13 … −7): A's Facebook post gained 100 views, 10 reactions, 5 clicks.
      [
        snap(pubFbA, shift(today, -10), {
          impressions: 100,
          reactions: 10,
          comments: 0,
          shares: 1,
          clicks: 4,
          linkClicks: 5,
        }),
      ],
      // This period (days −6 … 0).
      [
        snap(pubFbA, shift(today, -2), {
          impressions: 400,
          reactions: 30,
          comments: 0,
          shares: 3,
          clicks: 9,
          linkClicks: 12,
        }),
        snap(pubZaloA, shift(today, -2), { linkClicks: 3 }),
        snap(pubFbB, shift(today, -2), {
          impressions: 50,
          reactions: 7,
          comments: 2,
          shares: 0,
          clicks: 1,
          linkClicks: 1,
        }),
      ],
    ];
    for (const batch of batches) await db.transaction((tx) => repo.insertSnapshots(tx, batch, ZONE));
    await db.execute(sql`
      INSERT INTO engagement_tracking (publication_id, channel_id, published_at, occurrence, fetched_at,
        impressions, reactions, comments, shares, clicks, link_clicks)
      VALUES (${pubFbA}, ${chan.fbA}, ${published.toISOString()}, 5, ${noonOf(shift(today, -2)).toISOString()}, 400, 30, 0, 3, 9, 12),
        (${pubZaloA}, ${chan.zaloA}, ${published.toISOString()}, 5, ${noonOf(shift(today, -2)).toISOString()}, NULL, NULL, NULL, NULL, NULL, 3),
        (${pubFbB}, ${chan.fbB}, ${published.toISOString()}, 5, ${noonOf(shift(today, -2)).toISOString()}, 50, 7, 2, 0, 1, 1)`);

    // One member of A shared A's post (two days ago); nobody in B shared.
    const member = await makeUser(t, 'member', { unitId: unit.a });
    await db.execute(sql`
      INSERT INTO member_shares (user_id, post_id, platform, unit_id, status, opened_at, completed_at)
      VALUES (${member.user.id}, ${post.a}, 'facebook', ${unit.a}, 'shared',
        ${published.toISOString()}, ${new Date(published.getTime() + 42 * 60_000).toISOString()})`);

    const rp = await makeUser(t, 'reviewer', { unitId: unit.province });
    reviewerProvince = await actorOf(rp);
    reviewerProvinceAuth = rp.auth;
    reviewerProvinceEmail = rp.user.email;
    reviewerB = await actorOf(await makeUser(t, 'reviewer', { unitId: unit.b }));
  });
  after(() => t.close());

  const range = () => ({ from: shift(today, -6), to: today });

  it('computes the change against the previous period of the same length, from the rollup', async () => {
    const view = await t.c.dashboard.overview(reviewerProvince, range());
    assert.deepEqual(view.previousRange, { from: shift(today, -13), to: shift(today, -7) });
    assert.equal(view.totals.reactions.value, 27);
    assert.equal(view.totals.reactions.previous, 10);
    assert.equal(view.totals.reactions.changePercent, 170);
    assert.equal(view.totals.impressions.value, 350);
    assert.equal(view.totals.impressions.changePercent, 250);
    assert.equal(view.totals.clicks.value, 11, 'Loa’s link clicks: Facebook 7 + Zalo 3 + B 1');
    assert.equal(view.totals.clicks.changePercent, 120);
    assert.equal(view.totals.clicks.source, 'loa');
    assert.equal(view.totals.reactions.source, 'platform');
    assert.ok(view.totals.reactions.fetchedAt, 'every figure says when it was fetched');
    // Nothing to compare with: the previous period had 0 comments, so no percentage is made up.
    assert.equal(view.totals.comments.value, 2);
    assert.equal(view.totals.comments.previous, 0);
    assert.equal(view.totals.comments.changePercent, null);
    assert.equal(view.totals.memberShares.value, 0, 'the share was 12 days ago, outside this range');
    // The trend: one point per day, the gains on day −2.
    assert.equal(view.trend.days.length, 7);
    assert.deepEqual(view.trend.series.reactions, [0, 0, 0, 0, 27, 0, 0]);
    assert.deepEqual(view.trend.series.clicks, [0, 0, 0, 0, 11, 0, 0]);
  });

  it('says "unknown" when the previous period has no figures at all', async () => {
    const view = await t.c.dashboard.overview(reviewerProvince, {
      from: shift(today, -13),
      to: shift(today, -7),
    });
    assert.equal(view.totals.reactions.value, 10);
    assert.equal(view.totals.reactions.previous, null);
    assert.equal(view.totals.reactions.changePercent, null);
    assert.equal(changePercent(5, 0), null);
    assert.equal(changePercent(5, null), null);
    assert.equal(changePercent(15, 10), 50);
  });

  it('shows Zalo’s platform figures as not provided, never as 0', async () => {
    const view = await t.c.dashboard.overview(reviewerProvince, range());
    const zalo = view.byChannel.find((row) => row.channelId === chan.zaloA);
    assert.ok(zalo);
    for (const key of ['impressions', 'reactions', 'comments', 'shares'] as const) {
      assert.equal(zalo[key].value, null, key);
      assert.equal(zalo[key].unavailable, 'not_provided', key);
    }
    assert.equal(zalo.clicks.value, 3);
    assert.equal(zalo.clicks.source, 'loa');
    assert.equal(view.zaloInScope, true);

    const stats = await t.c.dashboard.postStats(editorA, post.a);
    const zaloRow = stats.byChannel.find((row) => row.platform === 'zalo');
    assert.equal(zaloRow?.reactions.value, null);
    assert.equal(zaloRow?.reactions.unavailable, 'not_provided');
    assert.equal(stats.memberShares.total, 1);
    assert.equal(stats.memberShares.minutesToFirst, 42);

    // On the page: the reason in words where the number would be.
    const { agent, ip } = await signedInAgent(t, reviewerProvinceEmail);
    const page = await agent.get(`/stats?from=${range().from}&to=${range().to}`).set('X-Forwarded-For', ip);
    assert.equal(page.status, 200);
    const row = new RegExp(`<tr data-channel="${chan.zaloA}">([\\s\\S]*?)</tr>`).exec(page.text)?.[1] ?? '';
    assert.match(row, /Zalo không cung cấp số liệu này/);
    assert.match(row, /data-figure="reactions" data-value=""/);
    assert.doesNotMatch(row, /data-figure="reactions" data-value="0"/);
  });

  it('keeps each reader to their units, and the page’s figures to the API’s', async () => {
    const b = await t.c.dashboard.overview(reviewerB, range());
    assert.equal(b.totals.reactions.value, 7, 'only B’s post');
    assert.deepEqual(
      b.byChannel.map((row) => row.channelId),
      [chan.fbB],
    );
    const editor = await t.c.dashboard.overview(editorA, range());
    assert.equal(editor.totals.reactions.value, 20);
    assert.equal(editor.byUnit, null, 'participation by unit is for reviewers and admins');
    const province = await t.c.dashboard.overview(reviewerProvince, range());
    assert.deepEqual(province.byUnit?.items.map((u) => u.unitId).sort(), [unit.a, unit.b].sort());
    const api = await request(t.app)
      .get(`/api/v1/stats/overview?from=${range().from}&to=${range().to}`)
      .set(reviewerProvinceAuth);
    assert.equal(api.status, 200);
    for (const key of ['impressions', 'reactions', 'comments', 'shares', 'clicks'] as const) {
      assert.equal(province.totals[key].value, api.body.totals[key].value, key);
    }
  });

  it('builds the monthly report for one unit, and refuses another unit’s', async () => {
    const month = shift(today, -12).slice(0, 7);
    const report = await t.c.dashboard.monthlyReport(reviewerProvince, { unitId: unit.province, month });
    const months = monthRanges(month);
    assert.deepEqual(report.range, months.current);
    assert.deepEqual(report.previousRange, months.previous);
    assert.equal(report.topPosts[0]?.postId, post.a, 'A’s warning drew the most');
    assert.deepEqual(
      report.unitsThatShared.map((u) => u.unitId),
      [unit.a],
    );
    assert.deepEqual(
      report.unitsWithoutShares.map((u) => u.unitId),
      [unit.b],
    );
    await assert.rejects(
      t.c.dashboard.monthlyReport(reviewerB, { unitId: unit.a, month }),
      (error) => error instanceof NotFoundError,
    );
    await assert.rejects(
      t.c.dashboard.monthlyReport(editorA, { unitId: unit.a, month }),
      (error) => error instanceof ForbiddenError,
    );
  });

  it('shows a campaign’s posts with their totals', async () => {
    const view = await t.c.dashboard.campaign(reviewerProvince, campaignId);
    assert.deepEqual(
      view.posts.map((p) => p.postId),
      [post.a],
    );
    assert.equal(view.totals.reactions.value, 30);
    assert.equal(view.totals.clicks.value, 15, 'Facebook 12 + Zalo 3');
    assert.equal(view.totals.memberShares.value, 1);
    assert.equal(
      view.trend.series.reactions?.reduce((a, b) => a + b, 0),
      30,
    );
  });

  it('refuses members, and re-renders a bad range with 422 and the reason', async () => {
    const member = await makeUser(t, 'member', { unitId: unit.a });
    const { agent, ip } = await signedInAgent(t, member.user.email);
    for (const path of [
      '/stats',
      `/stats/campaigns/${campaignId}`,
      '/stats/report',
      `/posts/${post.a}/stats`,
    ]) {
      const res = await agent.get(path).set('X-Forwarded-For', ip);
      assert.equal(res.status, 403, path);
    }
    const reviewer = await signedInAgent(t, reviewerProvinceEmail);
    const bad = await reviewer.agent
      .get('/stats?from=2026-02-01&to=2026-01-01')
      .set('X-Forwarded-For', reviewer.ip);
    assert.equal(bad.status, 422);
    assert.match(bad.text, /Khoảng ngày không hợp lệ/);
    const month = await reviewer.agent.get('/stats/report?month=2026-13').set('X-Forwarded-For', reviewer.ip);
    assert.equal(month.status, 422);
    const campaign = await reviewer.agent
      .get(`/stats/campaigns/${campaignId}`)
      .set('X-Forwarded-For', reviewer.ip);
    assert.equal(campaign.status, 200);
    assert.match(campaign.text, /id="chart-trend"/);
  });
});
