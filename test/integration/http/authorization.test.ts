// Each role's access to each route: the table must list every declared API route, so a new
// route without a decision here fails this test. Beside each table, the unit dimension: what an
// editor or reviewer of the item's own unit, of a unit below it (child), of a unit beside it
// (sibling) and of the unit above it (parent) gets, for every route and page.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { apiRoutes } from '../../../server/app.ts';
import { SYSTEM_ACTOR, type Actor } from '../../../server/auth/actor.ts';
import { channels, media, posts, type PostStatus } from '../../../server/db/schema.ts';
import type { PostRow } from '../../../server/posts/posts.repo.ts';
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
  'get /units/:id': { allowed: ROLES, path: () => `/units/${randomUUID()}` },
  'patch /units/:id': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ profile: { hotline: '0235 3822 123' } }),
    path: () => `/units/${randomUUID()}`,
  },
  'put /units/:id/logo': {
    allowed: ['admin', 'reviewer'],
    body: () => ({ mediaId: null }),
    path: () => `/units/${randomUUID()}/logo`,
  },
  'delete /units/:id': { allowed: ['admin'], path: () => `/units/${randomUUID()}` },
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
  'post /posts/:id/cascade': {
    allowed: ['admin', 'reviewer'],
    body: () => ({}),
    path: () => `/posts/${randomUUID()}/cascade`,
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
  'get /posts/:id/stats': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => `/posts/${randomUUID()}/stats`,
  },
  'post /posts/:id/stats/refresh': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => `/posts/${randomUUID()}/stats/refresh`,
  },
  'get /stats/overview': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => '/stats/overview?from=2026-01-01&to=2026-01-31',
  },
  'get /stats/export.csv': {
    allowed: ['admin', 'editor', 'reviewer'],
    path: () => '/stats/export.csv?from=2026-01-01&to=2026-01-02',
  },
  // Public, answered by signature: an unsigned call is refused (401/403) whoever sends it.
  'get /webhooks/facebook': { allowed: EVERYONE },
  'post /webhooks/facebook': { allowed: EVERYONE, body: () => ({ object: 'page', entry: [] }) },
  'post /webhooks/zalo': { allowed: EVERYONE, body: () => ({ event_name: 'follow', timestamp: '1' }) },
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
  'patch /templates/:id': {
    allowed: ['admin', 'editor'],
    path: () => `/templates/${randomUUID()}`,
    body: () => ({ description: 'Mô tả mới' }),
  },
  'delete /templates/:id': { allowed: ['admin', 'editor'], path: () => `/templates/${randomUUID()}` },
  'post /templates/:id/copy': {
    allowed: ['admin', 'editor'],
    path: () => '/templates/dau-tu-tien-ao/copy',
    // A name of its own: a default-named copy would take "(bản sao)" from the template tests.
    body: () => ({ name: `Bản sao kiểm tra quyền ${randomUUID().slice(0, 8)}` }),
  },
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
  'get /members': { allowed: ['admin', 'reviewer'] },
  'post /members': {
    allowed: ['admin', 'reviewer'],
    body: () => ({
      name: 'Lê Văn Thành Viên',
      email: `${randomUUID()}@example.vn`,
      password: 'mật khẩu dài 10',
      unitId: randomUUID(),
    }),
  },
  'get /members/invitations': { allowed: ['admin', 'reviewer'] },
  'delete /members/invitations/:id': {
    allowed: ['admin', 'reviewer'],
    path: () => `/members/invitations/${randomUUID()}`,
  },
  'get /units/:id/share-rules': {
    allowed: ['admin', 'reviewer'],
    path: () => `/units/${randomUUID()}/share-rules`,
  },
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

// ---- the unit dimension ----
// Units: P (province) → A → A1, and P → B. Every item a case makes belongs to A; the acting user
// is an editor or reviewer of A (same), A1 (child), B (sibling) or P (parent).
type Relation = 'same' | 'child' | 'sibling' | 'parent';
const RELATIONS: Relation[] = ['same', 'child', 'sibling', 'parent'];
/** A status, or a list answered with 200 that shows (`listed`) or leaves out (`hidden`) the item. */
type Outcome = number | 'listed' | 'hidden';
type Outcomes = Record<Relation, Outcome>;

/** Reading one item: found from the item's unit and from above it, "not found" anywhere else. */
const READ_ONE: Outcomes = { same: 200, child: 404, sibling: 404, parent: 200 };
/** Acting on an item: allowed from the item's unit and from above it, 403 anywhere else. */
const act = (status: number): Outcomes => ({ same: status, child: 403, sibling: 403, parent: status });
/** A list: the item shows from its unit and from above it, never anywhere else. */
const LIST: Outcomes = { same: 'listed', child: 'hidden', sibling: 'hidden', parent: 'listed' };

/** Makes items in unit A (see `before`). */
interface Fixtures {
  /** Unit A itself. */
  unit(): string;
  channel(): Promise<{ id: string; name: string }>;
  /** `scheduledAt` defaults to a random time tomorrow. */
  post(status: PostStatus, scheduledAt?: Date): Promise<PostRow>;
  image(): Promise<{ id: string }>;
}
interface UnitRequest {
  path: string;
  body?: Record<string, unknown>;
  /** For a list: whether the response shows the item. */
  shows?: (res: { body: unknown; text: string }) => boolean;
}
interface ScopedCase {
  as: Exclude<Role, 'admin' | 'member'>;
  request: (fx: Fixtures) => Promise<UnitRequest>;
  expect: Outcomes;
}
/** `unscoped`: the route does not depend on units (or only admins use it, who are unscoped). */
type UnitCase = 'unscoped' | ScopedCase;

const itemIds = (body: unknown): string[] =>
  ((body as { items?: { id: string }[] }).items ?? []).map((i) => i.id);
const soon = () => new Date(Date.now() + 86_400_000 + Math.floor(Math.random() * 86_400_000));

const API_UNITS: Record<string, UnitCase> = {
  'get /health': 'unscoped',
  'post /channels': 'unscoped',
  'post /channels/demo': 'unscoped',
  'get /channels': {
    as: 'editor',
    request: async (fx) => {
      const channel = await fx.channel();
      return { path: '/channels', shows: (res) => itemIds(res.body).includes(channel.id) };
    },
    expect: LIST,
  },
  'delete /channels/:id': 'unscoped',
  'patch /channels/:id': 'unscoped',
  'post /auth/token': 'unscoped',
  'get /me': 'unscoped',
  'get /me/tokens': 'unscoped',
  'delete /me/tokens/:id': 'unscoped',
  'post /users': 'unscoped',
  'get /users': 'unscoped',
  'get /users/:id': 'unscoped',
  'patch /users/:id': 'unscoped',
  'post /units': 'unscoped',
  'get /units': 'unscoped',
  'post /posts': {
    as: 'editor',
    request: async (fx) => ({
      path: '/posts',
      body: {
        text: 'Cảnh báo lừa đảo qua mạng',
        channelIds: [(await fx.channel()).id],
        scheduledAt: soon().toISOString(),
      },
    }),
    expect: act(201),
  },
  'get /posts': {
    as: 'reviewer',
    request: async (fx) => {
      const post = await fx.post('draft');
      return {
        path: `/posts?channelId=${post.channelIds[0]}`,
        shows: (res) => itemIds(res.body).includes(post.id),
      };
    },
    expect: LIST,
  },
  'get /posts/:id': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('draft')).id}` }),
    expect: READ_ONE,
  },
  'patch /posts/:id': {
    as: 'editor',
    request: async (fx) => ({
      path: `/posts/${(await fx.post('draft')).id}`,
      body: { text: 'Cảnh báo đã sửa' },
    }),
    expect: act(200),
  },
  'post /posts/:id/submit': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('draft')).id}/submit` }),
    expect: act(200),
  },
  'post /posts/:id/approve': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/posts/${(await fx.post('in_review')).id}/approve`, body: {} }),
    expect: act(200),
  },
  'post /posts/:id/reject': {
    as: 'reviewer',
    request: async (fx) => ({
      path: `/posts/${(await fx.post('in_review')).id}/reject`,
      body: { comment: 'sửa lại' },
    }),
    expect: act(200),
  },
  'post /posts/:id/cancel': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('draft')).id}/cancel` }),
    expect: act(200),
  },
  'post /posts/:id/retract': {
    as: 'reviewer',
    request: async (fx) => ({
      path: `/posts/${(await fx.post('published')).id}/retract`,
      body: { reason: 'Thông tin đã cũ' },
    }),
    expect: act(200),
  },
  'post /posts/:id/retract-request': {
    as: 'editor',
    request: async (fx) => ({
      path: `/posts/${(await fx.post('published')).id}/retract-request`,
      body: { reason: 'Thông tin đã cũ' },
    }),
    expect: act(202),
  },
  'post /posts/:id/supersede': {
    as: 'reviewer',
    request: async (fx) => {
      const [old, replacement] = [await fx.post('published'), await fx.post('scheduled')];
      return { path: `/posts/${old.id}/supersede`, body: { byPostId: replacement.id } };
    },
    expect: act(200),
  },
  'post /campaigns': 'unscoped',
  'get /campaigns': 'unscoped',
  'get /posts/:id/stats': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/posts/${(await fx.post('published')).id}/stats` }),
    expect: READ_ONE,
  },
  'post /posts/:id/stats/refresh': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('published')).id}/stats/refresh` }),
    expect: { same: 202, child: 404, sibling: 404, parent: 202 },
  },
  // Both filter by the reader's units (engagement rollups carry the post's unit): tested in
  // test/integration/engagement/collector.test.ts with figures in and out of scope.
  'get /stats/overview': 'unscoped',
  'get /stats/export.csv': 'unscoped',
  'get /webhooks/facebook': 'unscoped',
  'post /webhooks/facebook': 'unscoped',
  'post /webhooks/zalo': 'unscoped',
  'get /templates': 'unscoped',
  'post /templates': 'unscoped',
  'get /templates/:id': 'unscoped',
  'patch /templates/:id': 'unscoped',
  'delete /templates/:id': 'unscoped',
  'post /templates/:id/copy': 'unscoped',
  // An upload belongs to the uploader's unit: nothing of another unit is involved.
  'post /media': 'unscoped',
  'get /media': {
    as: 'editor',
    request: async (fx) => {
      const image = await fx.image();
      return { path: '/media', shows: (res) => itemIds(res.body).includes(image.id) };
    },
    expect: LIST,
  },
  'get /media/:id': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/media/${(await fx.image()).id}` }),
    expect: READ_ONE,
  },
  'patch /media/:id': {
    as: 'editor',
    request: async (fx) => ({ path: `/media/${(await fx.image()).id}`, body: { altText: 'Ảnh minh hoạ' } }),
    expect: act(200),
  },
  'delete /media/:id': {
    as: 'editor',
    request: async (fx) => ({ path: `/media/${(await fx.image()).id}` }),
    expect: act(204),
  },
  'post /templates/:id/render': 'unscoped',
  // Units: the tree is the organisation everyone sees; a reviewer keeps the profiles of their
  // unit and the units below it; only admins rename, move, delete or set share rules.
  'get /units/:id': 'unscoped',
  'patch /units/:id': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/units/${fx.unit()}`, body: { profile: { hotline: '0236 3822 100' } } }),
    expect: act(200),
  },
  'put /units/:id/logo': 'unscoped',
  'delete /units/:id': 'unscoped',
  'patch /units/:id/share-rules': 'unscoped',
  // Handing a warning down: a reviewer of its unit or of a unit above it.
  'post /posts/:id/cascade': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/posts/${(await fx.post('published')).id}/cascade`, body: {} }),
    expect: act(201),
  },
  // Members' own routes: a member acts only for themselves, whatever their unit.
  'get /feed': 'unscoped',
  'post /feed/:postId/share-intent': 'unscoped',
  'get /me/consent': 'unscoped',
  'post /me/consent': 'unscoped',
  'get /me/export': 'unscoped',
  'get /me/push-key': 'unscoped',
  'post /me/push-subscriptions': 'unscoped',
  'get /me/shares': 'unscoped',
  'patch /me': 'unscoped',
  // A reviewer invites members to their unit and the units below it.
  'post /members/invitations': {
    as: 'reviewer',
    request: async (fx) => ({ path: '/members/invitations', body: { unitId: fx.unit(), role: 'member' } }),
    expect: act(201),
  },
  // Participation by unit: a reviewer reads their unit's subtree; the figures are checked in
  // the members tests, the access here.
  'get /stats/units': 'unscoped',
  'get /stats/members': 'unscoped',
  // The members area: a reviewer sees and manages the members and invitations of their unit and
  // the units below it; a sibling's or a child's reviewer sees none of A's and acts on none.
  'get /members': {
    as: 'reviewer',
    request: async (fx) => {
      const member = await listedMember(fx.unit());
      return { path: '/members', shows: (res) => memberIds(res.body).includes(member) };
    },
    expect: LIST,
  },
  'post /members': {
    as: 'reviewer',
    request: async (fx) => ({
      path: '/members',
      body: {
        name: 'Phạm Thị Thành Viên',
        email: `${randomUUID()}@example.vn`,
        password: 'mật khẩu dài 10',
        unitId: fx.unit(),
      },
    }),
    expect: act(201),
  },
  'get /members/invitations': {
    as: 'reviewer',
    request: async (fx) => {
      const made = await t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: fx.unit() });
      return { path: '/members/invitations', shows: (res) => itemIds(res.body).includes(made.id) };
    },
    expect: LIST,
  },
  'delete /members/invitations/:id': {
    as: 'reviewer',
    request: async (fx) => {
      const made = await t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: fx.unit() });
      return { path: `/members/invitations/${made.id}` };
    },
    expect: act(200),
  },
  'get /units/:id/share-rules': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/units/${fx.unit()}/share-rules` }),
    expect: READ_ONE,
  },
  // Last: it withdraws the consent the member routes above need.
  'delete /me/consent': 'unscoped',
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
  '/templates?archived=1': ['admin', 'editor', 'reviewer'],
  '/api/docs': EVERYONE,
  '/api/v1/openapi.json': EVERYONE,
  '/login': EVERYONE,
  '/posts': ['admin', 'editor', 'reviewer'],
  '/review': ['admin', 'reviewer'],
  '/calendar': ['admin', 'editor', 'reviewer'],
  '/verify': EVERYONE,
  '/members/consent': ['member'],
  '/members/settings': ['member'],
  // The dashboard: staff read the figures, leadership (reviewers, admins) the monthly report.
  '/stats': ['admin', 'editor', 'reviewer'],
  '/stats?from=2026-01-01&to=2026-01-31': ['admin', 'editor', 'reviewer'],
  '/stats/report': ['admin', 'reviewer'],
  '/members': ['admin', 'reviewer'],
  '/members/invitations': ['admin', 'reviewer'],
  '/members/new': ['admin', 'reviewer'],
  '/members/rules': ['admin', 'reviewer'],
  '/members/participation': ['admin', 'reviewer'],
};

/** Pages by unit, as for the API: every page above, plus the pages of one item. */
const PAGE_UNITS: Record<string, UnitCase> = {
  '/': {
    as: 'reviewer',
    request: async (fx) => {
      // Due before every other post in review, so the start page's short list cannot leave it out.
      const post = await fx.post('in_review', new Date(Date.now() + 3_600_000));
      return { path: '/', shows: (res) => res.text.includes(`/posts/${post.id}`) };
    },
    expect: LIST,
  },
  '/account': 'unscoped',
  '/admin/users': 'unscoped',
  '/admin/units': 'unscoped',
  '/admin/channels': 'unscoped',
  '/notifications': {
    as: 'reviewer',
    // Submitting tells the reviewers who can act on the post, and only them.
    request: async (fx) => {
      const post = await fx.post('in_review');
      return { path: '/notifications', shows: (res) => res.text.includes(`/posts/${post.id}`) };
    },
    expect: LIST,
  },
  '/media': {
    as: 'editor',
    request: async (fx) => {
      const image = await fx.image();
      return { path: '/media', shows: (res) => res.text.includes(`media-${image.id}`) };
    },
    expect: LIST,
  },
  '/compose': {
    as: 'editor',
    request: async (fx) => {
      const channel = await fx.channel();
      return { path: '/compose', shows: (res) => res.text.includes(`value="${channel.id}"`) };
    },
    expect: LIST,
  },
  '/compose?postId=:id': {
    as: 'editor',
    request: async (fx) => ({ path: `/compose?postId=${(await fx.post('draft')).id}` }),
    expect: READ_ONE,
  },
  '/templates': 'unscoped',
  '/templates?archived=1': 'unscoped',
  '/templates/new': 'unscoped',
  '/api/docs': 'unscoped',
  '/api/v1/openapi.json': 'unscoped',
  '/login': 'unscoped',
  '/posts': {
    as: 'editor',
    request: async (fx) => {
      const post = await fx.post('draft');
      return {
        path: `/posts?channelId=${post.channelIds[0]}`,
        shows: (res) => res.text.includes(`/posts/${post.id}`),
      };
    },
    expect: LIST,
  },
  '/posts/:id': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/posts/${(await fx.post('in_review')).id}` }),
    expect: READ_ONE,
  },
  '/posts/:id/retraction': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('published')).id}/retraction` }),
    expect: READ_ONE,
  },
  '/review': {
    as: 'reviewer',
    request: async (fx) => {
      const post = await fx.post('in_review');
      return { path: '/review', shows: (res) => res.text.includes(`/posts/${post.id}`) };
    },
    expect: LIST,
  },
  '/calendar': 'unscoped',
  '/calendar/events': {
    as: 'editor',
    request: async (fx) => {
      const post = await fx.post('scheduled');
      const start = new Date(post.scheduledAt.getTime() - 3_600_000).toISOString();
      const end = new Date(post.scheduledAt.getTime() + 3_600_000).toISOString();
      return {
        path: `/calendar/events?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`,
        shows: (res) => (res.body as { id: string }[]).some((e) => e.id === post.id),
      };
    },
    expect: LIST,
  },
  '/verify': 'unscoped',
  // A member's own pages.
  '/members/consent': 'unscoped',
  '/members/settings': 'unscoped',
  // The overview reads the reader's own units (the figures are checked in the dashboard tests).
  '/stats': 'unscoped',
  '/stats?from=2026-01-01&to=2026-01-31': 'unscoped',
  '/stats/report': 'unscoped',
  // A unit's monthly report: its reviewers and those above it; a sibling's or a child's reviewer
  // does not learn it exists.
  '/stats/report?unitId=:id': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/stats/report?unitId=${fx.unit()}&month=2026-11` }),
    expect: READ_ONE,
  },
  '/posts/:id/stats': {
    as: 'editor',
    request: async (fx) => ({ path: `/posts/${(await fx.post('published')).id}/stats` }),
    expect: READ_ONE,
  },
  // The members area: lists show A's members and invitations from A and above only; a unit
  // asked for by a reviewer outside it reads as not found.
  '/members': {
    as: 'reviewer',
    request: async (fx) => {
      const member = await listedMember(fx.unit());
      return { path: '/members', shows: (res) => res.text.includes(`data-member-id="${member}"`) };
    },
    expect: LIST,
  },
  '/members?unitId=:id': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/members?unitId=${fx.unit()}` }),
    expect: READ_ONE,
  },
  '/members/invitations': {
    as: 'reviewer',
    request: async (fx) => {
      const made = await t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: fx.unit() });
      return {
        path: '/members/invitations',
        shows: (res) => res.text.includes(`data-invitation-id="${made.id}"`),
      };
    },
    expect: LIST,
  },
  '/members/new': {
    as: 'reviewer',
    request: async (fx) => ({
      path: '/members/new',
      shows: (res) => res.text.includes(`value="${fx.unit()}"`),
    }),
    expect: LIST,
  },
  '/members/rules': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/members/rules?unitId=${fx.unit()}` }),
    expect: READ_ONE,
  },
  '/members/participation': {
    as: 'reviewer',
    request: async (fx) => ({ path: `/members/participation?unitId=${fx.unit()}` }),
    expect: READ_ONE,
  },
};

/** The app under test, started in `before` below; the members area's cases above use it. */
let t: TestApp;

/** A member of the unit who agreed to be listed by name, so lists may show them. */
async function listedMember(unitId: string): Promise<string> {
  const made = await makeUser(t, 'member', { unitId });
  const actor = await t.c.auth.actorFor(made.user, 'token', null);
  await t.c.amplification.members.updateSettings(actor, { listedInStats: true });
  return made.user.id;
}
const memberIds = (body: unknown): string[] =>
  ((body as { items?: { userId: string }[] }).items ?? []).map((i) => i.userId);

describe('authorization: every role on every route', function () {
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
        const actor = await t.c.auth.actorFor(made.user, 'token', null);
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

  it('has a unit decision for every declared API route and every page', () => {
    const declared = apiRoutes(t.c)
      .map((r) => `${r.method} ${r.path}`)
      .sort();
    assert.deepEqual(declared, Object.keys(API_UNITS).sort());
    const missing = Object.keys(PAGES).filter((page) => !(page in PAGE_UNITS));
    assert.deepEqual(missing, [], 'pages without a unit decision');
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
                : method === 'put'
                  ? agent.put(`/api/v1${path}`)
                  : agent.delete(`/api/v1${path}`);
        if (who !== 'anonymous') req = req.set(auth[who]!);
        if (spec.body) req = req.send(spec.body());
        const res = await req;
        if (allowed) {
          assert.ok(
            ![401, 403].includes(res.status) || route === 'post /auth/token' || route.includes(' /webhooks/'),
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

  describe('the unit dimension: same unit, child unit, sibling unit, parent unit', () => {
    const unitOf = {} as Record<Relation, string>;
    let fx: Fixtures;
    const apiUsers = new Map<string, Record<string, string>>();
    const pageAgents = new Map<string, Awaited<ReturnType<typeof signedInAgent>>>();

    before(async () => {
      const unit = (name: string, parentId?: string) =>
        t.c.users.createUnit(SYSTEM_ACTOR, {
          name: `${name} ${randomUUID().slice(0, 6)}`,
          ...(parentId && { parentId }),
        });
      const province = await unit('Công an tỉnh');
      const a = await unit('Công an xã A', province.id);
      const a1 = await unit('Đội A1', a.id);
      const b = await unit('Công an xã B', province.id);
      Object.assign(unitOf, { same: a.id, child: a1.id, sibling: b.id, parent: province.id });
      // The items' author and their reviewer, both of A, so that nobody acting is the author.
      const author = await makeUser(t, 'editor', { unitId: a.id });
      const authorActor: Actor = await t.c.auth.actorFor(author.user, 'token', null);
      const db = t.c.database.db;
      const channel = async () => {
        const [row] = await db
          .insert(channels)
          .values({
            platform: 'facebook',
            externalId: `page-${randomUUID()}`,
            name: `Trang xã A ${randomUUID().slice(0, 6)}`,
            accessTokenEnc: 'not-a-token',
            unitId: a.id,
          })
          .returning();
        return row!;
      };
      fx = {
        unit: () => a.id,
        channel,
        async post(status, scheduledAt = soon()) {
          let post = await t.c.posts.createPost(authorActor, {
            text: `Cảnh báo ${randomUUID().slice(0, 8)}`,
            channelIds: [(await channel()).id],
            scheduledAt,
          });
          // In review through the real path, so the reviewers are notified as they would be.
          if (status === 'in_review') post = await t.c.postWorkflow.submit(authorActor, post.id);
          else if (status !== 'draft') {
            const [updated] = await db
              .update(posts)
              .set({ status, ...(status === 'published' && { publishedAt: new Date() }) })
              .where(eq(posts.id, post.id))
              .returning();
            post = updated!;
          }
          return post!;
        },
        async image() {
          const [row] = await db
            .insert(media)
            .values({
              sha256: randomUUID(),
              file: `${randomUUID()}.png`,
              mime: 'image/png',
              width: 10,
              height: 10,
              bytes: 100,
              unitId: a.id,
            })
            .returning();
          return row!;
        },
      };
    });

    /** A bearer token for a user of this role in the unit at `relation` to A, made once. */
    async function apiUser(role: Role, relation: Relation) {
      const key = `${role}:${relation}`;
      if (!apiUsers.has(key)) {
        const made = await makeUser(t, role, { unitId: unitOf[relation] });
        if (role === 'member') await consent(made.user);
        apiUsers.set(key, made.auth);
      }
      return apiUsers.get(key)!;
    }
    /** A member has accepted the consent text, as the feed and sharing require. */
    async function consent(user: Parameters<typeof t.c.auth.actorFor>[0]) {
      const actor = await t.c.auth.actorFor(user, 'token', null);
      await t.c.amplification.members.acceptConsent(actor, t.c.amplification.members.consent.version);
    }
    async function pageAgent(role: Role, relation: Relation) {
      const key = `${role}:${relation}`;
      if (!pageAgents.has(key)) {
        const made = await makeUser(t, role, { unitId: unitOf[relation] });
        if (role === 'member') await consent(made.user);
        pageAgents.set(key, await signedInAgent(t, made.user.email));
      }
      return pageAgents.get(key)!;
    }
    /** The role an unscoped route is tried with: a scoped one when the route lets it in. */
    const actingRole = (allowed: Who[]): Role =>
      (['editor', 'reviewer', 'member', 'admin'] as const).find((r) => allowed.includes(r)) ?? 'admin';

    function send(
      method: string,
      path: string,
      auth: Record<string, string>,
      body?: Record<string, unknown>,
    ) {
      const agent = request(t.app);
      const url = `/api/v1${path}`;
      const req =
        method === 'get'
          ? agent.get(url)
          : method === 'post'
            ? agent.post(url)
            : method === 'patch'
              ? agent.patch(url)
              : agent.delete(url);
      return body ? req.set(auth).send(body) : req.set(auth);
    }

    function check(label: string, outcome: Outcome, spec: UnitRequest, res: request.Response) {
      const what = `${label}: ${res.status} ${res.text.slice(0, 300)}`;
      if (typeof outcome === 'number') {
        assert.equal(res.status, outcome, what);
        // A refusal by unit scope says so, distinct from a refusal by role.
        if (outcome === 403)
          assert.equal((res.body as { error: { code: string } }).error.code, 'out_of_scope', what);
        return;
      }
      assert.equal(res.status, 200, what);
      assert.ok(spec.shows, `${label}: a list case needs shows()`);
      assert.equal(
        spec.shows(res),
        outcome === 'listed',
        `${label}: the item is ${outcome === 'listed' ? 'missing' : 'shown'}`,
      );
    }

    for (const [route, unitCase] of Object.entries(API_UNITS)) {
      const [method, template] = route.split(' ') as [string, string];
      for (const relation of RELATIONS) {
        if (unitCase === 'unscoped') {
          it(`${route} from a ${relation} unit → as without a unit`, async () => {
            const spec = API[route];
            assert.ok(spec, `${route} is not in the role table`);
            const role = actingRole(spec.allowed);
            const path = spec.path
              ? spec.path({ userId: (await makeUser(t, 'member')).user.id, tokenId: randomUUID() })
              : template;
            const res = await send(method, path, await apiUser(role, relation), spec.body?.());
            assert.ok(
              ![401, 403].includes(res.status) ||
                route === 'post /auth/token' ||
                route.includes(' /webhooks/'),
              `${route} as ${role} of the ${relation} unit: ${res.status} ${JSON.stringify(res.body)}`,
            );
            assert.ok(res.status < 500, `${route}: ${res.status}`);
          });
          continue;
        }
        const outcome = unitCase.expect[relation];
        it(`${route} as ${unitCase.as} of a ${relation} unit → ${outcome}`, async () => {
          const auth = await apiUser(unitCase.as, relation);
          const spec = await unitCase.request(fx);
          const res = await send(method, spec.path, auth, spec.body);
          check(`${route} as ${unitCase.as} of the ${relation} unit`, outcome, spec, res);
        });
      }
    }

    for (const [page, unitCase] of Object.entries(PAGE_UNITS)) {
      for (const relation of RELATIONS) {
        if (unitCase === 'unscoped') {
          it(`page ${page} from a ${relation} unit → as without a unit`, async () => {
            const allowed = PAGES[page];
            assert.ok(allowed, `${page} is not in the page table`);
            const role = actingRole(allowed);
            const { agent, ip } = await pageAgent(role, relation);
            const res = await agent.get(page).set('X-Forwarded-For', ip);
            assert.ok(
              res.status === 200 || (page === '/login' && res.status === 303),
              `${page}: ${res.status}`,
            );
          });
          continue;
        }
        const outcome = unitCase.expect[relation];
        it(`page ${page} as ${unitCase.as} of a ${relation} unit → ${outcome}`, async () => {
          const { agent, ip } = await pageAgent(unitCase.as, relation);
          const spec = await unitCase.request(fx);
          const res = await agent.get(spec.path).set('X-Forwarded-For', ip);
          check(`page ${page} as ${unitCase.as} of the ${relation} unit`, outcome, spec, res);
        });
      }
    }
  });
});
