import assert from 'node:assert/strict';
import request from 'supertest';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';

describe('HTTP errors and the people API', () => {
  let t: TestApp;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  before(async () => {
    t = await createTestApp();
    admin = await makeUser(t, 'admin');
  });
  after(() => t.close());

  it('answers 400 for malformed JSON, with the error envelope and no stack trace', async () => {
    const res = await request(t.app)
      .post('/api/v1/users')
      .set(admin.auth)
      .set('Content-Type', 'application/json')
      .send('{"email": ');
    assert.equal(res.status, 400);
    assert.equal(res.body.error.code, 'malformed_json');
    assert.ok(!JSON.stringify(res.body).includes('at '), 'no stack trace');
  });

  it('answers 422 naming every failed field, and creates nothing', async () => {
    const res = await request(t.app)
      .post('/api/v1/users')
      .set(admin.auth)
      .send({ email: 'not-an-email', name: '', password: 'short', role: 'boss' });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'validation_failed');
    const paths = res.body.error.details.map((d: { path: string }) => d.path).sort();
    assert.deepEqual(paths, ['email', 'name', 'password', 'role']);
    const list = await request(t.app).get('/api/v1/users?limit=200').set(admin.auth);
    assert.ok(!list.body.items.some((u: { email: string }) => u.email === 'not-an-email'));
  });

  it('refuses unknown fields, a bad id and a bad query', async () => {
    assert.equal(
      (await request(t.app).post('/api/v1/units').set(admin.auth).send({ name: 'X', evil: true })).status,
      422,
    );
    assert.equal((await request(t.app).get('/api/v1/users/not-a-uuid').set(admin.auth)).status, 422);
    assert.equal((await request(t.app).get('/api/v1/users?limit=0').set(admin.auth)).status, 422);
    assert.equal((await request(t.app).get('/api/v1/users?limit=abc').set(admin.auth)).status, 422);
  });

  it('answers 404 for an unknown id and an unknown endpoint (JSON), and an HTML page for pages', async () => {
    const unknown = await request(t.app)
      .get('/api/v1/users/00000000-0000-4000-8000-000000000000')
      .set(admin.auth);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, 'not_found');
    const endpoint = await request(t.app).get('/api/v1/nothing-here');
    assert.equal(endpoint.status, 404);
    assert.equal(endpoint.body.error.code, 'not_found');
    const page = await request(t.app).get('/no-such-page').set('Accept', 'text/html');
    assert.equal(page.status, 404);
    assert.match(String(page.headers['content-type']), /html/);
    assert.match(page.text, /Không tìm thấy/);
  });

  it('answers 413 for a body over the limit', async () => {
    const res = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'x'.repeat(1_100_000) });
    assert.equal(res.status, 413);
  });

  it('creates a user (NFC name, lower-cased email), then 409 for the same email', async () => {
    const email = `Nguyen.${Date.now()}@Example.VN`;
    const created = await request(t.app)
      .post('/api/v1/users')
      .set(admin.auth)
      .send({ email, name: 'Nguye\u0302\u0303n Va\u0306n A', password: 'mật khẩu đủ dài', role: 'editor' });
    assert.equal(created.status, 201);
    assert.equal(created.body.email, email.toLowerCase());
    assert.equal(created.body.name, 'Nguyễn Văn A'.normalize('NFC'));
    assert.equal(created.body.password, undefined);
    assert.equal(created.body.passwordHash, undefined);
    const dup = await request(t.app)
      .post('/api/v1/users')
      .set(admin.auth)
      .send({ email: email.toUpperCase(), name: 'B', password: 'mật khẩu đủ dài', role: 'member' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.error.code, 'email_taken');
  });

  it('changes a role (audited) and refuses to demote the last admin or yourself', async () => {
    const target = await makeUser(t, 'member');
    const res = await request(t.app)
      .patch(`/api/v1/users/${target.user.id}`)
      .set(admin.auth)
      .send({ role: 'reviewer' });
    assert.equal(res.status, 200);
    assert.equal(res.body.role, 'reviewer');
    const self = await request(t.app)
      .patch(`/api/v1/users/${admin.user.id}`)
      .set(admin.auth)
      .send({ role: 'member' });
    assert.equal(self.status, 409);
    assert.equal(self.body.error.code, 'self_lockout');
    assert.equal(
      (await request(t.app).patch(`/api/v1/users/${admin.user.id}`).set(admin.auth).send({ active: false }))
        .status,
      409,
    );
  });

  it('builds the unit tree at any depth and refuses an unknown parent', async () => {
    const suffix = Date.now();
    const province = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: `Tỉnh Quảng Nam ${suffix}` });
    assert.equal(province.status, 201);
    assert.equal(province.body.parentId, null);
    const district = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'Huyện Duy Xuyên', parentId: province.body.id });
    const commune = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'Xã Duy Phước', parentId: district.body.id });
    assert.equal(commune.status, 201);
    const fourth = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'Thôn 1', parentId: commune.body.id });
    // Issue 11: the tree keeps any depth (departments beside communes, teams under departments).
    assert.equal(fourth.status, 201);
    assert.equal(fourth.body.parentId, commune.body.id);
    const orphan = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'X', parentId: '00000000-0000-4000-8000-000000000000' });
    assert.equal(orphan.status, 422);
    const dup = await request(t.app)
      .post('/api/v1/units')
      .set(admin.auth)
      .send({ name: 'Huyện Duy Xuyên', parentId: province.body.id });
    assert.equal(dup.status, 409);
    const member = await makeUser(t, 'member', { unitId: commune.body.id });
    assert.equal(member.user.unitId, commune.body.id);
  });

  it('pages through users with limit and cursor', async () => {
    for (let i = 0; i < 3; i += 1) await makeUser(t, 'member');
    const first = await request(t.app).get('/api/v1/users?limit=2').set(admin.auth);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.nextCursor);
    const second = await request(t.app)
      .get(`/api/v1/users?limit=2&cursor=${first.body.nextCursor}`)
      .set(admin.auth);
    assert.equal(second.status, 200);
    const ids = new Set([...first.body.items, ...second.body.items].map((u: { id: string }) => u.id));
    assert.equal(ids.size, 4, 'no overlap between pages');
  });

  it('re-renders the admin form with 422 and field messages for bad input', async () => {
    const { agent, csrf, ip } = await signedInAgent(t, admin.user.email);
    const res = await agent
      .post('/admin/users')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, name: 'Phạm Thị C', email: 'bad', password: 'short', role: 'editor', unitId: '' });
    assert.equal(res.status, 422);
    assert.match(res.text, /field-error/);
    assert.ok(res.text.includes('value="Phạm Thị C"'), 'keeps what was typed');
    const ok = await agent
      .post('/admin/users')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({
        _csrf: csrf,
        name: 'Phạm Thị C',
        email: `pham${Date.now()}@example.vn`,
        password: 'mật khẩu đủ dài',
        role: 'editor',
        unitId: '',
      });
    assert.equal(ok.status, 303);
  });

  it('serves an OpenAPI document generated from the route schemas', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.equal(res.body.openapi, '3.0.3');
    const users = res.body.paths['/api/v1/users'];
    assert.ok(users.post.requestBody.content['application/json'].schema.properties.email);
    assert.deepEqual(users.post.requestBody.content['application/json'].schema.properties.role.enum, [
      'admin',
      'editor',
      'reviewer',
      'member',
    ]);
    assert.ok(res.body.paths['/api/v1/users/{id}'].patch);
    const docs = await request(t.app).get('/api/docs');
    assert.match(docs.text, /\/api\/v1\/auth\/token/);
  });
});
