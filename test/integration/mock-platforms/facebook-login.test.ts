import assert from 'node:assert/strict';
import { control, credentials, fbError, request, startMocks, type Mocks } from './helpers.ts';

const REDIRECT = 'https://loa.example/admin/channels/connect/facebook/callback';

/** Signs a person in to the mock as a browser would, returning the Cookie header to send. */
async function signIn(base: string, userId: string): Promise<string> {
  const reply = await fetch(`${base}/_mock/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userId }),
  });
  assert.equal(reply.status, 200);
  return (reply.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
}

describe('mock Facebook: the Login dialog and the code exchange', () => {
  let mocks: Mocks;
  let graph: string;
  before(async () => {
    mocks = await startMocks();
    graph = `${mocks.fb}/v26.0`;
  });
  after(() => mocks.close());
  beforeEach(() => control(mocks.fb, 'POST', '/reset'));

  const dialogUrl = (state = 'st-1', redirect = REDIRECT, clientId = credentials.facebookAppId) =>
    `${mocks.fb}/v21.0/dialog/oauth?client_id=${clientId}&redirect_uri=${encodeURIComponent(redirect)}&state=${state}&scope=pages_manage_posts`;

  async function setup() {
    const person = await control<{ id: string }>(mocks.fb, 'POST', '/users', { name: 'Trung tá Hùng' });
    const other = await control<{ id: string }>(mocks.fb, 'POST', '/users', { name: 'Người khác' });
    const pageA = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'Công an Phường 1',
      admin_user_id: person.id,
    });
    const pageB = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'Công an Phường 2',
      admin_user_id: person.id,
    });
    await control(mocks.fb, 'POST', '/pages', { name: 'Trang của người khác', admin_user_id: other.id });
    const cookie = await signIn(mocks.fb, person.id);
    return { person, pageA, pageB, cookie };
  }

  async function accept(cookie: string, pageIds: string[], state = 'st-1', decision = 'accept') {
    const body = new URLSearchParams({
      client_id: credentials.facebookAppId,
      redirect_uri: REDIRECT,
      state,
      scope: 'pages_manage_posts',
      decision,
    });
    for (const id of pageIds) body.append('page_ids', id);
    const reply = await fetch(`${mocks.fb}/v21.0/dialog/oauth`, {
      method: 'POST',
      headers: { cookie },
      body,
      redirect: 'manual',
    });
    assert.equal(reply.status, 302);
    return new URL(reply.headers.get('location') ?? '');
  }

  const exchange = (params: Record<string, string>) =>
    request(
      `${graph}/oauth/access_token?${new URLSearchParams({
        client_id: credentials.facebookAppId,
        client_secret: credentials.facebookAppSecret,
        ...params,
      })}`,
    );

  it('asks for sign-in first, then shows "Continue as NAME" with the Pages the person manages', async () => {
    const { cookie } = await setup();
    const anonymous = await request(dialogUrl());
    assert.equal(anonymous.status, 200);
    assert.match(String(anonymous.body.text), /action="\/_mock\/login"/);
    assert.match(String(anonymous.body.text), /name="next" value="\/v21\.0\/dialog\/oauth\?client_id/);
    assert.match(String(anonymous.body.text), /Trung tá Hùng/);
    const page = await request(dialogUrl(), { headers: { cookie } });
    assert.equal(page.status, 200);
    const html = String(page.body.text);
    assert.match(html, /Tiếp tục với tên Trung tá Hùng/);
    assert.match(html, /Công an Phường 1/);
    assert.match(html, /Công an Phường 2/);
    assert.doesNotMatch(html, /Trang của người khác/);
    const badApp = await request(dialogUrl('s', REDIRECT, '42'), { headers: { cookie } });
    assert.equal(badApp.status, 400);
    const badRedirect = await request(dialogUrl('s', 'javascript:alert(1)'), { headers: { cookie } });
    assert.equal(badRedirect.status, 400);
  });

  it('refusing redirects with error=access_denied, error_reason=user_denied and the state', async () => {
    const { cookie } = await setup();
    const back = await accept(cookie, [], 'st-9', 'refuse');
    assert.equal(back.origin + back.pathname, REDIRECT);
    assert.equal(back.searchParams.get('error'), 'access_denied');
    assert.equal(back.searchParams.get('error_reason'), 'user_denied');
    assert.equal(back.searchParams.get('state'), 'st-9');
    assert.equal(back.searchParams.get('code'), null);
  });

  it('code → short-lived user token → long-lived token → /me/accounts with only the granted Pages', async () => {
    const { pageA, cookie } = await setup();
    const back = await accept(cookie, [pageA.id]);
    assert.equal(back.searchParams.get('state'), 'st-1');
    const code = back.searchParams.get('code') ?? '';
    assert.ok(code);

    const short = await exchange({ code, redirect_uri: REDIRECT });
    assert.equal(short.status, 200);
    assert.equal(short.body.token_type, 'bearer');
    assert.ok(Number(short.body.expires_in) <= 2 * 3600);
    const long = await exchange({
      grant_type: 'fb_exchange_token',
      fb_exchange_token: String(short.body.access_token),
    });
    assert.equal(long.status, 200);
    assert.equal(long.body.expires_in, 5_184_000);
    assert.notEqual(long.body.access_token, short.body.access_token);

    const accounts = await request(`${graph}/me/accounts?fields=id,name,access_token`, {
      headers: { authorization: `Bearer ${String(long.body.access_token)}` },
    });
    assert.equal(accounts.status, 200);
    assert.deepEqual(accounts.body.data, [
      { id: pageA.id, name: 'Công an Phường 1', access_token: pageA.access_token },
    ]);
  });

  it('a code works once, within 10 minutes, for the same redirect_uri and app secret', async () => {
    const { pageA, cookie } = await setup();
    const code = (await accept(cookie, [pageA.id])).searchParams.get('code') ?? '';
    const otherRedirect = await exchange({ code, redirect_uri: 'https://evil.example/cb' });
    assert.equal(otherRedirect.status, 400);
    assert.equal(fbError(otherRedirect).error_subcode, 36008);
    const badSecret = await exchange({ code, redirect_uri: REDIRECT, client_secret: 'nope' });
    assert.equal(badSecret.status, 400);
    assert.equal(fbError(badSecret).code, 101);
    assert.equal((await exchange({ code, redirect_uri: REDIRECT })).status, 200);
    const reused = await exchange({ code, redirect_uri: REDIRECT });
    assert.equal(reused.status, 400);
    assert.equal(fbError(reused).code, 100);
    assert.equal(fbError(reused).error_subcode, 36009);

    const late = (await accept(cookie, [pageA.id])).searchParams.get('code') ?? '';
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 601 });
    const expired = await exchange({ code: late, redirect_uri: REDIRECT });
    assert.equal(fbError(expired).error_subcode, 36007);
    assert.equal(fbError(await exchange({ code: 'made-up', redirect_uri: REDIRECT })).code, 100);
  });

  it('a Login user token can be expired through the control plane', async () => {
    const { pageA, cookie } = await setup();
    const code = (await accept(cookie, [pageA.id])).searchParams.get('code') ?? '';
    const short = await exchange({ code, redirect_uri: REDIRECT });
    await control(mocks.fb, 'POST', '/tokens/expire', { access_token: short.body.access_token });
    const me = await request(`${graph}/me`, {
      headers: { authorization: `Bearer ${String(short.body.access_token)}` },
    });
    assert.equal(fbError(me).code, 190);
    const long = await exchange({
      grant_type: 'fb_exchange_token',
      fb_exchange_token: String(short.body.access_token),
    });
    assert.equal(fbError(long).code, 190);
  });
});
