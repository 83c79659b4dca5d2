import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { apiTokens, auditLog } from '../../../server/db/schema.ts';
import {
  createTestApp,
  csrfFrom,
  makeUser,
  PASSWORD,
  randomIp,
  signedInAgent,
  uniqueEmail,
  type TestApp,
} from '../../support/app.ts';

async function auditActions(t: TestApp, actorLabel: string): Promise<string[]> {
  const rows = await t.c.database.db
    .select()
    .from(auditLog)
    .where(eq(auditLog.actorLabel, actorLabel))
    .orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

describe('auth', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  describe('bearer tokens', () => {
    it('issues a token for good credentials, which then authenticates', async () => {
      const { user } = await makeUser(t, 'editor');
      const res = await request(t.app)
        .post('/api/v1/auth/token')
        .send({ email: user.email.toUpperCase(), password: PASSWORD });
      assert.equal(res.status, 201);
      assert.match(res.body.token, /^loa_/);
      assert.deepEqual(Object.keys(res.body.user).sort(), [
        'active',
        'createdAt',
        'email',
        'id',
        'name',
        'role',
        'unitId',
      ]);
      const me = await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${res.body.token}`);
      assert.equal(me.status, 200);
      assert.equal(me.body.email, user.email);
      // Stored hashed, never in clear.
      const rows = await t.c.database.db.select().from(apiTokens).where(eq(apiTokens.userId, user.id));
      assert.ok(rows.every((r) => r.tokenHash !== res.body.token && r.tokenHash.length === 64));
      assert.deepEqual(
        (await auditActions(t, user.email)).filter((a) => a.startsWith('auth.')),
        ['auth.token_issued', 'auth.login', 'auth.token_issued'],
      );
    });

    it('answers 401 for a wrong password and audits the failure', async () => {
      const { user } = await makeUser(t, 'member');
      const res = await request(t.app)
        .post('/api/v1/auth/token')
        .send({ email: user.email, password: 'wrong password!' });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'invalid_credentials');
      assert.ok((await auditActions(t, user.email)).includes('auth.login_failed'));
    });

    it('answers 401 for a malformed, unknown, expired or revoked token', async () => {
      const { user, token } = await makeUser(t, 'member');
      for (const header of ['Bearer', 'Basic abc', 'Bearer loa_unknown', `Bearer ${token}x`]) {
        const res = await request(t.app).get('/api/v1/me').set('Authorization', header);
        assert.equal(res.status, 401, header);
      }
      // Expired: move its expiry into the past.
      await t.c.database.db
        .update(apiTokens)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(apiTokens.userId, user.id));
      const expired = await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${token}`);
      assert.equal(expired.status, 401);
      assert.equal(expired.body.error.code, 'invalid_token');
    });

    it('answers each of many bearer requests arriving together with its own user', async () => {
      // They are looked up in shared statements: no request may get another's actor.
      const people = await Promise.all(
        Array.from({ length: 30 }, (_, i) => makeUser(t, i % 2 ? 'member' : 'editor')),
      );
      const revoked = await makeUser(t, 'editor');
      const revokedId = (
        await t.c.database.db.select().from(apiTokens).where(eq(apiTokens.userId, revoked.user.id))
      )[0]!.id;
      await request(t.app).delete(`/api/v1/me/tokens/${revokedId}`).set(revoked.auth);
      const answers = await Promise.all([
        ...people.map((p) => request(t.app).get('/api/v1/me').set(p.auth)),
        request(t.app).get('/api/v1/me').set(revoked.auth),
        request(t.app)
          .get('/api/v1/me')
          .set('Authorization', `Bearer loa_${'x'.repeat(43)}`),
      ]);
      people.forEach((p, i) => {
        assert.equal(answers[i]!.status, 200);
        assert.equal(answers[i]!.body.id, p.user.id);
      });
      assert.equal(answers[people.length]!.status, 401, 'the revoked token');
      assert.equal(answers[people.length + 1]!.status, 401, 'an unknown token');
    });

    it('revokes a token from the API: it stops working at once, the other keeps working', async () => {
      const { user, auth } = await makeUser(t, 'reviewer');
      const second = await t.c.auth.issueToken(user, { name: 'script', ip: null });
      const revoke = await request(t.app).delete(`/api/v1/me/tokens/${second.row.id}`).set(auth);
      assert.equal(revoke.status, 200);
      assert.equal(revoke.body.status, 'revoked');
      assert.equal(
        (await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${second.token}`)).status,
        401,
      );
      assert.equal((await request(t.app).get('/api/v1/me').set(auth)).status, 200);
      assert.equal((await request(t.app).delete(`/api/v1/me/tokens/${second.row.id}`).set(auth)).status, 404);
      const list = await request(t.app).get('/api/v1/me/tokens').set(auth);
      assert.ok(
        list.body.items.some(
          (i: { id: string; status: string }) => i.id === second.row.id && i.status === 'revoked',
        ),
      );
      assert.ok(!JSON.stringify(list.body).includes('loa_'), 'never lists a secret');
    });

    it("cannot revoke another user's token", async () => {
      const a = await makeUser(t, 'member');
      const b = await makeUser(t, 'member');
      const other = await t.c.auth.issueToken(b.user, { name: 'b', ip: null });
      assert.equal(
        (await request(t.app).delete(`/api/v1/me/tokens/${other.row.id}`).set(a.auth)).status,
        404,
      );
      assert.equal(
        (await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${other.token}`)).status,
        200,
      );
    });

    it('revokes a token from the account page', async () => {
      const { user } = await makeUser(t, 'editor');
      const extra = await t.c.auth.issueToken(user, { name: 'page-revoke', ip: null });
      const { agent, csrf, ip } = await signedInAgent(t, user.email);
      const res = await agent
        .post(`/account/tokens/${extra.row.id}/revoke`)
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf });
      assert.equal(res.status, 303);
      assert.equal(
        (await request(t.app).get('/api/v1/me').set('Authorization', `Bearer ${extra.token}`)).status,
        401,
      );
    });

    it('stops a deactivated user at once, tokens and sessions alike', async () => {
      const admin = await makeUser(t, 'admin');
      const target = await makeUser(t, 'editor');
      const { agent, ip } = await signedInAgent(t, target.user.email);
      const res = await request(t.app)
        .patch(`/api/v1/users/${target.user.id}`)
        .set(admin.auth)
        .send({ active: false });
      assert.equal(res.status, 200);
      assert.equal(res.body.active, false);
      assert.equal((await request(t.app).get('/api/v1/me').set(target.auth)).status, 401);
      assert.equal((await agent.get('/account').set('X-Forwarded-For', ip)).status, 303);
      const login = await request(t.app)
        .post('/api/v1/auth/token')
        .send({ email: target.user.email, password: PASSWORD });
      assert.equal(login.status, 401);
    });
  });

  // Bearer lookups are remembered for a few seconds (server/auth/actor-cache.ts): each of these
  // uses the token first, so the answer is cached, then changes something and expects the very
  // next request to see it.
  describe('the remembered bearer actor', () => {
    it('forgets a used token as soon as it is revoked', async () => {
      const { user, auth } = await makeUser(t, 'editor');
      const second = await t.c.auth.issueToken(user, { name: 'cached', ip: null });
      const bearer = { Authorization: `Bearer ${second.token}` };
      assert.equal((await request(t.app).get('/api/v1/me').set(bearer)).status, 200);
      assert.equal((await request(t.app).delete(`/api/v1/me/tokens/${second.row.id}`).set(auth)).status, 200);
      assert.equal((await request(t.app).get('/api/v1/me').set(bearer)).status, 401);
    });

    it('sees a deactivation and a role change on the next request', async () => {
      const admin = await makeUser(t, 'admin');
      const target = await makeUser(t, 'editor');
      assert.equal((await t.c.auth.authenticateToken(target.token, null)).role, 'editor');
      await request(t.app)
        .patch(`/api/v1/users/${target.user.id}`)
        .set(admin.auth)
        .send({ role: 'reviewer' });
      assert.equal((await t.c.auth.authenticateToken(target.token, null)).role, 'reviewer');
      await request(t.app).patch(`/api/v1/users/${target.user.id}`).set(admin.auth).send({ active: false });
      assert.equal((await request(t.app).get('/api/v1/me').set(target.auth)).status, 401);
    });

    it('reads the unit scope again after a unit is created below or the user is moved', async () => {
      const admin = await makeUser(t, 'admin');
      const top = await t.c.users.createUnit(await t.c.auth.authenticateToken(admin.token, null), {
        name: `Tỉnh ${Date.now()}`,
      });
      const other = await t.c.users.createUnit(await t.c.auth.authenticateToken(admin.token, null), {
        name: `Tỉnh khác ${Date.now()}`,
      });
      const member = await makeUser(t, 'member', { unitId: top.id });
      assert.deepEqual((await t.c.auth.authenticateToken(member.token, null)).scope, [top.id]);
      const child = await t.c.users.createUnit(await t.c.auth.authenticateToken(admin.token, null), {
        name: 'Xã con',
        parentId: top.id,
      });
      assert.deepEqual(
        [...((await t.c.auth.authenticateToken(member.token, null)).scope ?? [])].sort(),
        [top.id, child.id].sort(),
      );
      await request(t.app)
        .patch(`/api/v1/users/${member.user.id}`)
        .set(admin.auth)
        .send({ unitId: other.id });
      const moved = await t.c.auth.authenticateToken(member.token, null);
      assert.equal(moved.unitId, other.id);
      assert.deepEqual(moved.scope, [other.id]);
    });

    it('renames the actor in the same process at once', async () => {
      const member = await makeUser(t, 'member');
      assert.equal((await t.c.auth.authenticateToken(member.token, null)).name, 'Người dùng member');
      await t.c.users.updateOwn(await t.c.auth.authenticateToken(member.token, null), { name: 'Tên mới' });
      assert.equal((await t.c.auth.authenticateToken(member.token, null)).name, 'Tên mới');
    });
  });

  describe('rate limits', () => {
    it('limits attempts per account, with Retry-After, even with the right password', async () => {
      const limited = await createTestApp({ LOA_LOGIN_MAX_PER_ACCOUNT: '3' });
      try {
        const { user } = await makeUser(limited, 'member');
        for (let i = 0; i < 3; i += 1) {
          const res = await request(limited.app)
            .post('/api/v1/auth/token')
            .set('X-Forwarded-For', randomIp())
            .send({ email: user.email, password: 'wrong password!' });
          assert.equal(res.status, 401);
        }
        const blocked = await request(limited.app)
          .post('/api/v1/auth/token')
          .set('X-Forwarded-For', randomIp())
          .send({ email: user.email, password: PASSWORD });
        assert.equal(blocked.status, 429);
        assert.equal(blocked.body.error.code, 'rate_limited');
        assert.ok(Number(blocked.headers['retry-after']) > 0);
      } finally {
        await limited.close();
      }
    });

    it('limits attempts per IP across accounts', async () => {
      const limited = await createTestApp({ LOA_LOGIN_MAX_PER_IP: '4' });
      try {
        const ip = randomIp();
        const statuses: number[] = [];
        for (let i = 0; i < 6; i += 1) {
          const res = await request(limited.app)
            .post('/api/v1/auth/token')
            .set('X-Forwarded-For', ip)
            .send({ email: uniqueEmail(), password: 'whatever long' });
          statuses.push(res.status);
        }
        assert.deepEqual(statuses, [401, 401, 401, 401, 429, 429]);
        const other = await request(limited.app)
          .post('/api/v1/auth/token')
          .set('X-Forwarded-For', randomIp())
          .send({ email: uniqueEmail(), password: 'whatever long' });
        assert.equal(other.status, 401, 'another IP is not affected');
      } finally {
        await limited.close();
      }
    });

    it('shows the throttle on the login page with 429', async () => {
      const limited = await createTestApp({ LOA_LOGIN_MAX_PER_ACCOUNT: '1' });
      try {
        const { user } = await makeUser(limited, 'member');
        const agent = request.agent(limited.app);
        const csrf = csrfFrom((await agent.get('/login')).text);
        await agent
          .post('/login')
          .type('form')
          .send({ email: user.email, password: 'wrong password', _csrf: csrf });
        const res = await agent
          .post('/login')
          .type('form')
          .send({ email: user.email, password: PASSWORD, _csrf: csrf });
        assert.equal(res.status, 429);
        assert.match(res.text, /quá nhiều lần/);
      } finally {
        await limited.close();
      }
    });
  });

  describe('pages and CSRF', () => {
    it('signs in through the login page and out again', async () => {
      const { user } = await makeUser(t, 'reviewer', { name: 'Lê Văn Duyệt' });
      const { agent, csrf, ip } = await signedInAgent(t, user.email);
      const home = await agent.get('/').set('X-Forwarded-For', ip);
      assert.match(home.text, /Xin chào, Lê Văn Duyệt/);
      const out = await agent.post('/logout').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf });
      assert.equal(out.status, 303);
      assert.equal((await agent.get('/').set('X-Forwarded-For', ip)).status, 303);
      const actions = await auditActions(t, user.email);
      assert.ok(actions.includes('auth.login') && actions.includes('auth.logout'));
    });

    it('re-renders the login page with 401 and the email kept for a wrong password', async () => {
      const { user } = await makeUser(t, 'member');
      const agent = request.agent(t.app);
      const csrf = csrfFrom((await agent.get('/login')).text);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ email: user.email, password: 'nope nope nope', _csrf: csrf });
      assert.equal(res.status, 401);
      assert.match(res.text, /Email hoặc mật khẩu không đúng/);
      assert.ok(res.text.includes(`value="${user.email}"`));
    });

    it('refuses a state-changing form post without the CSRF token, or with a wrong one', async () => {
      const { user } = await makeUser(t, 'admin');
      const { agent, ip } = await signedInAgent(t, user.email);
      const missing = await agent
        .post('/admin/units')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ name: 'Tỉnh X' });
      assert.equal(missing.status, 403);
      assert.match(missing.text, /tải lại trang/);
      const wrong = await agent
        .post('/admin/units')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ name: 'Tỉnh X', _csrf: 'forged' });
      assert.equal(wrong.status, 403);
      const units = await request(t.app)
        .get('/api/v1/units?limit=200')
        .set((await makeUser(t, 'admin')).auth);
      assert.ok(!units.body.items.some((u: { name: string }) => u.name === 'Tỉnh X'), 'nothing was created');
    });

    it('refuses a cookie-authenticated API call without the CSRF header, accepts it with', async () => {
      const { user } = await makeUser(t, 'admin');
      const { agent, csrf, ip } = await signedInAgent(t, user.email);
      const name = `Công an tỉnh ${Date.now()}`;
      const refused = await agent.post('/api/v1/units').set('X-Forwarded-For', ip).send({ name });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'csrf_failed');
      const accepted = await agent
        .post('/api/v1/units')
        .set('X-Forwarded-For', ip)
        .set('X-CSRF-Token', csrf)
        .send({ name });
      assert.equal(accepted.status, 201);
    });

    it('refuses a login form post without CSRF (login CSRF)', async () => {
      const { user } = await makeUser(t, 'member');
      const res = await request(t.app)
        .post('/login')
        .type('form')
        .send({ email: user.email, password: PASSWORD });
      assert.equal(res.status, 403);
    });

    it('never redirects off-site after login', async () => {
      const { user } = await makeUser(t, 'member');
      const agent = request.agent(t.app);
      const csrf = csrfFrom((await agent.get('/login')).text);
      const res = await agent
        .post('/login')
        .type('form')
        .send({ email: user.email, password: PASSWORD, _csrf: csrf, next: '//evil.example/x' });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, '/');
    });

    it('sets security headers', async () => {
      const res = await request(t.app).get('/login');
      assert.ok(res.headers['content-security-policy']);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['x-powered-by'], undefined);
      assert.match(String(res.headers['set-cookie']), /HttpOnly/);
    });

    it('switches the interface to English and remembers it', async () => {
      const agent = request.agent(t.app);
      const en = await agent.get('/login?lang=en');
      assert.match(en.text, /<html lang="en">/);
      assert.match(en.text, /Sign in/);
      assert.match((await agent.get('/login')).text, /Sign in/);
      assert.match((await request(t.app).get('/login')).text, /Đăng nhập/);
    });
  });
});
