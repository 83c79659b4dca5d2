// The engagement collector against the Facebook and Zalo mocks over HTTP, on a real PostgreSQL:
// the schedule, usage headers, restarts, refused metrics, webhooks, the API and the CSV.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { createEngagementRepo } from '../../../server/engagement/engagement.repo.ts';
import {
  createEngagementService,
  nextOccurrence,
  occurrenceOffsets,
  type EngagementSettings,
} from '../../../server/engagement/engagement.service.ts';
import { signFacebookBody, zaloSignature } from '../../../server/mock-platforms/index.ts';
import { testLogger } from '../../support/database.ts';
import { makeUser } from '../../support/app.ts';
import { mockCredentials, startPublishingHarness, type Harness } from '../publishing/harness.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const baseSettings: EngagementSettings = {
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

describe('engagement: the schedule', () => {
  const offsets = occurrenceOffsets({
    earlyOffsetsMinutes: [15, 60, 360, 1440, 4320, 10080],
    horizonDays: 90,
  });

  it('snapshots young posts more often, then daily, and stops after the horizon', () => {
    assert.deepEqual(
      offsets.slice(0, 7).map((ms) => ms / MIN),
      [15, 60, 360, 1440, 4320, 10080, 8 * 1440],
    );
    const gaps = offsets.slice(1).map((ms, i) => ms - (offsets[i] ?? 0));
    assert.ok(
      gaps.slice(0, 3).every((gap) => gap < DAY),
      'the first day is sampled more than daily',
    );
    assert.ok(
      gaps.slice(6).every((gap) => gap === DAY),
      'then once a day',
    );
    assert.equal(offsets[offsets.length - 1], 90 * DAY);
    const publishedAt = new Date('2026-01-01T00:00:00Z');
    const last = nextOccurrence(
      offsets,
      { publishedAt, occurrence: offsets.length - 1, nextDueAt: new Date(publishedAt.getTime() + 90 * DAY) },
      new Date(publishedAt.getTime() + 90 * DAY + MIN),
    );
    assert.equal(last.nextDueAt, null, 'no occurrence after 90 days');
  });

  it('covers missed occurrences with one snapshot and leaves the next one in place for an early one', () => {
    const publishedAt = new Date('2026-01-01T00:00:00Z');
    const late = nextOccurrence(
      offsets,
      { publishedAt, occurrence: 0, nextDueAt: new Date(publishedAt.getTime() + 15 * MIN) },
      new Date(publishedAt.getTime() + 7 * HOUR),
    );
    assert.equal(late.occurrence, 3, 'the +15 min, +1 h and +6 h occurrences were covered by one snapshot');
    assert.equal(late.covered, 2);
    assert.equal(late.nextDueAt?.getTime(), publishedAt.getTime() + DAY);
    const early = nextOccurrence(
      offsets,
      { publishedAt, occurrence: 3, nextDueAt: new Date(publishedAt.getTime() + DAY) },
      new Date(publishedAt.getTime() + 8 * HOUR),
    );
    assert.deepEqual(early, {
      occurrence: 3,
      nextDueAt: new Date(publishedAt.getTime() + DAY),
      covered: null,
    });
  });
});

describe('engagement: the collector against the mocks', function () {
  this.timeout(120_000);
  let h: Harness;
  let clock: Date;
  let fbChannel: Awaited<ReturnType<Harness['channel']>>;
  let zaloChannel: Awaited<ReturnType<Harness['channel']>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let editor: Awaited<ReturnType<typeof makeUser>>;

  function service(settings: Partial<EngagementSettings> = {}, enqueued: unknown[] = []) {
    const c = h.t.c;
    return createEngagementService({
      db: c.database.db,
      repo: createEngagementRepo(c.database.db),
      connectors: c.connectors,
      channels: c.channels,
      notifications: c.notifications,
      memberShares: c.amplification.shareReach,
      metricUnavailableMessage: (v) => `refused ${v.metric} on ${v.channel}`,
      enqueueCollect: async (payload) => {
        enqueued.push(payload);
      },
      settings: { ...baseSettings, ...settings },
      logger: testLogger,
      now: () => clock,
    });
  }

  async function graph<T>(path: string, token: string): Promise<T> {
    const res = await fetch(`${h.mocks.facebookUrl}/v26.0${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as T;
  }

  /** A post made on the mock Page, and its publication in Loa marked published at `publishedAt`. */
  async function publishedOnFacebook(publishedAt: Date, channel = fbChannel) {
    const postId = await h.post({ status: 'published' });
    const body = new URLSearchParams({
      message: `Cảnh báo ${randomUUID()}`,
      link: 'https://loa.example.vn/l/x',
    });
    const res = await fetch(`${h.mocks.facebookUrl}/v26.0/${channel.row.externalId}/feed`, {
      method: 'POST',
      headers: { authorization: `Bearer ${channel.accessToken}` },
      body,
    });
    const { id } = (await res.json()) as { id: string };
    const publicationId = randomUUID();
    await h.t.c.database.db.execute(sql`
      INSERT INTO publications (id, post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
      VALUES (${publicationId}, ${postId}, ${channel.row.id}, 'published', ${publishedAt.toISOString()},
        ${`c${randomUUID().replace(/-/g, '').slice(0, 12)}`}, ${id}, ${publishedAt.toISOString()})`);
    return { postId, publicationId, externalId: id };
  }

  async function snapshotCount(publicationId: string): Promise<number> {
    const result = await h.t.c.database.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM engagement_snapshots WHERE publication_id = ${publicationId}`,
    );
    return result.rows[0]?.n ?? 0;
  }

  before(async () => {
    // Its own database: the overview's figures are compared with every tracked publication's.
    h = await startPublishingHarness(undefined, { database: 'collector' });
    fbChannel = await h.channel('facebook', 'Công an xã Thử nghiệm');
    zaloChannel = await h.channel('zalo', 'Zalo OA Thử nghiệm');
    admin = await makeUser(h.t, 'admin');
    editor = await makeUser(h.t, 'editor');
    clock = new Date();
  });
  after(() => h.close());
  afterEach(async () => {
    await h.control('facebook', 'DELETE', '/faults');
    await h.t.c.database.db.execute(sql`DELETE FROM engagement_throttles`);
  });

  it('collects in batches and the API shows the mock ground truth, with sources and null for Zalo', async () => {
    const start = new Date(clock.getTime());
    const a = await publishedOnFacebook(start);
    const b = await publishedOnFacebook(start);
    await h.control('facebook', 'POST', '/clock/advance', { seconds: 3 * 3600 });
    clock = new Date(start.getTime() + 20 * MIN);
    const summary = await service().collectDue();
    assert.ok(summary.collected >= 2, JSON.stringify(summary));

    const res = await request(h.t.app).get(`/api/v1/posts/${a.postId}/stats`).set(editor.auth);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const truth = await graph<{
      reactions: { summary: { total_count: number } };
      comments: { summary: { total_count: number } };
    }>(
      `/${a.externalId}?fields=reactions.summary(total_count).limit(0),comments.summary(true).limit(0),shares`,
      fbChannel.accessToken,
    );
    const insights = await graph<{ data: { name: string; values: { value: number }[] }[] }>(
      `/${a.externalId}/insights?metric=post_media_view`,
      fbChannel.accessToken,
    );
    const channel = res.body.byChannel[0];
    assert.equal(channel.reactions.value, truth.reactions.summary.total_count);
    assert.equal(channel.comments.value, truth.comments.summary.total_count);
    assert.equal(channel.impressions.value, insights.data[0]?.values[0]?.value);
    assert.ok(channel.impressions.value > 0, 'engagement grew on the mock');
    assert.equal(channel.reactions.source, 'platform');
    assert.equal(channel.clicks.source, 'loa');
    assert.ok(channel.fetchedAt);
    assert.equal(res.body.totals.impressions.value, channel.impressions.value);
    assert.ok(res.body.series.length >= 1);
    assert.equal(await snapshotCount(b.publicationId), 1);

    // Zalo: no article statistics, so the platform figures are null, never 0.
    const zPost = await h.post({ status: 'published' });
    await h.t.c.database.db.execute(sql`
      INSERT INTO publications (post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
      VALUES (${zPost}, ${zaloChannel.row.id}, 'published', ${start.toISOString()}, ${`z${randomUUID().slice(0, 8)}`}, 'zalo-article-1', ${start.toISOString()})`);
    await service().collectDue();
    const z = await request(h.t.app).get(`/api/v1/posts/${zPost}/stats`).set(editor.auth);
    assert.equal(z.status, 200);
    assert.equal(z.body.byChannel[0].impressions.value, null);
    assert.equal(z.body.byChannel[0].impressions.unavailable, 'not_provided');
    assert.equal(z.body.byChannel[0].clicks.value, 0);
    assert.equal(typeof z.body.byChannel[0].followers.value, 'number', 'getoa follower count read');
  });

  it('reads several posts per Graph call (?ids=)', async () => {
    const channel = await h.channel('facebook', 'Công an phường Gộp');
    const start = new Date(clock.getTime());
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await publishedOnFacebook(start, channel));
    await h.control('facebook', 'POST', '/clock/advance', { seconds: 86_401 });
    // Room for two calls on this Page: three posts one by one would need six.
    await h.control('facebook', 'POST', '/config', { pageCallLimit: 2 });
    try {
      clock = new Date(start.getTime() + 20 * MIN);
      await service().collectDue();
      const counts = await Promise.all(made.map((m) => snapshotCount(m.publicationId)));
      assert.deepEqual(counts, [1, 1, 1]);
    } finally {
      await h.control('facebook', 'POST', '/config', { pageCallLimit: 4800 });
      await h.control('facebook', 'POST', '/clock/advance', { seconds: 86_401 });
    }
  });

  it('resumes after a restart without doubling a snapshot', async () => {
    const start = new Date(clock.getTime());
    const p = await publishedOnFacebook(start);
    clock = new Date(start.getTime() + 16 * MIN);
    await service().collectDue();
    assert.equal(await snapshotCount(p.publicationId), 1);
    // A new process (fresh service, same database) at the same moment: nothing is due.
    await service().collectDue();
    assert.equal(await snapshotCount(p.publicationId), 1);
    // Down for six hours: the missed occurrences are covered once, then the schedule goes on.
    clock = new Date(start.getTime() + 7 * HOUR);
    await service().collectDue();
    await service().collectDue();
    assert.equal(await snapshotCount(p.publicationId), 2);
    const row = await h.t.c.database.db.execute<{ occurrence: number; next_due_at: string }>(
      sql`SELECT occurrence, next_due_at FROM engagement_tracking WHERE publication_id = ${p.publicationId}`,
    );
    assert.equal(row.rows[0]?.occurrence, 3);
    assert.equal(new Date(row.rows[0]!.next_due_at).getTime(), start.getTime() + DAY);
  });

  it('stops at the usage stop line, waits, and resumes', async () => {
    const start = new Date(clock.getTime());
    const p = await publishedOnFacebook(start);
    const q = await publishedOnFacebook(start);
    // A new usage window on the mock with room for two calls: one batch (counters, insights) reaches 100 %.
    await h.control('facebook', 'POST', '/clock/advance', { seconds: 86_401 });
    await h.control('facebook', 'POST', '/config', { pageCallLimit: 2 });
    try {
      clock = new Date(start.getTime() + 20 * MIN);
      const first = await service({ batchSize: 1 }).collectDue();
      const counts = async () => [await snapshotCount(p.publicationId), await snapshotCount(q.publicationId)];
      assert.deepEqual((await counts()).sort(), [0, 1], 'one batch, then the Page was paused');
      assert.ok(first.deferred >= 1);
      const throttle = await h.t.c.database.db.execute<{ key: string }>(
        sql`SELECT key FROM engagement_throttles`,
      );
      assert.ok(throttle.rows.some((r) => r.key === `facebook:page:${fbChannel.row.id}`));
      // A restart during the pause still waits: the pause is stored.
      await service({ batchSize: 1 }).collectDue();
      assert.deepEqual((await counts()).sort(), [0, 1]);
      await h.control('facebook', 'POST', '/config', { pageCallLimit: 4800 });
      await h.control('facebook', 'POST', '/clock/advance', { seconds: 86_401 });
      clock = new Date(clock.getTime() + 11 * MIN);
      await service({ batchSize: 1 }).collectDue();
      assert.deepEqual(await counts(), [1, 1], 'resumed after the pause, nothing doubled');
    } finally {
      await h.control('facebook', 'POST', '/config', { pageCallLimit: 4800 });
    }
  });

  it('slows down past 80 % of the usage and stops when the Page is throttled', async () => {
    const slowChannel = await h.channel('facebook', 'Công an phường Chậm');
    const start = new Date(clock.getTime());
    const made = [];
    for (let i = 0; i < 3; i++) made.push(await publishedOnFacebook(start, slowChannel));
    await h.control('facebook', 'POST', '/clock/advance', { seconds: 86_401 });
    // Two calls a batch: 40 %, then 80 % (slow down), then the third batch passes 100 % (code 32).
    await h.control('facebook', 'POST', '/config', { pageCallLimit: 5 });
    const sleeps: number[] = [];
    try {
      clock = new Date(start.getTime() + 20 * MIN);
      const c = h.t.c;
      const slowService = createEngagementService({
        db: c.database.db,
        repo: createEngagementRepo(c.database.db),
        connectors: c.connectors,
        channels: c.channels,
        notifications: c.notifications,
        memberShares: c.amplification.shareReach,
        metricUnavailableMessage: (v) => v.metric,
        enqueueCollect: async () => undefined,
        settings: { ...baseSettings, batchSize: 1, slowDelayMs: 1234 },
        logger: testLogger,
        now: () => clock,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      });
      await slowService.collectDue();
      assert.deepEqual(sleeps, [1234], 'one pause between calls once past 80 %');
      const counts = await Promise.all(made.map((m) => snapshotCount(m.publicationId)));
      assert.deepEqual([...counts].sort(), [0, 1, 1], 'the throttled batch waits for the next round');
      const throttle = await h.t.c.database.db.execute<{ key: string; paused_until: string | null }>(
        sql`SELECT key, paused_until FROM engagement_throttles WHERE key = ${`facebook:page:${slowChannel.row.id}`}`,
      );
      assert.ok(throttle.rows[0]?.paused_until, 'paused after the throttling error');
    } finally {
      await h.control('facebook', 'POST', '/config', { pageCallLimit: 4800 });
    }
  });

  it('retries a refused metric alone, flags it for the Page and tells the admins once', async () => {
    const start = new Date(clock.getTime());
    const p = await publishedOnFacebook(start);
    await h.control('facebook', 'POST', '/clock/advance', { seconds: 3600 });
    clock = new Date(start.getTime() + 20 * MIN);
    const settings = { metrics: ['post_media_view', 'post_impressions', 'post_clicks'] };
    await service(settings).collectDue();
    const flagged = await h.t.c.database.db.execute<{ metric: string }>(
      sql`SELECT metric FROM engagement_unavailable_metrics WHERE channel_id = ${fbChannel.row.id}`,
    );
    assert.deepEqual(
      flagged.rows.map((r) => r.metric),
      ['post_impressions'],
    );
    const stats = await request(h.t.app).get(`/api/v1/posts/${p.postId}/stats`).set(editor.auth);
    assert.ok(stats.body.byChannel[0].impressions.value > 0, 'the other metrics were still collected');
    const notices = await h.t.c.notifications.listForUser(admin.user.id);
    const mine = notices.filter(
      (n) => n.kind === 'engagement_metric_unavailable' && n.message.includes(fbChannel.row.name),
    );
    assert.equal(mine.length, 1);
    assert.match(mine[0]!.message, /post_impressions/);
    clock = new Date(start.getTime() + 2 * HOUR);
    await service(settings).collectDue();
    const again = (await h.t.c.notifications.listForUser(admin.user.id)).filter(
      (n) => n.kind === 'engagement_metric_unavailable' && n.message.includes(fbChannel.row.name),
    );
    assert.equal(again.length, 1, 'told once');
    await h.t.c.database.db.execute(sql`DELETE FROM engagement_unavailable_metrics`);
  });

  it('accepts signed webhooks, rejects bad signatures with nothing stored, and ignores replays', async () => {
    const start = new Date(clock.getTime());
    const p = await publishedOnFacebook(start);
    clock = new Date(start.getTime() + 20 * MIN);
    await service().collectDue();

    const verify = await request(h.t.app).get('/api/v1/webhooks/facebook').query({
      'hub.mode': 'subscribe',
      'hub.verify_token': mockCredentials.facebookVerifyToken,
      'hub.challenge': '12345',
    });
    assert.equal(verify.status, 200);
    assert.equal(verify.text, '12345');
    const wrongToken = await request(h.t.app)
      .get('/api/v1/webhooks/facebook')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' });
    assert.equal(wrongToken.status, 403);

    const body = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: fbChannel.row.externalId,
          time: 1,
          changes: [{ field: 'feed', value: { item: 'reaction', verb: 'add', post_id: p.externalId } }],
        },
      ],
    });
    const deliveries = async () =>
      (await h.t.c.database.db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM webhook_deliveries`))
        .rows[0]?.n;
    const before = await deliveries();
    const bad = await request(h.t.app)
      .post('/api/v1/webhooks/facebook')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', signFacebookBody('wrong-secret', body).sha256)
      .send(body);
    assert.equal(bad.status, 401);
    assert.equal(await deliveries(), before, 'nothing stored');

    const good = () =>
      request(h.t.app)
        .post('/api/v1/webhooks/facebook')
        .set('content-type', 'application/json')
        .set('x-hub-signature-256', signFacebookBody(mockCredentials.facebookAppSecret, body).sha256)
        .send(body);
    const first = await good();
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.replay, false);
    const early = await h.t.c.database.db.execute<{ early_at: string | null }>(
      sql`SELECT early_at FROM engagement_tracking WHERE publication_id = ${p.publicationId}`,
    );
    assert.ok(early.rows[0]?.early_at, 'an early snapshot was asked for');
    const replay = await good();
    assert.equal(replay.status, 200);
    assert.equal(replay.body.replay, true);

    // The early snapshot is taken without moving the schedule on.
    clock = new Date(clock.getTime() + MIN);
    await service().collectDue();
    assert.equal(await snapshotCount(p.publicationId), 2);
    const tracking = await h.t.c.database.db.execute<{ occurrence: number; early_at: string | null }>(
      sql`SELECT occurrence, early_at FROM engagement_tracking WHERE publication_id = ${p.publicationId}`,
    );
    assert.equal(tracking.rows[0]?.occurrence, 1);
    assert.equal(tracking.rows[0]?.early_at, null);

    // Zalo: X-ZEvent-Signature over app id + raw body + timestamp + OA secret.
    const zBody = JSON.stringify({
      app_id: mockCredentials.zaloAppId,
      event_name: 'follow',
      timestamp: '1700000000000',
      oa_id: zaloChannel.row.externalId,
    });
    const zSig = zaloSignature(
      mockCredentials.zaloAppId,
      zBody,
      '1700000000000',
      mockCredentials.zaloOaSecretKey,
    );
    const zOk = await request(h.t.app)
      .post('/api/v1/webhooks/zalo')
      .set('content-type', 'application/json')
      .set('x-zevent-signature', zSig)
      .send(zBody);
    assert.equal(zOk.status, 200, JSON.stringify(zOk.body));
    const zBad = await request(h.t.app)
      .post('/api/v1/webhooks/zalo')
      .set('content-type', 'application/json')
      .set('x-zevent-signature', 'mac=00')
      .send(zBody);
    assert.equal(zBad.status, 401);
    const zReplay = await request(h.t.app)
      .post('/api/v1/webhooks/zalo')
      .set('content-type', 'application/json')
      .set('x-zevent-signature', zSig)
      .send(zBody);
    assert.equal(zReplay.body.replay, true);
    const digest = createHash('sha256').update(zBody).digest('hex');
    const stored = await h.t.c.database.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM webhook_deliveries WHERE platform = 'zalo' AND digest = ${digest}`,
    );
    assert.equal(stored.rows[0]?.n, 1);
  });

  it('computes the overview from the rollup with the change against the previous period', async () => {
    const day = new Date(clock.getTime()).toISOString().slice(0, 10);
    const res = await request(h.t.app)
      .get('/api/v1/stats/overview')
      .query({ from: day, to: day })
      .set(editor.auth);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.ok(res.body.totals.impressions.value > 0);
    assert.equal(res.body.totals.impressions.source, 'platform');
    assert.equal(res.body.totals.clicks.source, 'loa');
    assert.ok(res.body.byDay.length >= 1);
    assert.ok(
      res.body.byChannel.some(
        (c: { platform: string; impressions: { value: number | null } }) =>
          c.platform === 'zalo' && c.impressions.value === null,
      ),
    );
    // The sum over channels equals the totals (both come from the same rollup).
    const sum = res.body.byChannel.reduce(
      (t: number, c: { reactions: { value: number | null } }) => t + (c.reactions.value ?? 0),
      0,
    );
    assert.equal(sum, res.body.totals.reactions.value);
    const tracked = await h.t.c.database.db.execute<{ total: string }>(sql`
      SELECT coalesce(sum(t.reactions), 0) AS total FROM engagement_tracking t`);
    const window = await request(h.t.app)
      .get('/api/v1/stats/overview')
      .query({
        from: new Date(clock.getTime() - 5 * DAY).toISOString().slice(0, 10),
        to: new Date(clock.getTime() + DAY).toISOString().slice(0, 10),
      })
      .set(editor.auth);
    assert.equal(
      window.body.totals.reactions.value,
      Number(tracked.rows[0]?.total),
      'daily gains add up to the latest figures',
    );
    assert.equal(window.body.totals.reactions.previous, 0);
    assert.equal(window.body.totals.reactions.changePercent, null, 'no percentage invented against nothing');
  });

  it('refuses members and hides other units’ figures', async () => {
    const member = await makeUser(h.t, 'member');
    const day = new Date().toISOString().slice(0, 10);
    const denied = await request(h.t.app)
      .get('/api/v1/stats/overview')
      .query({ from: day, to: day })
      .set(member.auth);
    assert.equal(denied.status, 403);
    const csv = await request(h.t.app)
      .get('/api/v1/stats/export.csv')
      .query({ from: day, to: day })
      .set(member.auth);
    assert.equal(csv.status, 403);
    const unit = await h.t.c.users.createUnit(SYSTEM_ACTOR, {
      name: `Công an xã Khác ${randomUUID().slice(0, 4)}`,
    });
    const outsider = await makeUser(h.t, 'editor', { unitId: unit.id });
    const res = await request(h.t.app)
      .get('/api/v1/stats/overview')
      .query({
        from: new Date(clock.getTime() - 5 * DAY).toISOString().slice(0, 10),
        to: new Date(clock.getTime() + DAY).toISOString().slice(0, 10),
      })
      .set(outsider.auth);
    assert.equal(res.status, 200);
    assert.equal(res.body.totals.impressions.value, 0);
    const [anyPost] = (
      await h.t.c.database.db.execute<{ post_id: string }>(
        sql`SELECT p.post_id FROM engagement_tracking t JOIN publications p ON p.id = t.publication_id LIMIT 1`,
      )
    ).rows;
    const stats = await request(h.t.app).get(`/api/v1/posts/${anyPost?.post_id}/stats`).set(outsider.auth);
    assert.equal(stats.status, 404);
  });

  it('drops raw snapshots past retention a whole month partition at a time, keeping the rollups', async () => {
    const db = h.t.c.database.db;
    const old = new Date(clock.getTime() - 200 * DAY);
    await createEngagementRepo(db).ensurePartitions(old, old);
    const name = `engagement_snapshots_${old.getUTCFullYear()}${String(old.getUTCMonth() + 1).padStart(2, '0')}`;
    const rollupsBefore = (
      await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM engagement_daily`)
    ).rows[0]?.n;
    const dropped = await service().maintain();
    assert.ok(dropped.includes(name), `${name} dropped (got ${dropped.join(', ')})`);
    const current = `engagement_snapshots_${clock.getUTCFullYear()}${String(clock.getUTCMonth() + 1).padStart(2, '0')}`;
    const left = await db.execute<{ relname: string }>(
      sql`SELECT relname FROM pg_class WHERE relname IN (${name}, ${current})`,
    );
    assert.deepEqual(
      left.rows.map((r) => r.relname),
      [current],
    );
    const rollupsAfter = (
      await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM engagement_daily`)
    ).rows[0]?.n;
    assert.equal(rollupsAfter, rollupsBefore);
  });

  it('streams a CSV of 100,000 rows with a BOM in bounded memory', async function () {
    this.timeout(180_000);
    const db = h.t.c.database.db;
    const from = '2020-01-01';
    await db.execute(sql`
      WITH made AS (
        INSERT INTO posts (id, status, title, text, author_id, slug, scheduled_at)
        SELECT gen_random_uuid(), 'published', 'Cảnh báo lừa đảo số ' || g, 'Nội dung', ${h.authorId}, 'csv-' || g || '-' || ${randomUUID().slice(0, 6)}, '2020-01-02T00:00:00Z'
        FROM generate_series(1, 100000) g RETURNING id
      )
      INSERT INTO publications (post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
      SELECT id, ${fbChannel.row.id}, 'published', '2020-01-02T00:00:00Z', 'csv' || replace(id::text, '-', ''), 'x_' || id, '2020-01-02T00:00:00Z' FROM made`);
    const server = h.t.app.listen(0);
    try {
      const port = (server.address() as AddressInfo).port;
      global.gc?.();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/stats/export.csv?from=${from}&to=2020-01-03`, {
        headers: editor.auth,
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      const reader = res.body!.getReader();
      let lines = 0;
      let bytes = 0;
      let first: Uint8Array | undefined;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        first ??= value;
        bytes += value.length;
        for (const byte of value) if (byte === 10) lines++;
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      assert.deepEqual([...first!.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
      assert.equal(lines, 100_001, 'a header and 100,000 rows');
      assert.ok(bytes > 10_000_000);
      const growth = peak - baseline;
      assert.ok(
        growth < 80 * 1024 * 1024,
        `heap grew ${Math.round(growth / 1e6)} MB for ${Math.round(bytes / 1e6)} MB of CSV`,
      );
    } finally {
      server.close();
      await db.execute(sql`DELETE FROM posts WHERE slug LIKE 'csv-%'`);
    }
  });
});
