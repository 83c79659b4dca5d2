import assert from 'node:assert/strict';
import {
  control,
  credentials,
  fbError,
  form,
  json,
  request,
  startMocks,
  tinyPng,
  type Mocks,
} from './helpers.ts';

describe('mock Facebook: tokens', () => {
  let mocks: Mocks;
  let graph: string;
  before(async () => {
    mocks = await startMocks();
    graph = `${mocks.fb}/v26.0`;
  });
  after(() => mocks.close());
  beforeEach(() => control(mocks.fb, 'POST', '/reset'));

  async function setup() {
    const user = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/users', {
      name: 'Admin',
      friends: 50,
    });
    const page = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'Phường 1',
      admin_user_id: user.id,
    });
    return { user, page };
  }

  it('accepts the token as a query parameter, form field, JSON field, multipart field or Bearer header', async () => {
    const { page } = await setup();
    const viaQuery = await request(`${graph}/me?access_token=${page.access_token}`);
    assert.equal(viaQuery.status, 200);
    assert.deepEqual(viaQuery.body, { name: 'Phường 1', id: page.id });
    const viaBearer = await request(`${graph}/me`, {
      headers: { authorization: `Bearer ${page.access_token}` },
    });
    assert.equal(viaBearer.body.id, page.id);
    const viaForm = await request(
      `${graph}/${page.id}/feed`,
      form({ message: 'one', access_token: page.access_token }),
    );
    assert.match(String(viaForm.body.id), new RegExp(`^${page.id}_\\d+$`));
    const viaJson = await request(
      `${graph}/${page.id}/feed`,
      json({ message: 'two', access_token: page.access_token }),
    );
    assert.equal(viaJson.status, 200);
    const multipart = new FormData();
    multipart.set('access_token', page.access_token);
    multipart.set('published', 'false');
    multipart.set('source', new Blob([tinyPng], { type: 'image/png' }), 'a.png');
    const viaMultipart = await request(`${graph}/${page.id}/photos`, { method: 'POST', body: multipart });
    assert.equal(viaMultipart.status, 200);
    assert.match(String(viaMultipart.body.id), /^\d+$/);
    const unversioned = await request(`${mocks.fb}/v19.0/me?access_token=${page.access_token}`);
    assert.equal(unversioned.body.id, page.id);
  });

  it('answers missing, unknown and expired tokens with the Graph envelope', async () => {
    const { user, page } = await setup();
    const missing = await request(`${graph}/me`);
    assert.equal(missing.status, 400);
    assert.equal(fbError(missing).code, 104);
    const unknown = await request(`${graph}/me?access_token=nope`);
    assert.equal(unknown.status, 400);
    assert.equal(fbError(unknown).code, 190);
    assert.equal(fbError(unknown).type, 'OAuthException');
    assert.match(fbError(unknown).fbtrace_id, /^\w{11}$/);
    assert.match(unknown.headers.get('www-authenticate') ?? '', /invalid_token/);

    await control(mocks.fb, 'POST', '/tokens/expire', { access_token: page.access_token });
    const expiredPage = await request(`${graph}/me?access_token=${page.access_token}`);
    assert.equal(fbError(expiredPage).code, 190);
    assert.equal(fbError(expiredPage).error_subcode, 463);

    await control(mocks.fb, 'POST', '/tokens/expire', { access_token: user.access_token, subcode: 492 });
    const lostRole = await request(`${graph}/me?access_token=${user.access_token}`);
    assert.equal(fbError(lostRole).error_subcode, 492);
  });

  it('expires user tokens after about 60 simulated days, never page tokens', async () => {
    const { user, page } = await setup();
    assert.equal((await request(`${graph}/me?access_token=${user.access_token}`)).status, 200);
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 61 * 86_400 });
    const expired = await request(`${graph}/me?access_token=${user.access_token}`);
    assert.equal(expired.status, 400);
    assert.equal(fbError(expired).code, 190);
    assert.equal(fbError(expired).error_subcode, 463);
    assert.match(fbError(expired).message, /Session has expired/);
    assert.equal((await request(`${graph}/me?access_token=${page.access_token}`)).status, 200);
  });

  it('lists the admin pages with their tokens in /me/accounts', async () => {
    const { user, page } = await setup();
    const accounts = await request(`${graph}/me/accounts?access_token=${user.access_token}`);
    const data = accounts.body.data as Array<Record<string, unknown>>;
    assert.equal(data.length, 1);
    assert.equal(data[0]?.id, page.id);
    assert.equal(data[0]?.access_token, page.access_token);
    assert.ok(Array.isArray(data[0]?.tasks));
    const withPage = await request(`${graph}/me/accounts?access_token=${page.access_token}`);
    assert.equal(fbError(withPage).code, 100);
  });

  it('debugs tokens with the app token appId|appSecret', async () => {
    const { user, page } = await setup();
    const app = `${credentials.facebookAppId}|${credentials.facebookAppSecret}`;
    const pageInfo = await request(
      `${graph}/debug_token?input_token=${page.access_token}&access_token=${encodeURIComponent(app)}`,
    );
    const pageData = pageInfo.body.data as Record<string, unknown>;
    assert.equal(pageData.type, 'PAGE');
    assert.equal(pageData.expires_at, 0);
    assert.equal(pageData.is_valid, true);
    assert.equal(pageData.profile_id, page.id);
    const userInfo = await request(
      `${graph}/debug_token?input_token=${user.access_token}&access_token=${encodeURIComponent(app)}`,
    );
    const userData = userInfo.body.data as Record<string, unknown>;
    assert.equal(userData.type, 'USER');
    assert.ok(Number(userData.expires_at) > Date.now() / 1000 + 59 * 86_400);
    const bad = await request(
      `${graph}/debug_token?input_token=garbage&access_token=${encodeURIComponent(app)}`,
    );
    assert.equal((bad.body.data as Record<string, unknown>).is_valid, false);
    const wrongSecret = await request(
      `${graph}/debug_token?input_token=x&access_token=${credentials.facebookAppId}%7Cwrong`,
    );
    assert.equal(fbError(wrongSecret).code, 190);
  });

  it('refuses to post to a personal timeline or with a user token (permission error 200, HTTP 403)', async () => {
    const { user, page } = await setup();
    const timeline = await request(
      `${graph}/me/feed`,
      form({ message: 'hi', access_token: user.access_token }),
    );
    assert.equal(timeline.status, 403);
    assert.equal(fbError(timeline).code, 200);
    const pageWithUserToken = await request(
      `${graph}/${page.id}/feed`,
      form({ message: 'hi', access_token: user.access_token }),
    );
    assert.equal(pageWithUserToken.status, 403);
    assert.equal(fbError(pageWithUserToken).code, 200);
    const other = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'Other',
    });
    const crossPage = await request(
      `${graph}/${page.id}/feed`,
      form({ message: 'hi', access_token: other.access_token }),
    );
    assert.equal(crossPage.status, 403);
  });

  it('reads page fan and follower counts', async () => {
    const page = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'P',
      fan_count: 64,
    });
    const reply = await request(
      `${graph}/${page.id}?fields=name,fan_count,followers_count&access_token=${page.access_token}`,
    );
    assert.deepEqual(reply.body, { name: 'P', fan_count: 64, followers_count: 64, id: page.id });
    const bad = await request(`${graph}/${page.id}?fields=name,bogus&access_token=${page.access_token}`);
    assert.equal(fbError(bad).code, 100);
    assert.match(fbError(bad).message, /nonexisting field \(bogus\)/);
  });
});
