// Posts over the API: writing, validation, review with four eyes, editing after approval,
// cancelling, urgent publication, history, listing; publications are created on approval.
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { auditLog, notifications, publications } from '../../../server/db/schema.ts';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

describe('posts: writing and review', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let editor: Awaited<ReturnType<typeof makeUser>>;
  let reviewer: Awaited<ReturnType<typeof makeUser>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let facebookId: string;
  let zaloId: string;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
    [editor, reviewer, admin] = await Promise.all([
      makeUser(t, 'editor'),
      makeUser(t, 'reviewer'),
      makeUser(t, 'admin'),
    ]);
    const page = await platforms.createPage('Công an tỉnh Thử Nghiệm');
    const oa = await platforms.createOa('Công an tỉnh Thử Nghiệm OA');
    facebookId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        { platform: 'facebook', externalId: page.id, accessToken: page.access_token },
      )
    ).id;
    zaloId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        {
          platform: 'zalo',
          externalId: oa.oa_id,
          accessToken: oa.access_token,
          refreshToken: oa.refresh_token,
        },
      )
    ).id;
  });
  after(async () => {
    await t.close();
    await platforms.close();
  });

  const templateBody = () => ({
    templateId: 'gia-danh-co-quan-phap-luat',
    variables: {
      unitName: 'Công an tỉnh Quảng Nam',
      hotline: '0235 3822 123',
      area: 'Quảng Nam',
      date: '2026-12-01',
    },
    withCard: true,
    channelIds: [facebookId, zaloId],
    scheduledAt: inHours(24),
  });

  async function createDraft(body: Record<string, unknown> = templateBody()) {
    const res = await request(t.app).post('/api/v1/posts').set(editor.auth).send(body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; version: number; status: string };
  }

  it('writes a draft from a built-in template, with text, card, slug and public URL', async () => {
    const res = await request(t.app).post('/api/v1/posts').set(editor.auth).send(templateBody());
    assert.equal(res.status, 201);
    assert.equal(res.body.status, 'draft');
    assert.match(res.body.text, /Công an tỉnh Quảng Nam/);
    assert.match(res.body.text, /113/);
    assert.ok(res.body.card.url.includes('/media/cards/'));
    assert.equal(res.body.card.width, 1200);
    assert.match(res.body.publicUrl, /\/w\/[a-z0-9-]+-[0-9a-f]{6}$/);
    assert.deepEqual(res.body.publications, []);
    assert.equal(res.body.history[0].action, 'created');
  });

  it('writes a draft from free text, normalised to NFC', async () => {
    const res = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Ca\u0309nh ba\u0301o: gia\u0309 danh nha\u0302n vie\u0302n ngân hàng',
        channelIds: [facebookId],
        scheduledAt: inHours(2),
      });
    assert.equal(res.status, 201);
    assert.ok(res.body.text.startsWith('Cảnh báo: giả danh nhân viên ngân hàng'.normalize('NFC')));
    assert.equal(res.body.card, null);
  });

  it('refuses bad input with 422 naming each field, and creates nothing', async () => {
    const before = (await request(t.app).get('/api/v1/posts?limit=200').set(editor.auth)).body.items.length;
    const both = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ ...templateBody(), text: 'x' });
    assert.equal(both.status, 422);
    const neither = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ channelIds: [], scheduledAt: inHours(1) });
    assert.equal(neither.status, 422);
    const bad = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Cảnh báo',
        channelIds: ['00000000-0000-4000-8000-000000000000'],
        scheduledAt: inHours(-3),
        notAfter: inHours(-4),
      });
    assert.equal(bad.status, 422);
    const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ['channelIds.0', 'notAfter', 'scheduledAt']);
    const noOffset = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ text: 'x', channelIds: [], scheduledAt: '2030-01-01T08:00:00' });
    assert.equal(noOffset.status, 422);
    const missingVars = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ ...templateBody(), variables: {} });
    assert.equal(missingVars.status, 422);
    assert.ok(missingVars.body.error.details.some((d: { path: string }) => d.path === 'variables.unitName'));
    const after = (await request(t.app).get('/api/v1/posts?limit=200').set(editor.auth)).body.items.length;
    assert.equal(after, before);
  });

  it('goes draft → in review → scheduled, creating one publication per channel; reviewers are notified', async () => {
    const draft = await createDraft();
    const submitted = await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth);
    assert.equal(submitted.status, 200);
    assert.equal(submitted.body.status, 'in_review');
    const notes = await t.c.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, reviewer.user.id));
    assert.ok(notes.some((n) => n.kind === 'review_requested' && n.link === `/posts/${draft.id}`));

    const approved = await request(t.app)
      .post(`/api/v1/posts/${draft.id}/approve`)
      .set(reviewer.auth)
      .send({ comment: 'Đúng nội dung', version: 1 });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'scheduled');
    assert.equal(approved.body.approvedBy, reviewer.user.id);
    assert.equal(approved.body.publications.length, 2);
    assert.ok(approved.body.publications.every((p: { status: string }) => p.status === 'scheduled'));
    assert.deepEqual(
      approved.body.history.map((h: { action: string }) => h.action),
      ['created', 'submitted', 'approved'],
    );
    const audits = await t.c.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, draft.id))
      .orderBy(auditLog.id);
    assert.deepEqual(
      audits.map((a) => a.action).filter((a) => a.startsWith('post.')),
      ['post.created', 'post.submitted', 'post.approved'],
    );
  });

  it('enforces four eyes: the author cannot approve or reject, even as an admin', async () => {
    const res = await request(t.app).post('/api/v1/posts').set(admin.auth).send(templateBody());
    await request(t.app).post(`/api/v1/posts/${res.body.id}/submit`).set(admin.auth).expect(200);
    const self = await request(t.app).post(`/api/v1/posts/${res.body.id}/approve`).set(admin.auth).send({});
    assert.equal(self.status, 403);
    assert.equal(self.body.error.code, 'four_eyes');
    assert.equal(
      (
        await request(t.app)
          .post(`/api/v1/posts/${res.body.id}/reject`)
          .set(admin.auth)
          .send({ comment: 'x' })
      ).status,
      403,
    );
    assert.equal(
      (await request(t.app).get(`/api/v1/posts/${res.body.id}`).set(admin.auth)).body.status,
      'in_review',
    );
  });

  it('rejects with a comment pinned to the version reviewed; the author is told, edits and resubmits', async () => {
    const draft = await createDraft();
    await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth).expect(200);
    const noComment = await request(t.app)
      .post(`/api/v1/posts/${draft.id}/reject`)
      .set(reviewer.auth)
      .send({});
    assert.equal(noComment.status, 422);
    const rejected = await request(t.app)
      .post(`/api/v1/posts/${draft.id}/reject`)
      .set(reviewer.auth)
      .send({ comment: 'Thêm số đường dây nóng', version: 1 });
    assert.equal(rejected.body.status, 'rejected');
    const note = rejected.body.history.at(-1);
    assert.deepEqual([note.action, note.comment, note.version], ['rejected', 'Thêm số đường dây nóng', 1]);
    const told = await t.c.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, editor.user.id));
    assert.ok(told.some((n) => n.kind === 'post_rejected' && n.message.includes('Thêm số đường dây nóng')));

    const edited = await request(t.app)
      .patch(`/api/v1/posts/${draft.id}`)
      .set(editor.auth)
      .send({ variables: { ...templateBody().variables, hotline: '113' } });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.version, 2);
    await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth).expect(200);
    const stale = await request(t.app)
      .post(`/api/v1/posts/${draft.id}/approve`)
      .set(reviewer.auth)
      .send({ version: 1 });
    assert.equal(stale.status, 409, 'approving a version other than the current one is refused');
    assert.equal(stale.body.error.code, 'stale_version');
    assert.equal(
      (await request(t.app).post(`/api/v1/posts/${draft.id}/approve`).set(reviewer.auth).send({ version: 2 }))
        .status,
      200,
    );
  });

  it('answers 409 for a transition the state does not allow', async () => {
    const draft = await createDraft();
    const approveDraft = await request(t.app)
      .post(`/api/v1/posts/${draft.id}/approve`)
      .set(reviewer.auth)
      .send({});
    assert.equal(approveDraft.status, 409);
    assert.equal(approveDraft.body.error.code, 'wrong_state');
    await request(t.app).post(`/api/v1/posts/${draft.id}/cancel`).set(editor.auth).expect(200);
    assert.equal(
      (await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth)).status,
      409,
    );
    assert.equal(
      (await request(t.app).patch(`/api/v1/posts/${draft.id}`).set(editor.auth).send({ text: 'x' })).status,
      409,
    );
  });

  it('sends an edited scheduled post back to review and withdraws its publications; a pure reschedule keeps approval', async () => {
    const draft = await createDraft();
    await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth).expect(200);
    await request(t.app).post(`/api/v1/posts/${draft.id}/approve`).set(reviewer.auth).send({}).expect(200);

    const newTime = inHours(30);
    const moved = await request(t.app)
      .patch(`/api/v1/posts/${draft.id}`)
      .set(editor.auth)
      .send({ scheduledAt: newTime });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.status, 'scheduled');
    assert.ok(
      moved.body.publications.every(
        (p: { scheduledAt: string }) => p.scheduledAt === new Date(newTime).toISOString(),
      ),
    );

    const edited = await request(t.app)
      .patch(`/api/v1/posts/${draft.id}`)
      .set(editor.auth)
      .send({ variables: { ...templateBody().variables, area: 'Đà Nẵng' } });
    assert.equal(edited.status, 200);
    assert.equal(edited.body.status, 'in_review');
    const rows = await t.c.database.db.select().from(publications).where(eq(publications.postId, draft.id));
    assert.ok(
      rows.every((r) => r.status === 'cancelled'),
      'the old publications never go out',
    );
  });

  it('cancels a scheduled post: its publications are cancelled', async () => {
    const draft = await createDraft();
    await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth).expect(200);
    await request(t.app).post(`/api/v1/posts/${draft.id}/approve`).set(reviewer.auth).send({}).expect(200);
    const res = await request(t.app).post(`/api/v1/posts/${draft.id}/cancel`).set(reviewer.auth);
    assert.equal(res.body.status, 'cancelled');
    const rows = await t.c.database.db.select().from(publications).where(eq(publications.postId, draft.id));
    assert.ok(rows.length === 2 && rows.every((r) => r.status === 'cancelled'));
  });

  it('lets only an admin publish urgently: approved at once by that admin, recorded as urgent', async () => {
    const byEditor = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ ...templateBody(), urgent: true });
    assert.equal(byEditor.status, 403);
    const res = await request(t.app)
      .post('/api/v1/posts')
      .set(admin.auth)
      .send({ ...templateBody(), urgent: true });
    assert.equal(res.status, 201);
    assert.equal(res.body.status, 'scheduled');
    assert.equal(res.body.urgent, true);
    assert.equal(res.body.approvedBy, admin.user.id);
    assert.ok(Math.abs(Date.parse(res.body.scheduledAt) - Date.now()) < 60_000);
    assert.equal(res.body.history.at(-1).action, 'approved_urgent');
  });

  it('lists posts by status, channel and time, page by page', async () => {
    const ids = [];
    for (let i = 0; i < 3; i += 1)
      ids.push(
        (await createDraft({ ...templateBody(), channelIds: [zaloId], scheduledAt: inHours(100 + i) })).id,
      );
    const first = await request(t.app)
      .get(`/api/v1/posts?status=draft&channelId=${zaloId}&from=${encodeURIComponent(inHours(99))}&limit=2`)
      .set(reviewer.auth);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((p: { id: string }) => p.id),
      ids.slice(0, 2),
    );
    const second = await request(t.app)
      .get(
        `/api/v1/posts?status=draft&channelId=${zaloId}&from=${encodeURIComponent(inHours(99))}&limit=2&cursor=${first.body.nextCursor}`,
      )
      .set(reviewer.auth);
    assert.deepEqual(
      second.body.items.map((p: { id: string }) => p.id),
      ids.slice(2),
    );
    assert.equal(second.body.nextCursor, null);
    assert.equal((await request(t.app).get('/api/v1/posts?status=nope').set(reviewer.auth)).status, 422);
  });

  it('groups posts in campaigns and validates recurrence', async () => {
    const campaign = await request(t.app)
      .post('/api/v1/campaigns')
      .set(editor.auth)
      .send({ name: 'Tháng phòng chống lừa đảo', startsAt: inHours(1), endsAt: inHours(720) });
    assert.equal(campaign.status, 201);
    const weekly = await createDraft({
      ...templateBody(),
      campaignId: campaign.body.id,
      recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8', until: inHours(24 * 60) },
    });
    const listed = await request(t.app).get(`/api/v1/posts?campaignId=${campaign.body.id}`).set(editor.auth);
    assert.deepEqual(
      listed.body.items.map((p: { id: string }) => p.id),
      [weekly.id],
    );
    const bad = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({ ...templateBody(), recurrence: { rule: 'FREQ=MINUTELY', until: inHours(48) } });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.details[0].path, 'recurrence.rule');
  });

  it('shows the review queue to reviewers without their own posts, and approves from it', async () => {
    const draft = await createDraft();
    await request(t.app).post(`/api/v1/posts/${draft.id}/submit`).set(editor.auth).expect(200);
    const { agent, csrf, ip } = await signedInAgent(t, reviewer.user.email);
    const page = await agent.get('/review').set('X-Forwarded-For', ip);
    assert.equal(page.status, 200);
    assert.ok(page.text.includes(`/posts/${draft.id}`));
    const res = await agent
      .post(`/posts/${draft.id}/approve`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, version: '1', back: 'review' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, '/review');
    const detail = await agent.get(`/posts/${draft.id}`).set('X-Forwarded-For', ip);
    assert.match(detail.text, /Đã lên lịch/);
    const events = await agent
      .get(`/calendar/events?start=${encodeURIComponent(inHours(-1))}&end=${encodeURIComponent(inHours(48))}`)
      .set('X-Forwarded-For', ip);
    assert.ok(events.body.some((e: { id: string }) => e.id === draft.id));
  });
});

describe('posts: recurring series', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({}, { platformUrls: platforms.urls, mockPlatforms: platforms.mock });
  });
  after(async () => {
    await t.close();
    await platforms.close();
  });

  it('creates one post per occurrence, and after downtime only the next one — never a burst', async () => {
    const { createPostSeries } = await import('../../../server/posts/post-series.ts');
    const editor = await makeUser(t, 'editor');
    const reviewer = await makeUser(t, 'reviewer');
    const page = await platforms.createPage('Trang chuỗi');
    const channel = await t.c.channels.connect(
      { ...SYSTEM_ACTOR },
      { platform: 'facebook', externalId: page.id, accessToken: page.access_token },
    );
    const first = await request(t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Nhắc lại hằng tuần: không chuyển tiền cho người lạ',
        channelIds: [channel.id],
        scheduledAt: '2030-01-07T08:00:00+07:00',
        recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=8', until: '2030-06-01T00:00:00+07:00' },
      });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.seriesId, first.body.id);
    await request(t.app).post(`/api/v1/posts/${first.body.id}/submit`).set(editor.auth).expect(200);
    await request(t.app)
      .post(`/api/v1/posts/${first.body.id}/approve`)
      .set(reviewer.auth)
      .send({})
      .expect(200);

    const seriesAt = (now: Date) =>
      createPostSeries({
        db: t.c.database.db,
        repo: t.c.repos.posts,
        audit: t.c.auditLog.record,
        publications: t.c.publishing,
        timeZone: 'Asia/Ho_Chi_Minh',
        now: () => now,
      });
    // Before the first occurrence's time: nothing to create.
    assert.equal(await seriesAt(new Date('2030-01-06T00:00:00Z')).continueDueSeries(), 0);
    // Three weeks of downtime later (Wed 2030-01-30): exactly one new post, the coming Monday 08:00.
    assert.equal(await seriesAt(new Date('2030-01-30T03:00:00Z')).continueDueSeries(), 1);
    assert.equal(
      await seriesAt(new Date('2030-01-30T03:00:00Z')).continueDueSeries(),
      0,
      'running again makes nothing',
    );
    const series = (
      await t.c.posts.listPosts(SYSTEM_ACTOR, {
        limit: 100,
        from: new Date('2030-01-01T00:00:00Z'),
        to: new Date('2030-12-31T00:00:00Z'),
      })
    ).filter((p) => p.seriesId === first.body.id);
    assert.deepEqual(
      series.map((p) => [p.scheduledAt.toISOString(), p.status]),
      [
        ['2030-01-07T01:00:00.000Z', 'scheduled'],
        ['2030-02-04T01:00:00.000Z', 'scheduled'],
      ],
    );
    const pubs = await t.c.publishing.listForPost(series[1]!.id);
    assert.equal(pubs.length, 1, 'the approved series schedules the new occurrence');
    // After the series' end: nothing more.
    assert.equal(await seriesAt(new Date('2030-06-02T00:00:00Z')).continueDueSeries(), 0);
  });
});
