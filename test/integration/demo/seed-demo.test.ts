// The living demo, seeded against the test database and the mocks with a worker publishing:
// what it made (communes with profiles, consenting members, published posts with collected
// engagement, shares and clicks, future posts), and that a second run changes nothing.
import assert from 'node:assert/strict';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import request from 'supertest';
import { createDemoClock, demoExists, seedDemo, type SeedResult } from '../../../server/demo/seed-demo.ts';
import { DEMO_COMMUNES, DEMO_PROVINCE } from '../../../server/demo/demo-data.ts';
import type { Worker } from '../../../server/worker.ts';
import { createTestApp, signedInAgent, type TestApp } from '../../support/app.ts';
import { testLogger } from '../../support/database.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';
import { startTestWorker } from '../../support/worker.ts';
import { FAST_TUNING } from '../publishing/harness.ts';

const passwords = {
  admin: 'demo-admin-password-1',
  editor: 'demo-editor-password-1',
  reviewer: 'demo-reviewer-password-1',
  member: 'demo-member-password-1',
};

describe('the living demo (seed-demo)', function () {
  this.timeout(120_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let worker: Worker;
  let first: SeedResult;
  const clock = createDemoClock();

  const rows = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
    (await t.c.database.db.execute<T>(query)).rows;
  const provinceId = async () => {
    const [row] = await rows<{ id: string }>(
      sql`SELECT id FROM units WHERE name = ${DEMO_PROVINCE.name} AND parent_id IS NULL`,
    );
    assert.ok(row, 'the province exists');
    return row.id;
  };
  /**
   * Counts of everything the demo writes, for "the second run changes nothing". Audit entries are
   * counted for the seed's own actions only.
   */
  const census = async () =>
    (
      await rows<Record<string, number>>(sql`SELECT
        (SELECT count(*)::int FROM units) AS units, (SELECT count(*)::int FROM users) AS users,
        (SELECT count(*)::int FROM channels) AS channels, (SELECT count(*)::int FROM posts) AS posts,
        (SELECT count(*)::int FROM publications) AS publications, (SELECT count(*)::int FROM media) AS media,
        (SELECT count(*)::int FROM member_shares) AS shares, (SELECT count(*)::int FROM campaigns) AS campaigns,
        (SELECT count(*)::int FROM audit_log WHERE action IN ('unit.created', 'unit.logo_set', 'user.created',
          'channel.connected', 'media.uploaded', 'campaign.created', 'post.created', 'post.approved')) AS audit`)
    )[0];

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { FACEBOOK_WWW_URL: platforms.mock.facebook },
      {
        platformUrls: platforms.urls,
        mockPlatforms: platforms.mock,
        publishingTuning: FAST_TUNING,
        clock: clock.now,
      },
      // Its own database: the demo's province and fortnight of engagement would be counted by
      // other files' whole-database figures, and the dashboard's e2e seeds the demo too.
      { database: 'seed_demo' },
    );
    worker = await startTestWorker(t, 'demo-worker');
    const started = Date.now();
    first = await seedDemo(
      {
        container: t.c,
        mocks: platforms.mock,
        clock,
        logger: testLogger,
        mediaRoot: path.resolve(import.meta.dirname, '../../../media'),
      },
      passwords,
    );
    testLogger.info({ ms: Date.now() - started }, 'demo seeded');
  });
  after(async () => {
    await worker?.stop(10_000);
    await t?.close();
    await platforms?.close();
  });

  it('made a province with ten communes, each with its profile and logo', async () => {
    assert.equal(first.created, true);
    const id = await provinceId();
    const communes = await rows<{
      name: string;
      profile: Record<string, string | null>;
      logo_media_id: string | null;
    }>(sql`SELECT name, profile, logo_media_id FROM units WHERE parent_id = ${id} ORDER BY name`);
    assert.equal(communes.length, 10);
    assert.deepEqual(communes.map((c) => c.name).sort(), DEMO_COMMUNES.map((c) => c.name).sort());
    for (const commune of communes) {
      assert.ok(commune.profile.hotline, `${commune.name} has a hotline`);
      assert.ok(commune.profile.address, `${commune.name} has an address`);
      assert.ok(commune.profile.area, `${commune.name} has an area`);
      assert.ok(commune.logo_media_id, `${commune.name} has a logo`);
    }
  });

  it('made staff who can sign in, and 30 consenting members spread over the communes', async () => {
    const id = await provinceId();
    const members = await rows<{
      unit_id: string;
      consent_version: number | null;
      listed_in_stats: boolean;
    }>(sql`
      SELECT u.unit_id, p.consent_version, p.listed_in_stats FROM users u
      JOIN member_profiles p ON p.user_id = u.id
      JOIN units un ON un.id = u.unit_id
      WHERE u.role = 'member' AND un.parent_id = ${id}`);
    assert.equal(members.length, 30);
    assert.ok(members.every((m) => m.consent_version === t.c.amplification.members.consent.version));
    assert.equal(new Set(members.map((m) => m.unit_id)).size, 10, 'every commune has members');
    const listed = members.filter((m) => m.listed_in_stats).length;
    assert.ok(listed > 0 && listed < 30, 'some listed by name, some not');
    const roles = first.logins.filter((l) => l.role !== 'member').map((l) => l.role);
    assert.deepEqual([...new Set(roles)].sort(), ['admin', 'editor', 'reviewer']);
    for (const [role, password] of [
      ['admin', passwords.admin],
      ['reviewer', passwords.reviewer],
    ] as const) {
      const login = first.logins.find((l) => l.role === role);
      assert.ok(login);
      await signedInAgent(t, login.email, password);
    }
  });

  it('published the past fortnight through the worker, with engagement collected, member shares and clicks', async () => {
    const id = await provinceId();
    const adminUser = await t.c.repos.users.findByEmail(
      first.logins.find((l) => l.role === 'admin')?.email ?? '',
    );
    assert.ok(adminUser);
    const { token } = await t.c.auth.issueToken(adminUser, { name: 'demo-test', ip: null });
    const posts = await rows<{ id: string; status: string; scheduled_at: Date }>(sql`
      SELECT p.id, p.status, p.scheduled_at FROM posts p JOIN units un ON un.id = p.unit_id
      WHERE un.id = ${id} OR un.parent_id = ${id}`);
    const past = posts.filter((p) => p.status === 'published');
    assert.equal(past.length, 10);
    const now = Date.now();
    assert.ok(
      past.every(
        (p) =>
          new Date(p.scheduled_at).getTime() < now &&
          new Date(p.scheduled_at).getTime() > now - 16 * 86_400_000,
      ),
      'scheduled over the past two weeks',
    );
    // Every publication went out on the mocks exactly once.
    const pubs = await rows<{ external_id: string; platform: string; page: string }>(sql`
      SELECT pb.external_id, c.platform, c.external_id AS page FROM publications pb
      JOIN channels c ON c.id = pb.channel_id WHERE pb.post_id = ANY(${sql.param(past.map((p) => p.id))}::uuid[])`);
    assert.ok(pubs.length >= 15);
    const fbPages = [...new Set(pubs.filter((p) => p.platform === 'facebook').map((p) => p.page))];
    let onMock = 0;
    for (const page of fbPages) onMock += (await platforms.posts(`page_id=${page}`)).length;
    assert.equal(onMock, pubs.filter((p) => p.platform === 'facebook').length);

    let impressions = 0;
    let reactions = 0;
    let clicks = 0;
    for (const post of past) {
      const res = await request(t.app)
        .get(`/api/v1/posts/${post.id}/stats`)
        .set('Authorization', `Bearer ${token}`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      impressions += res.body.totals.impressions.value ?? 0;
      reactions += res.body.totals.reactions.value ?? 0;
      clicks += res.body.totals.clicks.value ?? 0;
      assert.ok(res.body.series.length >= 2, 'a curve: at least two snapshots');
    }
    assert.ok(impressions > 0, 'impressions collected');
    assert.ok(reactions > 0, 'reactions collected');
    assert.ok(clicks > 0, 'tracked-link clicks counted');
    const [shares] = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM member_shares WHERE status = 'shared'
        AND post_id = ANY(${sql.param(past.map((p) => p.id))}::uuid[])`);
    assert.ok((shares?.n ?? 0) > 10, 'members shared');
    const [bots] = await rows<{ bots: number; people: number }>(sql`
      SELECT sum(bot_clicks)::int AS bots, sum(clicks)::int AS people FROM links
      WHERE post_id = ANY(${sql.param(past.map((p) => p.id))}::uuid[])`);
    assert.ok((bots?.bots ?? 0) > 0 && (bots?.people ?? 0) > 0, 'people and link-preview bots counted apart');
    assert.ok(first.created && first.summary.publications === pubs.length);
  });

  it('left the next fortnight scheduled, in review and drafted', async () => {
    const id = await provinceId();
    const future = await rows<{ status: string; scheduled_at: Date }>(sql`
      SELECT p.status, p.scheduled_at FROM posts p JOIN units un ON un.id = p.unit_id
      WHERE (un.id = ${id} OR un.parent_id = ${id}) AND p.status <> 'published'`);
    const by = (status: string) => future.filter((p) => p.status === status);
    assert.equal(by('scheduled').length, 5);
    assert.ok(by('in_review').length >= 1 && by('draft').length >= 1);
    assert.ok(future.every((p) => new Date(p.scheduled_at).getTime() > Date.now()));
    const [pending] = await rows<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM publications pb JOIN posts p ON p.id = pb.post_id
      JOIN units un ON un.id = p.unit_id
      WHERE (un.id = ${id} OR un.parent_id = ${id}) AND pb.status = 'scheduled'`);
    assert.ok((pending?.n ?? 0) >= 5, 'their publications wait for their time');
  });

  it('says the demo exists on a second run and changes nothing', async () => {
    assert.equal(await demoExists(t.c), true);
    const before = await census();
    const second = await seedDemo(
      { container: t.c, mocks: platforms.mock, clock, logger: testLogger, mediaRoot: 'unused' },
      passwords,
    );
    assert.equal(second.created, false);
    assert.equal(second.logins.length, first.logins.length);
    assert.deepEqual(await census(), before);
    assert.ok((await t.c.users.listAllUnits()).some((u) => u.name === DEMO_PROVINCE.name));
  });
});
