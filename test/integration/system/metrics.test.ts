// GET /metrics (issue 14 "Operations"): off unless LOA_METRICS_TOKEN is set, then only for that
// bearer token; Prometheus text with the publications by status, lateness, overdue and
// due-but-unclaimed counts, retries, job failures, the collector's lag and HTTP latency by route
// pattern (never a raw id).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { testDatabase } from '../../support/database.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const TOKEN = 'metrics-token-for-the-test-0001';

/** The value of one sample line, e.g. `loa_publications{status="published"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('metrics', function () {
  this.timeout(60_000);
  let platforms: TestPlatforms;
  let t: TestApp;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { LOA_METRICS_TOKEN: TOKEN },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
  });
  after(async () => {
    await t?.close();
    await platforms?.close();
  });

  it('is not served at all without LOA_METRICS_TOKEN', async () => {
    const off = await createTestApp();
    try {
      await request(off.app).get('/metrics').expect(404);
    } finally {
      await off.close();
    }
  });

  it('refuses a request without the token or with another one', async () => {
    const none = await request(t.app).get('/metrics').expect(401);
    assert.equal(none.body.error.code, 'unauthorized');
    await request(t.app)
      .get('/metrics')
      .set('Authorization', 'Bearer wrong-token-wrong-token-00')
      .expect(401);
    await request(t.app).get('/metrics').set('Authorization', `Basic ${TOKEN}`).expect(401);
  });

  it("reports the database's figures and latency by route pattern", async () => {
    const admin = await makeUser(t, 'admin');
    const editor = await makeUser(t, 'editor');
    const page = await platforms.createPage(`Trang đo ${randomUUID().slice(0, 6)}`);
    const channel = await request(t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: page.access_token });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    const post = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Cảnh báo lừa đảo qua mạng',
        channelIds: [channel.body.id],
        scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
      });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    const reviewer = await makeUser(t, 'reviewer');
    await request(t.app).post(`/api/v1/posts/${post.body.id}/submit`).set(editor.auth).expect(200);
    await request(t.app)
      .post(`/api/v1/posts/${post.body.id}/approve`)
      .set(reviewer.auth)
      .send({})
      .expect(200);
    const { handle } = await testDatabase();
    // This publication's time passed ten minutes ago and no worker took it: it is overdue.
    await handle.pool.query(
      `UPDATE publications SET status = 'scheduled', scheduled_at = now() - interval '10 minutes' WHERE post_id = $1`,
      [post.body.id],
    );
    await request(t.app).get(`/api/v1/posts/${post.body.id}`).set(editor.auth).expect(200);

    const res = await request(t.app).get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    assert.match(res.headers['content-type'] ?? '', /^text\/plain/);
    const text = res.text;

    const byStatus = await handle.pool.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM publications GROUP BY status',
    );
    for (const row of byStatus.rows) {
      assert.equal(sample(text, `loa_publications{status="${row.status}"}`), row.n, row.status);
    }
    const overdue = await handle.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM publications WHERE status = 'scheduled'
          AND scheduled_at < now() - interval '2 minutes'
          AND (next_attempt_at IS NULL OR next_attempt_at < now() - interval '2 minutes')`,
    );
    assert.ok(overdue.rows[0]!.n >= 1);
    assert.equal(sample(text, 'loa_publications_overdue'), overdue.rows[0]!.n);
    const published = await handle.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM publications WHERE status = 'published' AND published_at IS NOT NULL`,
    );
    assert.equal(sample(text, 'loa_publish_lateness_seconds_count'), published.rows[0]!.n);
    assert.equal(sample(text, 'loa_publish_lateness_seconds_bucket{le="+Inf"}'), published.rows[0]!.n);
    for (const name of [
      'loa_jobs_due_unclaimed',
      'loa_publish_retries',
      'loa_engagement_collector_lag_seconds',
    ]) {
      assert.ok(Number.isFinite(sample(text, name)), `${name} is reported`);
    }
    assert.match(text, /# TYPE loa_job_failures gauge/);
    assert.match(text, /# TYPE loa_publish_lateness_seconds histogram/);
    assert.match(
      text,
      /loa_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/posts\/:id",status="200"\} [1-9]/,
    );
    assert.ok(!text.includes(post.body.id as string), 'no raw id becomes a label');
    assert.match(text, /loa_process_resident_memory_bytes/);
  });
});
