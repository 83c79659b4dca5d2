import assert from 'node:assert/strict';
import type { Request } from 'express';
import { createMemberStore } from '../../../server/mock-platforms/shared/members.ts';
import { createIdSource } from '../../../server/mock-platforms/shared/ids.ts';
import { signedInPerson, WWW_SESSION_COOKIES } from '../../../server/mock-platforms/shared/www-session.ts';
import { control, json, request, startMocks, type Mocks } from './helpers.ts';

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
