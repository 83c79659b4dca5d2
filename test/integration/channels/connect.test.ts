// Connecting channels through the platforms' own login, against the mock dialogs: the state
// is random, single-use, bound to the session and expiring; every refusal is a 400 page and
// leaves no channel (and no pending step) behind; reconnecting replaces a channel's tokens.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq, isNull, sql } from 'drizzle-orm';
import request from 'supertest';
import { auditLog, channelConnectFlows, channels, units } from '../../../server/db/schema.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

type Agent = Awaited<ReturnType<typeof signedInAgent>>['agent'];

async function control<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}/_mock${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The mock's session cookie for a person: they are "logged in to Facebook / Zalo". */
async function platformCookie(base: string, userId: string): Promise<string> {
  const res = await fetch(`${base}/_mock/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  assert.equal(res.status, 200);
  return (res.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
}

/** Posts the mock dialog's form as the person's browser would; returns Loa's callback path. */
async function answerDialog(url: string, cookie: string, fields: Record<string, string | string[]>) {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(key, item);
  }
  const res = await fetch(url, { method: 'POST', headers: { cookie }, body, redirect: 'manual' });
  assert.equal(res.status, 302, await res.text());
  const location = new URL(res.headers.get('location') ?? '');
  return { path: `${location.pathname}${location.search}`, params: location.searchParams };
}

describe('channels: connect through the platform login', function () {
  this.timeout(30_000);
  let platforms: TestPlatforms;
  let t: TestApp;
  let csrf: string;
  let agent: Agent;
  let fbPerson: { id: string };
  let zaloPerson: { id: string };
  let fbCookie: string;
  let zaloCookie: string;
  let unitA: string;
  let unitB: string;

  before(async () => {
    platforms = await startTestPlatforms();
    t = await createTestApp({ FACEBOOK_WWW_URL: platforms.mock.facebook }, { platformUrls: platforms.urls });
    const admin = await makeUser(t, 'admin');
    ({ agent, csrf } = await signedInAgent(t, admin.user.email));
    fbPerson = await control(platforms.mock.facebook, '/users', { name: 'Đại uý Quang' });
    zaloPerson = await control(platforms.mock.zalo, '/users', { name: 'Thượng uý Mai' });
    fbCookie = await platformCookie(platforms.mock.facebook, fbPerson.id);
    zaloCookie = await platformCookie(platforms.mock.zalo, zaloPerson.id);
    const [a, b] = await t.c.database.db
      .insert(units)
      .values([
        { name: `Công an Phường Bến Thành ${randomUUID().slice(0, 4)}` },
        { name: `Công an Xã Tân Nhựt ${randomUUID().slice(0, 4)}` },
      ])
      .returning();
    unitA = a!.id;
    unitB = b!.id;
  });
  after(async () => {
    await t?.close();
    await platforms?.close();
  });

  /** The live channel for a Page / OA id (ids repeat across test files' mocks; older rows are deleted ones or other files'). */
  async function liveChannel(externalId: string) {
    const rows = await t.c.database.db
      .select()
      .from(channels)
      .where(and(eq(channels.externalId, externalId), isNull(channels.deletedAt)));
    assert.equal(rows.length, 1, `one live channel for ${externalId}`);
    return rows[0]!;
  }

  async function channelCount(): Promise<number> {
    const [row] = await t.c.database.db.select({ n: sql<number>`count(*)::int` }).from(channels);
    return row?.n ?? 0;
  }
  async function pendingSteps(): Promise<number> {
    const [row] = await t.c.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(channelConnectFlows)
      .where(sql`${channelConnectFlows.expiresAt} > now()`);
    return row?.n ?? 0;
  }
  async function newPage(name: string) {
    return control<{ id: string; access_token: string }>(platforms.mock.facebook, '/pages', {
      name,
      admin_user_id: fbPerson.id,
    });
  }

  /** Starts the Facebook flow; returns the dialog URL (with its state). */
  async function startFacebook(a: Agent = agent, query = ''): Promise<URL> {
    const res = await a.get(`/admin/channels/connect/facebook${query}`);
    assert.equal(res.status, 302, res.text);
    return new URL(res.headers.location ?? '');
  }

  async function acceptFacebook(dialog: URL, pageIds: string[], decision = 'accept') {
    return answerDialog(`${dialog.origin}${dialog.pathname}`, fbCookie, {
      client_id: dialog.searchParams.get('client_id') ?? '',
      redirect_uri: dialog.searchParams.get('redirect_uri') ?? '',
      state: dialog.searchParams.get('state') ?? '',
      scope: dialog.searchParams.get('scope') ?? '',
      decision,
      page_ids: pageIds,
    });
  }

  function choiceForm(picks: Array<{ id: string; unit?: string }>): string {
    const body = new URLSearchParams({ _csrf: csrf });
    for (const pick of picks) {
      body.append('pick', pick.id);
      body.append(`unit_${pick.id}`, pick.unit ?? '');
    }
    return body.toString();
  }

  it('sends the admin to the Facebook Login dialog with a random state and the Page scopes', async () => {
    const first = await startFacebook();
    const second = await startFacebook();
    assert.equal(first.origin, platforms.mock.facebook);
    assert.match(first.pathname, /^\/v\d+\.0\/dialog\/oauth$/);
    assert.equal(first.searchParams.get('client_id'), t.c.config.platforms.facebookAppId);
    assert.equal(
      first.searchParams.get('redirect_uri'),
      `${t.c.config.publicUrl}/admin/channels/connect/facebook/callback`,
    );
    assert.match(first.searchParams.get('scope') ?? '', /pages_manage_posts/);
    const state = first.searchParams.get('state') ?? '';
    assert.ok(state.length >= 40, 'at least 256 random bits');
    assert.notEqual(state, second.searchParams.get('state'));
    const stored = await t.c.database.db.select().from(channelConnectFlows);
    assert.equal(
      stored.some((row) => row.keyHash === state),
      false,
      'the state itself is never stored, only its hash',
    );
  });

  it('connects two Pages, each with its unit, with their Page tokens encrypted', async () => {
    const pageA = await newPage('Công an Phường Bến Thành');
    const pageB = await newPage('Công an Xã Tân Nhựt');
    const started = new Date(Date.now() - 1000);
    const callback = await acceptFacebook(await startFacebook(), [pageA.id, pageB.id]);
    const back = await agent.get(callback.path);
    assert.equal(back.status, 303, back.text);
    const choosePath = back.headers.location ?? '';
    assert.match(choosePath, /^\/admin\/channels\/connect\/choose\/[\w-]+$/);
    const page = await agent.get(choosePath);
    assert.equal(page.status, 200);
    assert.match(page.text, /Công an Phường Bến Thành/);
    assert.match(page.text, /Công an Xã Tân Nhựt/);
    assert.equal(page.text.includes(pageA.access_token), false, 'no token in the page');

    const done = await agent
      .post(choosePath)
      .type('form')
      .send(
        choiceForm([
          { id: pageA.id, unit: unitA },
          { id: pageB.id, unit: unitB },
        ]),
      );
    assert.equal(done.status, 303, done.text);
    assert.equal(done.headers.location, '/admin/channels');
    for (const [pageInfo, unit] of [
      [pageA, unitA],
      [pageB, unitB],
    ] as const) {
      const row = await liveChannel(pageInfo.id);
      assert.ok(row.updatedAt.getTime() >= started.getTime(), 'written by this flow');
      assert.equal(row.status, 'active');
      assert.equal(row.unitId, unit);
      assert.equal(row.accessTokenEnc.includes(pageInfo.access_token), false);
      assert.equal(t.c.channels.credentials(row).accessToken, pageInfo.access_token);
    }
    const audits = await t.c.database.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, 'channel.connected'));
    assert.ok(audits.some((a) => JSON.stringify(a.details).includes(pageA.id)));

    const again = await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: pageA.id }]));
    assert.equal(again.status, 400, 'the choice is single-use');
    assert.match(again.text, /đã hết hạn hoặc đã được gửi rồi/);
  });

  it('re-renders the choice with 422 when nothing is ticked or a unit is bad, storing nothing', async () => {
    const pageC = await newPage('Công an Phường Sài Gòn');
    const callback = await acceptFacebook(await startFacebook(), [pageC.id]);
    const choosePath = (await agent.get(callback.path)).headers.location ?? '';
    const before = await channelCount();
    const none = await agent
      .post(choosePath)
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrf)}`);
    assert.equal(none.status, 422);
    assert.match(none.text, /Công an Phường Sài Gòn/);
    const badUnit = await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: pageC.id, unit: 'not-a-unit' }]));
    assert.equal(badUnit.status, 422);
    const unknownUnit = await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: pageC.id, unit: randomUUID() }]));
    assert.equal(unknownUnit.status, 422);
    const notGranted = await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: '615099999' }]));
    assert.equal(notGranted.status, 422);
    assert.equal(await channelCount(), before);
  });

  it('a replayed state, an unknown state or no state is a 400 page and stores nothing', async () => {
    const pageD = await newPage('Công an Phường Tân Định');
    const callback = await acceptFacebook(await startFacebook(), [pageD.id]);
    const ok = await agent.get(callback.path);
    assert.equal(ok.status, 303);
    const before = await channelCount();
    const pending = await pendingSteps();
    const replay = await agent.get(callback.path);
    assert.equal(replay.status, 400);
    assert.match(replay.text, /không hợp lệ, đã được dùng rồi/);
    assert.match(replay.text, /Loa không lưu gì/);
    const forged = await agent.get(
      `/admin/channels/connect/facebook/callback?code=${callback.params.get('code')}&state=forged-state`,
    );
    assert.equal(forged.status, 400);
    const missing = await agent.get('/admin/channels/connect/facebook/callback?code=abc');
    assert.equal(missing.status, 400);
    assert.equal(await channelCount(), before);
    assert.equal(await pendingSteps(), pending, 'no new pending step');
  });

  it("another session's state is refused, in English too", async () => {
    const other = await makeUser(t, 'admin');
    const { agent: otherAgent } = await signedInAgent(t, other.user.email);
    const pageE = await newPage('Công an Phường Đa Kao');
    const callback = await acceptFacebook(await startFacebook(otherAgent), [pageE.id]);
    const before = await channelCount();
    const stolen = await agent.get(`${callback.path}&lang=en`);
    assert.equal(stolen.status, 400);
    assert.match(stolen.text, /belongs to another session/);
    await agent.get('/?lang=vi');
    // The rightful session can still use it: the refused attempt did not burn it.
    const own = await otherAgent.get(callback.path);
    assert.equal(own.status, 303);
    assert.equal(await channelCount(), before);
  });

  it('an expired state is a 400 page', async () => {
    const pageF = await newPage('Công an Phường Cầu Kho');
    const dialog = await startFacebook();
    const callback = await acceptFacebook(dialog, [pageF.id]);
    await t.c.database.db
      .update(channelConnectFlows)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(channelConnectFlows.stage, 'authorize'));
    const before = await channelCount();
    const late = await agent.get(callback.path);
    assert.equal(late.status, 400);
    assert.match(late.text, /quá hạn/);
    assert.equal(await channelCount(), before);
  });

  it('a refused dialog (error=access_denied) is a 400 page and stores nothing', async () => {
    const before = await channelCount();
    const callback = await acceptFacebook(await startFacebook(), [], 'refuse');
    assert.equal(callback.params.get('error'), 'access_denied');
    const res = await agent.get(callback.path);
    assert.equal(res.status, 400);
    assert.match(res.text, /từ chối cấp quyền/);
    assert.equal(await channelCount(), before);
    assert.equal((await agent.get(callback.path)).status, 400, 'and its state is gone');
  });

  it('a code used twice is refused by the platform: a 400 page, nothing stored', async () => {
    const pageG = await newPage('Công an Phường Nguyễn Thái Bình');
    const callback = await acceptFacebook(await startFacebook(), [pageG.id]);
    const code = callback.params.get('code') ?? '';
    // Someone spends the code first (e.g. a leaked redirect), then the admin's browser arrives.
    const graph = `${platforms.mock.facebook}/v26.0/oauth/access_token`;
    const spent = await fetch(graph, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: t.c.config.platforms.facebookAppId ?? '',
        client_secret: t.c.config.platforms.facebookAppSecret ?? '',
        redirect_uri: `${t.c.config.publicUrl}/admin/channels/connect/facebook/callback`,
        code,
      }),
    });
    assert.equal(spent.status, 200);
    const before = await channelCount();
    const res = await agent.get(callback.path);
    assert.equal(res.status, 400);
    assert.match(res.text, /không chấp nhận mã đăng nhập/);
    assert.match(res.text, /authorization code has been used/);
    assert.equal(await channelCount(), before);
  });

  it('connects a Zalo OA with PKCE (S256), with its unit, tokens encrypted', async () => {
    const oa = await control<{ oa_id: string }>(platforms.mock.zalo, '/oas', {
      name: 'Zalo OA Công an Quận 1',
      admin_user_id: zaloPerson.id,
    });
    const start = await agent.get('/admin/channels/connect/zalo');
    assert.equal(start.status, 302);
    const permission = new URL(start.headers.location ?? '');
    assert.equal(permission.origin, platforms.mock.zalo);
    assert.equal(permission.pathname, '/v4/oa/permission');
    const challenge = permission.searchParams.get('code_challenge') ?? '';
    assert.match(challenge, /^[\w-]{43}$/, 'an S256 challenge (base64url SHA-256)');
    const callback = await answerDialog(`${permission.origin}${permission.pathname}`, zaloCookie, {
      app_id: permission.searchParams.get('app_id') ?? '',
      redirect_uri: permission.searchParams.get('redirect_uri') ?? '',
      state: permission.searchParams.get('state') ?? '',
      code_challenge: challenge,
      oa_id: oa.oa_id,
      decision: 'grant',
    });
    const back = await agent.get(callback.path);
    assert.equal(back.status, 303, back.text);
    const choosePath = back.headers.location ?? '';
    const page = await agent.get(choosePath);
    assert.match(page.text, /Zalo OA Công an Quận 1/);
    const done = await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: oa.oa_id, unit: unitB }]));
    assert.equal(done.status, 303, done.text);
    const row = await liveChannel(oa.oa_id);
    assert.equal(row.platform, 'zalo');
    assert.equal(row.unitId, unitB);
    assert.ok(row.refreshTokenEnc);
    assert.ok(row.tokenExpiresAt && row.tokenExpiresAt.getTime() > Date.now() + 20 * 3_600_000);
    const creds = t.c.channels.credentials(row);
    assert.equal(row.accessTokenEnc.includes(creds.accessToken), false);
  });

  it('a PKCE mismatch (a code issued for another flow) is a 400 page and stores nothing', async () => {
    const oa = await control<{ oa_id: string }>(platforms.mock.zalo, '/oas', {
      name: 'Zalo OA Công an Quận 3',
      admin_user_id: zaloPerson.id,
    });
    const first = new URL((await agent.get('/admin/channels/connect/zalo')).headers.location ?? '');
    const second = new URL((await agent.get('/admin/channels/connect/zalo')).headers.location ?? '');
    const grantFor = (permission: URL) =>
      answerDialog(`${permission.origin}${permission.pathname}`, zaloCookie, {
        app_id: permission.searchParams.get('app_id') ?? '',
        redirect_uri: permission.searchParams.get('redirect_uri') ?? '',
        state: permission.searchParams.get('state') ?? '',
        code_challenge: permission.searchParams.get('code_challenge') ?? '',
        oa_id: oa.oa_id,
        decision: 'grant',
      });
    const a = await grantFor(first);
    const before = await channelCount();
    // The first flow's code arrives with the second flow's state: its verifier does not match.
    const mixed = await agent.get(
      `/admin/channels/connect/zalo/callback?code=${a.params.get('code')}&oa_id=${oa.oa_id}&state=${second.searchParams.get('state')}`,
    );
    assert.equal(mixed.status, 400);
    assert.match(mixed.text, /code_verifier does not match/);
    assert.equal(await channelCount(), before);
    const denied = await grantFor(second);
    assert.equal((await agent.get(denied.path)).status, 400, "the second flow's state was used up");
  });

  it('a refused Zalo permission is a 400 page and stores nothing', async () => {
    const permission = new URL((await agent.get('/admin/channels/connect/zalo')).headers.location ?? '');
    const callback = await answerDialog(`${permission.origin}${permission.pathname}`, zaloCookie, {
      app_id: permission.searchParams.get('app_id') ?? '',
      redirect_uri: permission.searchParams.get('redirect_uri') ?? '',
      state: permission.searchParams.get('state') ?? '',
      decision: 'deny',
    });
    const before = await channelCount();
    const res = await agent.get(callback.path);
    assert.equal(res.status, 400);
    assert.equal(await channelCount(), before);
  });

  it('reconnects a channel in needs_reconnect through the same flow: tokens replaced, active again', async () => {
    const page = await newPage('Công an Phường Phạm Ngũ Lão');
    const choosePath = (await agent.get((await acceptFacebook(await startFacebook(), [page.id])).path))
      .headers.location!;
    await agent
      .post(choosePath)
      .type('form')
      .send(choiceForm([{ id: page.id, unit: unitA }]));
    const row = await liveChannel(page.id);
    await control(platforms.mock.facebook, '/tokens/expire', {
      access_token: page.access_token,
      subcode: 460,
    });
    await t.c.database.db.transaction((tx) =>
      t.c.channels.markNeedsReconnect(row.id, 'password changed', tx),
    );

    const list = await agent.get('/admin/channels');
    assert.match(list.text, new RegExp(`href="/admin/channels/connect/facebook\\?channel=${row.id}"`));
    assert.match(list.text, /Kết nối lại/);
    assert.match(list.text, /Kết nối Trang Facebook/);
    assert.match(list.text, /Kết nối Zalo OA/);

    const before = await channelCount();
    const callback = await acceptFacebook(await startFacebook(agent, `?channel=${row.id}`), [page.id]);
    const reconnectChoice = (await agent.get(callback.path)).headers.location ?? '';
    const shown = await agent.get(reconnectChoice);
    assert.match(shown.text, /Kết nối lại kênh/);
    assert.match(shown.text, new RegExp(`name="pick" value="${page.id}" checked`));
    const done = await agent
      .post(reconnectChoice)
      .type('form')
      .send(choiceForm([{ id: page.id, unit: unitA }]));
    assert.equal(done.status, 303, done.text);
    assert.equal(await channelCount(), before, 'the same channel, not a new one');
    const [after] = await t.c.database.db.select().from(channels).where(eq(channels.id, row.id));
    assert.ok(after);
    assert.equal(after.status, 'active');
    assert.equal(after.statusReason, null);
    assert.equal(after.unitId, unitA);
    const token = t.c.channels.credentials(after).accessToken;
    assert.notEqual(token, page.access_token, 'the new Page token replaced the revoked one');
    const me = await fetch(`${platforms.mock.facebook}/v26.0/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(me.status, 200);
  });

  it('a reconnect link for a channel of the other platform or an unknown one is refused', async () => {
    const res = await agent.get(`/admin/channels/connect/zalo?channel=${randomUUID()}`);
    assert.equal(res.status, 404);
    const bad = await agent.get('/admin/channels/connect/zalo?channel=nope');
    assert.equal(bad.status, 422);
  });

  it('the scripted POST /api/v1/channels stays, and takes a unitId (422 for an unknown one)', async () => {
    const admin = await makeUser(t, 'admin');
    const page = await newPage('Trang nhập bằng token');
    const unknown = await request(t.app).post('/api/v1/channels').set(admin.auth).send({
      platform: 'facebook',
      externalId: page.id,
      accessToken: page.access_token,
      unitId: randomUUID(),
    });
    assert.equal(unknown.status, 422, JSON.stringify(unknown.body));
    assert.equal(unknown.body.error.details[0].path, 'unitId');
    const ok = await request(t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: page.access_token, unitId: unitB });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.equal(ok.body.unitId, unitB);
    const list = await request(t.app).get('/api/v1/channels').set(admin.auth);
    assert.equal(list.body.items.find((c: { id: string }) => c.id === ok.body.id)?.unitId, unitB);
  });

  it('only admins may start a connection', async () => {
    const editor = await makeUser(t, 'editor');
    const { agent: editorAgent } = await signedInAgent(t, editor.user.email);
    assert.equal((await editorAgent.get('/admin/channels/connect/facebook')).status, 403);
  });
});
