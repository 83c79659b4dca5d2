import assert from 'node:assert/strict';
import type { Request } from 'express';
import { createMemberStore } from '../../../server/mock-platforms/shared/members.ts';
import { createIdSource } from '../../../server/mock-platforms/shared/ids.ts';
import { signedInPerson, WWW_SESSION_COOKIES } from '../../../server/mock-platforms/shared/www-session.ts';
import { control, credentials, json, request, startMocks, type Mocks } from './helpers.ts';

function sessionCookie(response: Response | Headers, name: string): string | undefined {
  const headers = response instanceof Headers ? response : response.headers;
  const match = headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${name}=`));
  return match;
}

describe('mock platforms: the www sign-in (POST /_mock/login)', () => {
  let mocks: Mocks;
  before(async () => {
    mocks = await startMocks();
  });
  after(() => mocks.close());
  beforeEach(async () => {
    await control(mocks.fb, 'POST', '/reset');
    await control(mocks.zalo, 'POST', '/reset');
  });

  for (const platform of ['facebook', 'zalo'] as const) {
    const base = () => (platform === 'facebook' ? mocks.fb : mocks.zalo);
    const cookieName = WWW_SESSION_COOKIES[platform];

    it(`${platform}: sets a session cookie for a known person and refuses an unknown one`, async () => {
      const person = await control<{ id: string; name: string }>(base(), 'POST', '/users', {
        name: 'Chị Lan',
      });
      const reply = await fetch(`${base()}/_mock/login`, json({ userId: person.id }));
      assert.equal(reply.status, 200);
      assert.deepEqual(await reply.json(), { id: person.id, name: 'Chị Lan' });
      const cookie = sessionCookie(reply, cookieName);
      assert.ok(cookie, 'a session cookie named for this mock');
      assert.match(reply.headers.get('set-cookie') ?? '', /HttpOnly/i);

      const unknown = await request(`${base()}/_mock/login`, json({ userId: '999' }));
      assert.equal(unknown.status, 404);
      const empty = await request(`${base()}/_mock/login`, json({}));
      assert.equal(empty.status, 400);
    });

    it(`${platform}: a browser form signs in and goes back to the page that asked`, async () => {
      const person = await control<{ id: string }>(base(), 'POST', '/users', { name: 'Anh Minh' });
      const reply = await fetch(`${base()}/_mock/login`, {
        method: 'POST',
        body: new URLSearchParams({ userId: person.id, next: '/somewhere?x=1' }),
        redirect: 'manual',
      });
      assert.equal(reply.status, 303);
      assert.equal(reply.headers.get('location'), '/somewhere?x=1');
      assert.ok(sessionCookie(reply, cookieName));
      const offSite = await request(`${base()}/_mock/login`, {
        method: 'POST',
        body: new URLSearchParams({ userId: person.id, next: '//evil.example/' }),
        redirect: 'manual',
      });
      assert.equal(offSite.status, 400);
    });
  }

  it('the sign-in page offers a demo person who already manages Pages (Facebook) or an OA (Zalo)', async () => {
    const dialog = `/v21.0/dialog/oauth?client_id=${credentials.facebookAppId}&redirect_uri=${encodeURIComponent('https://loa.example/cb')}&state=s`;
    const signInPage = await request(`${mocks.fb}${dialog}`);
    assert.match(String(signInPage.body.text), /action="\/_mock\/login\/demo"/);
    const fb = await fetch(`${mocks.fb}/_mock/login/demo`, {
      method: 'POST',
      body: new URLSearchParams({ next: dialog }),
      redirect: 'manual',
    });
    assert.equal(fb.status, 303);
    const fbCookie = sessionCookie(fb, WWW_SESSION_COOKIES.facebook) ?? '';
    const consent = await request(`${mocks.fb}${dialog}`, { headers: { cookie: fbCookie } });
    assert.match(String(consent.body.text), /Tiếp tục với tên Cán bộ demo/);
    assert.equal((String(consent.body.text).match(/name="page_ids"/g) ?? []).length, 2);

    const permission = `/v4/oa/permission?app_id=${credentials.zaloAppId}&redirect_uri=${encodeURIComponent('https://loa.example/cb')}&code_challenge=c&state=s`;
    const zalo = await fetch(`${mocks.zalo}/_mock/login/demo`, json({}));
    assert.equal(zalo.status, 201);
    const zaloCookie = sessionCookie(zalo, WWW_SESSION_COOKIES.zalo) ?? '';
    const grant = await request(`${mocks.zalo}${permission}`, { headers: { cookie: zaloCookie } });
    assert.match(String(grant.body.text), /Zalo OA Công an demo/);
  });

  it('signedInPerson reads the cookie back; sign-out and reset end the session', () => {
    const members = createMemberStore({
      ids: createIdSource(),
      seed: 1,
      userIdPrefix: '1000',
      tokenPrefix: 'T',
    });
    const sessions = { members, cookieName: WWW_SESSION_COOKIES.facebook };
    const user = members.addUser({ name: 'Cô Hoa', friends: 3 }, 0, 1000);
    const sessionId = members.signIn(user);
    const req = (cookie: string | undefined) =>
      ({
        get: (name: string) => (name.toLowerCase() === 'cookie' ? cookie : undefined),
      }) as unknown as Request;
    assert.equal(signedInPerson(req(`other=1; mock_fb_session=${sessionId}`), sessions)?.id, user.id);
    assert.equal(signedInPerson(req(`mock_zalo_session=${sessionId}`), sessions), undefined);
    assert.equal(signedInPerson(req(undefined), sessions), undefined);
    members.signOut(sessionId);
    assert.equal(signedInPerson(req(`mock_fb_session=${sessionId}`), sessions), undefined);
    const again = members.signIn(user);
    members.reset();
    assert.equal(signedInPerson(req(`mock_fb_session=${again}`), sessions), undefined);
  });
});
