import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { control, credentials, form, request, startMocks, type Mocks } from './helpers.ts';

describe('mock Zalo: OAuth v4 and access tokens', () => {
  let mocks: Mocks;
  before(async () => {
    mocks = await startMocks();
  });
  after(() => mocks.close());
  beforeEach(() => control(mocks.zalo, 'POST', '/reset'));

  const tokenCall = (fields: Record<string, string>, secret = credentials.zaloAppSecret) =>
    request(
      `${mocks.zalo}/v4/oa/access_token`,
      form({ app_id: credentials.zaloAppId, ...fields }, { secret_key: secret }),
    );
  const getoa = (token: string) =>
    request(`${mocks.zalo}/v3.0/oa/getoa`, { headers: { access_token: token } });

  async function signIn(userId: string): Promise<string> {
    const reply = await fetch(`${mocks.zalo}/_mock/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    return (reply.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
  }

  it('shows the signed-in person their OAs on the permission page (sign-in first)', async () => {
    const person = await control<{ id: string }>(mocks.zalo, 'POST', '/users', { name: 'Cán bộ Lan' });
    await control(mocks.zalo, 'POST', '/oas', { name: 'OA Phường 1', admin_user_id: person.id });
    await control(mocks.zalo, 'POST', '/oas', { name: 'OA của người khác' });
    const url = `${mocks.zalo}/v4/oa/permission?app_id=${credentials.zaloAppId}&redirect_uri=${encodeURIComponent('https://loa.example/cb')}&code_challenge=abc&state=s1`;
    const anonymous = await request(url);
    assert.match(String(anonymous.body.text), /action="\/_mock\/login"/);
    const page = await request(url, { headers: { cookie: await signIn(person.id) } });
    assert.match(String(page.body.text), /OA Phường 1/);
    assert.doesNotMatch(String(page.body.text), /OA của người khác/);
    const badApp = await request(url.replace(credentials.zaloAppId, '1'));
    assert.equal(badApp.status, 400);
  });

  it('a denied permission redirects with error=access_denied and the state, and no code', async () => {
    const person = await control<{ id: string }>(mocks.zalo, 'POST', '/users', { name: 'Cán bộ Lan' });
    await control(mocks.zalo, 'POST', '/oas', { name: 'OA Phường 1', admin_user_id: person.id });
    const denied = await fetch(`${mocks.zalo}/v4/oa/permission`, {
      method: 'POST',
      headers: { cookie: await signIn(person.id) },
      body: new URLSearchParams({
        app_id: credentials.zaloAppId,
        redirect_uri: 'https://loa.example/cb',
        state: 's2',
        decision: 'deny',
      }),
      redirect: 'manual',
    });
    const location = new URL(denied.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('error'), 'access_denied');
    assert.equal(location.searchParams.get('state'), 's2');
    assert.equal(location.searchParams.get('code'), null);
  });

  it('exchanges an authorization code (PKCE) once, through the permission page', async () => {
    const person = await control<{ id: string }>(mocks.zalo, 'POST', '/users', { name: 'Cán bộ Lan' });
    const oa = await control<{ oa_id: string }>(mocks.zalo, 'POST', '/oas', {
      name: 'OA Phường 1',
      admin_user_id: person.id,
    });
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const redirect = await fetch(`${mocks.zalo}/v4/oa/permission`, {
      method: 'POST',
      headers: { cookie: await signIn(person.id) },
      body: new URLSearchParams({
        app_id: credentials.zaloAppId,
        redirect_uri: 'https://loa.example/cb',
        code_challenge: challenge,
        state: 's1',
        oa_id: oa.oa_id,
        decision: 'grant',
      }),
      redirect: 'manual',
    });
    assert.equal(redirect.status, 302);
    const location = new URL(redirect.headers.get('location') ?? '');
    assert.equal(location.searchParams.get('oa_id'), oa.oa_id);
    assert.equal(location.searchParams.get('state'), 's1');
    const code = location.searchParams.get('code') ?? '';
    const wrongVerifier = await tokenCall({ grant_type: 'authorization_code', code, code_verifier: 'nope' });
    assert.equal(wrongVerifier.status, 200);
    assert.ok(Number(wrongVerifier.body.error) < 0);
    const ok = await tokenCall({ grant_type: 'authorization_code', code, code_verifier: verifier });
    assert.equal(ok.body.expires_in, '90000');
    assert.equal(typeof ok.body.access_token, 'string');
    assert.equal(typeof ok.body.refresh_token, 'string');
    const reused = await tokenCall({ grant_type: 'authorization_code', code, code_verifier: verifier });
    assert.ok(Number(reused.body.error) < 0);
    const info = await getoa(String(ok.body.access_token));
    assert.equal(info.body.error, 0);
    assert.equal((info.body.data as { oa_id: string }).oa_id, oa.oa_id);
  });

  it('rotates refresh tokens and answers -14014 to a reused one', async () => {
    const oa = await control<{ refresh_token: string }>(mocks.zalo, 'POST', '/oas', { name: 'OA' });
    const first = await tokenCall({ grant_type: 'refresh_token', refresh_token: oa.refresh_token });
    assert.equal(first.status, 200);
    assert.notEqual(first.body.refresh_token, oa.refresh_token);
    const reuse = await tokenCall({ grant_type: 'refresh_token', refresh_token: oa.refresh_token });
    assert.equal(reuse.status, 200);
    assert.equal(reuse.body.error, -14014);
    assert.equal(reuse.body.error_name, 'Invalid refresh token');
    const second = await tokenCall({
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    });
    assert.equal(typeof second.body.access_token, 'string');
  });

  it('requires the secret_key header', async () => {
    const oa = await control<{ refresh_token: string }>(mocks.zalo, 'POST', '/oas', { name: 'OA' });
    const reply = await tokenCall({ grant_type: 'refresh_token', refresh_token: oa.refresh_token }, 'wrong');
    assert.ok(Number(reply.body.error) < 0);
    // The refused call did not consume the refresh token.
    const ok = await tokenCall({ grant_type: 'refresh_token', refresh_token: oa.refresh_token });
    assert.equal(typeof ok.body.access_token, 'string');
  });

  it('answers HTTP 200 with -216 for a missing, Bearer-style or unknown token, and expires tokens after 25 h', async () => {
    const oa = await control<{ access_token: string }>(mocks.zalo, 'POST', '/oas', { name: 'OA' });
    const missing = await request(`${mocks.zalo}/v3.0/oa/getoa`);
    assert.deepEqual([missing.status, missing.body.error], [200, -216]);
    const bearer = await request(`${mocks.zalo}/v3.0/oa/getoa`, {
      headers: { authorization: `Bearer ${oa.access_token}` },
    });
    assert.equal(bearer.body.error, -216);
    assert.equal((await getoa(oa.access_token)).body.error, 0);
    await control(mocks.zalo, 'POST', '/clock/advance', { seconds: 90_001 });
    const expired = await getoa(oa.access_token);
    assert.deepEqual([expired.status, expired.body.error], [200, -216]);
    await control(mocks.zalo, 'POST', '/config', { expiredTokenError: -220 });
    assert.equal((await getoa(oa.access_token)).body.error, -220);
  });

  it('expires a token on demand', async () => {
    const oa = await control<{ access_token: string }>(mocks.zalo, 'POST', '/oas', { name: 'OA' });
    await control(mocks.zalo, 'POST', '/tokens/expire', { access_token: oa.access_token });
    assert.equal((await getoa(oa.access_token)).body.error, -216);
  });
});
