// Channels over HTTP against the mock platforms: the token is checked with the platform first,
// stored encrypted, listed with its status, removed unless in use; Zalo tokens rotate safely.
import assert from 'node:assert/strict';
import { eq, sql } from 'drizzle-orm';
import request from 'supertest';
import { channels } from '../../../server/db/schema.ts';
import { makeUser, signedInAgent } from '../../support/app.ts';
import { startPublishingHarness, type Harness } from '../publishing/harness.ts';

describe('channels: connect, list, remove, rotate tokens', function () {
  this.timeout(30_000);
  let h: Harness;
  let admin: Awaited<ReturnType<typeof makeUser>>;

  before(async () => {
    h = await startPublishingHarness();
    admin = await makeUser(h.t, 'admin');
  });
  afterEach(async () => {
    await h.control('zalo', 'DELETE', '/faults');
  });
  after(async () => h?.close());

  it('connects a Facebook Page after the platform accepts its token, and stores the token encrypted', async () => {
    const page = await h.control<{ id: string; name: string; access_token: string }>(
      'facebook',
      'POST',
      '/pages',
      { name: 'Công an tỉnh Lâm Đồng' },
    );
    const res = await request(h.t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: page.access_token });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(
      {
        platform: res.body.platform,
        externalId: res.body.externalId,
        name: res.body.name,
        status: res.body.status,
      },
      { platform: 'facebook', externalId: page.id, name: 'Công an tỉnh Lâm Đồng', status: 'active' },
    );
    assert.equal(JSON.stringify(res.body).includes(page.access_token), false, 'the token never comes back');

    const [row] = await h.t.c.database.db.select().from(channels).where(eq(channels.id, res.body.id));
    assert.ok(row);
    assert.equal(row.accessTokenEnc.includes(page.access_token), false);
    assert.match(row.accessTokenEnc, /^v2\./);
    const raw = await h.t.c.database.db.execute(
      sql`SELECT row_to_json(c)::text AS j FROM channels c WHERE id = ${row.id}`,
    );
    assert.equal(
      String(raw.rows[0]?.j).includes(page.access_token),
      false,
      'no column holds the token in clear',
    );
    assert.equal(h.t.c.channels.credentials(row).accessToken, page.access_token);
  });

  it('answers 422 with the platform message when the token is refused, and stores nothing', async () => {
    const page = await h.control<{ id: string }>('facebook', 'POST', '/pages', { name: 'Trang thử' });
    const res = await request(h.t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: 'EAAnot-a-real-token-000' });
    assert.equal(res.status, 422);
    assert.match(res.body.error.message, /Facebook refused the token: .*(token|OAuth|session)/i);
    assert.equal(res.body.error.details[0].path, 'accessToken');
    const other = await h.control<{ access_token: string }>('facebook', 'POST', '/pages', {
      name: 'Trang khác',
    });
    const wrong = await request(h.t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: other.access_token });
    assert.equal(wrong.status, 422);
    assert.match(wrong.body.error.message, /not to the Page/);
    const rows = await h.t.c.database.db.select().from(channels).where(eq(channels.externalId, page.id));
    assert.equal(rows.length, 0);
  });

  it('lets only admins connect or remove; every signed-in role sees the list with statuses', async () => {
    const editor = await makeUser(h.t, 'editor');
    const zalo = await h.control<{ oa_id: string; access_token: string; refresh_token: string }>(
      'zalo',
      'POST',
      '/oas',
      { name: 'Zalo OA Công an' },
    );
    const denied = await request(h.t.app)
      .post('/api/v1/channels')
      .set(editor.auth)
      .send({ platform: 'zalo', externalId: zalo.oa_id, accessToken: zalo.access_token });
    assert.equal(denied.status, 403);
    const created = await request(h.t.app).post('/api/v1/channels').set(admin.auth).send({
      platform: 'zalo',
      externalId: zalo.oa_id,
      accessToken: zalo.access_token,
      refreshToken: zalo.refresh_token,
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const list = await request(h.t.app).get('/api/v1/channels').set(editor.auth);
    assert.equal(list.status, 200);
    const item = list.body.items.find((c: { id: string }) => c.id === created.body.id);
    assert.equal(item.status, 'active');
    assert.equal(item.statusReason, null);
    assert.equal(
      (await request(h.t.app).delete(`/api/v1/channels/${created.body.id}`).set(editor.auth)).status,
      403,
    );
    assert.equal(
      (await request(h.t.app).delete(`/api/v1/channels/${created.body.id}`).set(admin.auth)).status,
      204,
    );
    const after = await request(h.t.app).get('/api/v1/channels').set(editor.auth);
    assert.equal(
      after.body.items.some((c: { id: string }) => c.id === created.body.id),
      false,
    );
  });

  it('pauses a channel: its due publications fail with that reason and nothing is posted; resumes it', async () => {
    const fb = await h.channel('facebook');
    const editor = await makeUser(h.t, 'editor');
    assert.equal(
      (
        await request(h.t.app)
          .patch(`/api/v1/channels/${fb.row.id}`)
          .set(editor.auth)
          .send({ status: 'disabled' })
      ).status,
      403,
    );
    const paused = await request(h.t.app)
      .patch(`/api/v1/channels/${fb.row.id}`)
      .set(admin.auth)
      .send({ status: 'disabled' });
    assert.equal(paused.status, 200);
    assert.equal(paused.body.status, 'disabled');
    const postId = await h.post();
    const [publicationId] = await h.schedule(postId, [fb.row.id], new Date());
    await h.startWorker();
    try {
      await h.waitForStatus(publicationId!, ['failed']);
    } finally {
      await h.stopWorker();
    }
    const publication = await h.publication(publicationId!);
    assert.match(publication.lastError ?? '', /disabled/);
    assert.deepEqual(await h.ledger('facebook', fb.row.externalId), [], 'nothing reached the platform');
    const resumed = await request(h.t.app)
      .patch(`/api/v1/channels/${fb.row.id}`)
      .set(admin.auth)
      .send({ status: 'active' });
    assert.equal(resumed.body.status, 'active');
    assert.equal(
      (
        await request(h.t.app)
          .patch(`/api/v1/channels/${fb.row.id}`)
          .set(admin.auth)
          .send({ status: 'paused' })
      ).status,
      422,
    );
    // A channel whose token died is reconnected with a new token, not simply resumed.
    await h.t.c.database.db
      .update(channels)
      .set({ status: 'needs_reconnect' })
      .where(eq(channels.id, fb.row.id));
    const refused = await request(h.t.app)
      .patch(`/api/v1/channels/${fb.row.id}`)
      .set(admin.auth)
      .send({ status: 'active' });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'channel_needs_reconnect');
  });

  it('refuses to remove a channel with publications in flight (409)', async () => {
    const fb = await h.channel('facebook');
    const postId = await h.post({ scheduledAt: new Date(Date.now() + 3_600_000) });
    await h.t.c.database.db.transaction((tx) =>
      h.t.c.publishing.createPublications(tx, {
        postId,
        channelIds: [fb.row.id],
        scheduledAt: new Date(Date.now() + 3_600_000),
        notAfter: null,
      }),
    );
    const res = await request(h.t.app).delete(`/api/v1/channels/${fb.row.id}`).set(admin.auth);
    assert.equal(res.status, 409);
    assert.equal(res.body.error.code, 'channel_in_use');
  });

  it('refreshes Zalo tokens before they expire, storing the rotated pair (the old refresh token is dead)', async () => {
    const zalo = await h.channel('zalo');
    const before = h.t.c.channels.credentials(zalo.row);
    await h.t.c.database.db
      .update(channels)
      .set({ tokenExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(channels.id, zalo.row.id));
    const result = await h.t.c.channels.refreshDueTokens();
    assert.ok(result.refreshed >= 1);
    const after = h.t.c.channels.credentials(await h.t.c.channels.get(zalo.row.id));
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.ok(after.tokenExpiresAt && after.tokenExpiresAt.getTime() > Date.now() + 3_600_000);
    await assert.rejects(
      h.t.c.connectors.zalo.refreshCredentials!(before),
      /auth_expired/,
      'the old refresh token was used up',
    );
    // The new access token works with the platform.
    assert.equal((await h.t.c.connectors.zalo.validateCredentials(after)).externalId, zalo.row.externalId);
  });

  it('never overwrites a stored refresh token with an empty one; the channel is marked for reconnecting', async () => {
    const zalo = await h.channel('zalo', 'OA trả token rỗng');
    const before = h.t.c.channels.credentials(zalo.row);
    await h.t.c.database.db
      .update(channels)
      .set({ tokenExpiresAt: new Date(Date.now() + 60_000) })
      .where(eq(channels.id, zalo.row.id));
    await h.control('zalo', 'POST', '/faults', {
      path: '/v4/oa/access_token',
      times: 5,
      status: 200,
      body: { access_token: 'zat_new_but_no_refresh', refresh_token: '', expires_in: '90000' },
    });
    await h.t.c.channels.refreshDueTokens();
    const row = await h.t.c.channels.get(zalo.row.id);
    assert.equal(h.t.c.channels.credentials(row).refreshToken, before.refreshToken, 'kept');
    assert.equal(h.t.c.channels.credentials(row).accessToken, before.accessToken, 'kept');
    assert.equal(row.status, 'needs_reconnect');
  });

  it('shows channels and their status on the admin page, and connects a demo Page in one click', async () => {
    const { agent, csrf, ip } = await signedInAgent(h.t, admin.user.email);
    const res = await agent
      .post('/admin/channels/demo')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ platform: 'facebook', _csrf: csrf });
    assert.equal(res.status, 303);
    const page = await agent.get('/admin/channels').set('X-Forwarded-For', ip);
    assert.equal(page.status, 200);
    assert.match(page.text, /Trang demo Công an/);
    assert.match(page.text, /Đang hoạt động/);
    const broken = await h.channel('facebook', 'Trang hỏng token');
    await h.t.c.database.db.transaction((tx) =>
      h.t.c.channels.markNeedsReconnect(broken.row.id, 'Error validating access token', tx),
    );
    const again = await agent.get('/admin/channels').set('X-Forwarded-For', ip);
    assert.match(again.text, /Cần kết nối lại/);
    assert.match(again.text, /Error validating access token/);
    const form = await agent
      .post('/admin/channels')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ platform: 'facebook', externalId: '123456', accessToken: 'EAAbad-token-xyz', _csrf: csrf });
    assert.equal(form.status, 422);
    assert.match(form.text, /Facebook refused the token/);
    assert.equal(form.text.includes('EAAbad-token-xyz'), false, 'the token is not echoed back');
  });
});
