// Each role's access to each route: the table must list every declared API route, so a new
// route without a decision here fails this test.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { apiRoutes } from '../../../server/app.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';

type Who = 'anonymous' | 'admin' | 'editor' | 'reviewer' | 'member';
type Role = Exclude<Who, 'anonymous'>;
const ROLES: Role[] = ['admin', 'editor', 'reviewer', 'member'];
const EVERYONE: Who[] = ['anonymous', ...ROLES];

interface Case {
  allowed: Who[];
  /** Request body or query for a call that passes validation. */
  body?: () => Record<string, unknown>;
  path?: (ids: { userId: string; tokenId: string }) => string;
}

const API: Record<string, Case> = {
  'get /health': { allowed: EVERYONE },
  'post /channels': { allowed: ['admin'], body: () => ({ platform: 'facebook' }) },
  'post /channels/demo': { allowed: ['admin'], body: () => ({ platform: 'facebook' }) },
  'get /channels': { allowed: ROLES },
  'delete /channels/:id': { allowed: ['admin'], path: () => `/channels/${randomUUID()}` },
  'patch /channels/:id': {
    allowed: ['admin'],
    body: () => ({ status: 'disabled' }),
    path: () => `/channels/${randomUUID()}`,
  },
  'post /auth/token': {
    allowed: EVERYONE,
    body: () => ({ email: 'nobody@example.vn', password: 'wrong password' }),
  },
  'get /me': { allowed: ROLES },
  'get /me/tokens': { allowed: ROLES },
  'delete /me/tokens/:id': { allowed: ROLES, path: ({ tokenId }) => `/me/tokens/${tokenId}` },
  'post /users': {
    allowed: ['admin'],
    body: () => ({
      email: `${randomUUID()}@example.vn`,
      name: 'Nguyễn Văn A',
      password: 'mật khẩu dài 10',
      role: 'member',
    }),
  },
  'get /users': { allowed: ['admin'] },
  'get /users/:id': { allowed: ['admin'], path: ({ userId }) => `/users/${userId}` },
  'patch /users/:id': {
    allowed: ['admin'],
    body: () => ({ name: 'Trần Thị B' }),
    path: ({ userId }) => `/users/${userId}`,
  },
  'post /units': { allowed: ['admin'], body: () => ({ name: `Công an tỉnh ${randomUUID().slice(0, 6)}` }) },
  'get /units': { allowed: ROLES },
  'post /posts': {
    allowed: ['admin', 'editor'],
    body: () => ({ text: 'Cảnh báo lừa đảo', channelIds: [], scheduledAt: '2030-01-01T08:00:00+07:00' }),
  },
  'get /posts': { allowed: ['admin', 'editor', 'reviewer'] },
  'get /posts/:id': { allowed: ['admin', 'editor', 'reviewer'], path: () => `/posts/${randomUUID()}` },
  'patch /posts/:id': {
    allowed: ['admin', 'editor'],
    body: () => ({ text: 'x' }),
    path: () => `/posts/${randomUUID()}`,
  },
  'post /posts/:id/submit': { allowed: ['admin', 'editor'], path: () => `/posts/${randomUUID()}/submit` },
  'post /posts/:id/approve': {
    allowed: ['admin', 'reviewer'],
    body: () => ({}),
    path: () => `/posts/${randomUUID()}/approve`,
  },
  'post /posts/:id/reject': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ comment: 'sửa lại' }),
    path: () => `/posts/${randomUUID()}/reject`,
  },
  'post /posts/:id/cancel': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => `/posts/${randomUUID()}/cancel`,
  },
  'post /posts/:id/retract': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ reason: 'Thông tin đã cũ' }),
    path: () => `/posts/${randomUUID()}/retract`,
  },
  'post /posts/:id/retract-request': {
    allowed: ['admin', 'editor'],
    body: () => ({ reason: 'Thông tin đã cũ' }),
    path: () => `/posts/${randomUUID()}/retract-request`,
  },
  'post /posts/:id/supersede': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ byPostId: randomUUID() }),
    path: () => `/posts/${randomUUID()}/supersede`,
  },
  'post /campaigns': {
    allowed: ['admin', 'editor'],
    body: () => ({ name: `Chiến dịch ${randomUUID().slice(0, 6)}` }),
  },
  'get /campaigns': { allowed: ['admin', 'editor', 'reviewer'] },
  'get /templates': { allowed: ['admin', 'editor', 'reviewer'] },
  'post /templates': {
    allowed: ['admin', 'editor'],
    body: () => ({
      name: `Mẫu ${randomUUID()}`,
      body: 'Gọi {{hotline}}',
      variables: [{ name: 'hotline', label: 'Đường dây nóng', type: 'phone', required: true }],
    }),
  },
  'get /templates/:id': { allowed: ['admin', 'editor', 'reviewer'], path: () => '/templates/dau-tu-tien-ao' },
  'post /media': { allowed: ['admin', 'editor'] },
  'get /media': { allowed: ['admin', 'editor', 'reviewer'] },
  'get /media/:id': { allowed: ['admin', 'editor', 'reviewer'], path: () => `/media/${randomUUID()}` },
  'patch /media/:id': {
    allowed: ['admin', 'editor'],
    path: () => `/media/${randomUUID()}`,
    body: () => ({ altText: 'Ảnh' }),
  },
  'delete /media/:id': { allowed: ['admin', 'editor'], path: () => `/media/${randomUUID()}` },
  'get /me/consent': { allowed: ROLES },
  'post /me/consent': { allowed: ['member'], body: () => ({ accepted: true, version: 1 }) },
  'get /me/export': { allowed: ROLES },
  'patch /me': { allowed: ROLES, body: () => ({ language: 'vi' }) },
  'post /members/invitations': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ unitId: randomUUID(), role: 'member' }),
  },
  'get /feed': { allowed: ['member'] },
  'post /feed/:postId/share-intent': {
    allowed: ['member'],
    body: () => ({ platform: 'zalo' }),
    path: () => `/feed/${randomUUID()}/share-intent`,
  },
  'get /me/shares': { allowed: ['member'] },
  'get /me/push-key': { allowed: ['member'] },
  'post /me/push-subscriptions': {
    allowed: ['member'],
    body: () => ({
      endpoint: `https://push.example.vn/${randomUUID()}`,
      keys: { p256dh: 'BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', auth: 'AAAAAAAAAAAAAAAA' },
    }),
  },
  'patch /units/:id/share-rules': {
    allowed: ['admin'],
    body: () => ({ dailyCap: 5, hoursFrom: null, hoursTo: null }),
    path: () => `/units/${randomUUID()}/share-rules`,
  },
  'get /stats/units': { allowed: ['admin', 'reviewer'] },
  'get /stats/members': { allowed: ['admin', 'reviewer'] },
  'post /templates/:id/render': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => '/templates/dau-tu-tien-ao/render',
    body: () => ({
      variables: { unitName: 'Công an tỉnh Huế', hotline: '113', area: 'Huế', date: '2025-06-02' },
      withCard: false,
    }),
  },
  // Last: opting out ends the member's consent, which the feed routes above need.
  'delete /me/consent': { allowed: ['member'] },
};

const PAGES: Record<string, Who[]> = {
  '/': ROLES,
  '/account': ROLES,
  '/admin/users': ['admin'],
  '/admin/units': ['admin'],
  '/admin/channels': ['admin'],
  '/notifications': ROLES,
  '/media': ['admin', 'editor', 'reviewer'],
  '/compose': ['admin', 'editor'],
  '/templates': ['admin', 'editor', 'reviewer'],
  '/templates/new': ['admin', 'editor'],
  '/api/docs': EVERYONE,
  '/api/v1/openapi.json': EVERYONE,
  '/login': EVERYONE,
  '/posts': ['admin', 'editor', 'reviewer'],
  '/review': ['admin', 'reviewer'],
  '/calendar': ['admin', 'editor', 'reviewer'],
  '/verify': EVERYONE,
  '/members/consent': ['member'],
  '/members/settings': ['member'],
};

describe('authorization: every role on every route', function () {
  let t: TestApp;
  const auth: Partial<Record<Who, Record<string, string>>> = {};
  const tokenIds: Partial<Record<Who, string>> = {};
  let targetUserId: string;

  before(async () => {
    t = await createTestApp();
    for (const role of ROLES) {
      const made = await makeUser(t, role);
      auth[role] = made.auth;
      // The member has given consent, as every member must before the feed answers.
      if (role === 'member') {
        const actor = { ...made.user, via: 'token' as const };
        await t.c.amplification.members.acceptConsent(actor, t.c.amplification.members.consent.version);
      }
      // A second token to revoke, so the caller's own token keeps working.
      tokenIds[role] = (await t.c.auth.issueToken(made.user, { name: 'to revoke', ip: null })).row.id;
    }
    targetUserId = (await makeUser(t, 'member')).user.id;
  });
  after(() => t.close());

  it('has a decision for every declared API route', () => {
    const declared = apiRoutes(t.c)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    assert.deepEqual(declared, Object.keys(API).sort());
  });

  for (const [route, spec] of Object.entries(API)) {
    for (const who of EVERYONE) {
      const allowed = spec.allowed.includes(who);
      it(`${route} as ${who} → ${allowed ? 'allowed' : who === 'anonymous' ? '401' : '403'}`, async () => {
        const [method, template] = route.split(' ') as [string, string];
        const path = spec.path
          ? spec.path({
              userId: targetUserId,
              tokenId: tokenIds[who as Exclude<Who, 'anonymous'>] ?? randomUUID(),
            })
          : template;
        const agent = request(t.app);
        let req =
          method === 'get'
            ? agent.get(`/api/v1${path}`)
            : method === 'post'
              ? agent.post(`/api/v1${path}`)
              : method === 'patch'
                ? agent.patch(`/api/v1${path}`)
                : agent.delete(`/api/v1${path}`);
        if (who !== 'anonymous') req = req.set(auth[who]!);
        if (spec.body) req = req.send(spec.body());
        const res = await req;
        if (allowed) {
          assert.ok(
            ![401, 403].includes(res.status) || route === 'post /auth/token',
            `${route} as ${who}: ${res.status} ${JSON.stringify(res.body)}`,
          );
          assert.ok(res.status < 500, `${route}: ${res.status}`);
        } else {
          assert.equal(res.status, who === 'anonymous' ? 401 : 403, JSON.stringify(res.body));
          assert.equal(res.body.error.code, who === 'anonymous' ? 'unauthorized' : 'forbidden');
        }
      });
    }
  }

  for (const [path, allowed] of Object.entries(PAGES)) {
    for (const who of EVERYONE) {
      it(`page ${path} as ${who}`, async () => {
        let res;
        if (who === 'anonymous') {
          res = await request(t.app).get(path);
        } else {
          const made = await makeUser(t, who as Exclude<Who, 'anonymous'>);
          const { agent, ip } = await signedInAgent(t, made.user.email);
          res = await agent.get(path).set('X-Forwarded-For', ip);
        }
        if (allowed.includes(who)) {
          assert.ok(
            res.status === 200 || (path === '/login' && res.status === 303),
            `${path} as ${who}: ${res.status}`,
          );
        } else if (who === 'anonymous') {
          assert.equal(res.status, 303);
          assert.equal(res.headers.location, `/login?next=${encodeURIComponent(path)}`);
        } else {
          assert.equal(res.status, 403);
          assert.match(res.text, /Không có quyền/);
        }
      });
    }
  }
});
