// The members area of admins and unit reviewers, API and pages: the directory (names only where
// the member agreed, figures from the stats service, search, filter by unit, pagination), members
// created by staff (who still consent themselves), invitations (list, revoke, a revoked link
// refused), share rules (read, inherited, set, refused with 422 and nothing changed) and
// participation by unit. A reviewer of a sibling unit sees none of it and changes nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import request from 'supertest';
import { SYSTEM_ACTOR, type Actor } from '../../../server/auth/actor.ts';
import { memberInvitations, memberShares, unitShareRules, users } from '../../../server/db/schema.ts';
import { createTestApp, makeUser, signedInAgent, uniqueEmail, type TestApp } from '../../support/app.ts';
import { markPublished, templatePost, unitWithEditor } from '../public-pages/fixtures.ts';

describe('members area: admins and unit reviewers', function () {
  this.timeout(60_000);
  let t: TestApp;
  // P → A → A1, P → B.
  const unit: Record<'p' | 'a' | 'a1' | 'b', { id: string; name: string }> = {} as never;
  let reviewerA: Awaited<ReturnType<typeof makeUser>>;
  let reviewerB: Awaited<ReturnType<typeof makeUser>>;
  let admin: Awaited<ReturnType<typeof makeUser>>;
  let listed: { id: string; name: string };
  let unlistedName: string;
  let postId: string;

  const db = () => t.c.database.db;
  const actorOf = (made: Awaited<ReturnType<typeof makeUser>>): Promise<Actor> =>
    t.c.auth.actorFor(made.user, 'token', null);

  async function member(unitId: string, name: string, options: { listed?: boolean; consent?: boolean } = {}) {
    const made = await makeUser(t, 'member', { unitId, name });
    const actor = await actorOf(made);
    if (options.consent !== false) {
      await t.c.amplification.members.acceptConsent(actor, t.c.amplification.members.consent.version);
    }
    if (options.listed) await t.c.amplification.members.updateSettings(actor, { listedInStats: true });
    return made;
  }

  /** A share completed by the member, with the clicks on its tracked link left at zero. */
  async function shared(userId: string, unitId: string) {
    await db().insert(memberShares).values({
      userId,
      postId,
      platform: 'zalo',
      unitId,
      status: 'shared',
      openedAt: new Date(),
      completedAt: new Date(),
    });
  }

  const counted = async (table: typeof users | typeof memberInvitations | typeof unitShareRules) =>
    (await db().select({ n: count() }).from(table))[0]?.n ?? 0;

  before(async () => {
    t = await createTestApp();
    const make = async (name: string, parentId?: string) => {
      const row = await t.c.users.createUnit(SYSTEM_ACTOR, {
        name: `${name} ${randomUUID().slice(0, 4)}`,
        ...(parentId && { parentId }),
      });
      return { id: row.id, name: row.name };
    };
    unit.p = await make('Công an tỉnh Quảng Trị');
    unit.a = await make('Công an xã Gio Linh', unit.p.id);
    unit.a1 = await make('Đội Cảnh sát Gio Linh', unit.a.id);
    unit.b = await make('Công an xã Cam Lộ', unit.p.id);
    reviewerA = await makeUser(t, 'reviewer', { unitId: unit.a.id });
    reviewerB = await makeUser(t, 'reviewer', { unitId: unit.b.id });
    admin = await makeUser(t, 'admin');
    const author = await unitWithEditor(t);
    postId = (await markPublished(t, (await templatePost(t, author.actor, author.unit.name)).id)).id;

    const made = await member(unit.a.id, 'Nguyễn Thị Hiện Tên', { listed: true });
    listed = { id: made.user.id, name: made.user.name };
    await shared(listed.id, unit.a.id);
    unlistedName = 'Trần Văn Giấu Tên';
    const hidden = await member(unit.a1.id, unlistedName);
    await shared(hidden.user.id, unit.a1.id);
    await shared((await member(unit.a1.id, 'Lê Văn Chưa Đồng Ý', { consent: false })).user.id, unit.a1.id);
    await member(unit.b.id, 'Phạm Thị Xã Bên', { listed: true });
  });
  after(() => t.close());

  describe('the directory', () => {
    it('lists the reviewer’s units by name only where agreed, with figures from the stats service', async () => {
      const res = await request(t.app).get('/api/v1/members').set(reviewerA.auth);
      assert.equal(res.status, 200, res.text);
      const names = res.body.items.map((i: { name: string | null }) => i.name);
      assert.ok(names.includes(listed.name));
      assert.ok(!names.includes(unlistedName), 'an unlisted member is never named');
      assert.ok(!names.includes('Phạm Thị Xã Bên'), 'a sibling unit’s member is not listed');
      assert.equal(res.body.items.length, 3);
      const me = res.body.items.find((i: { userId: string }) => i.userId === listed.id);
      assert.equal(me.shares, 1);
      assert.equal(me.clicks, 0);
      assert.equal(me.consent.state, 'current');
      assert.equal(me.consent.version, 1);
      const anonymous = res.body.items.filter((i: { listed: boolean }) => !i.listed);
      assert.ok(anonymous.every((i: { name: null; shares: null }) => i.name === null && i.shares === null));
      assert.deepEqual(anonymous.map((i: { consent: { state: string } }) => i.consent.state).sort(), [
        'current',
        'pending',
      ]);
      assert.deepEqual(res.body.anonymous, { members: 2, shares: 2, clicks: 0, reach: 0 });
      assert.deepEqual(res.body.counts, {
        members: 3,
        consentCurrent: 2,
        consentOutdated: 0,
        withdrawn: 0,
        pending: 1,
      });
    });

    it('filters by unit, searches only listed names, and pages with a cursor', async () => {
      const a1 = await request(t.app).get(`/api/v1/members?unitId=${unit.a1.id}`).set(reviewerA.auth);
      assert.equal(a1.body.items.length, 2);
      const byName = await request(t.app)
        .get(`/api/v1/members?q=${encodeURIComponent('hiện tên')}`)
        .set(reviewerA.auth);
      assert.deepEqual(
        byName.body.items.map((i: { userId: string }) => i.userId),
        [listed.id],
      );
      const hiddenName = await request(t.app)
        .get(`/api/v1/members?q=${encodeURIComponent('Giấu Tên')}`)
        .set(reviewerA.auth);
      assert.equal(hiddenName.body.items.length, 0, 'an unlisted member cannot be found by name');

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: request.Response = await request(t.app)
          .get(`/api/v1/members?limit=1${cursor ? `&cursor=${cursor}` : ''}`)
          .set(reviewerA.auth);
        assert.equal(page.status, 200, page.text);
        seen.push(...page.body.items.map((i: { userId: string }) => i.userId));
        cursor = page.body.nextCursor;
      } while (cursor);
      assert.equal(seen.length, 3);
      assert.equal(new Set(seen).size, 3, 'no member twice across pages');
    });

    it('answers a sibling unit with 404 and bad input with 422', async () => {
      const sibling = await request(t.app).get(`/api/v1/members?unitId=${unit.b.id}`).set(reviewerA.auth);
      assert.equal(sibling.status, 404);
      for (const query of ['limit=0', 'unitId=nope', 'cursor=bm9wZQ']) {
        const res = await request(t.app).get(`/api/v1/members?${query}`).set(reviewerA.auth);
        assert.equal(res.status, 422, `${query}: ${res.text}`);
        assert.equal(res.body.error.code, 'validation_failed');
      }
    });

    it('shows the page with anonymous rows and the unit’s counts, and 404 for a sibling unit', async () => {
      const { agent, ip } = await signedInAgent(t, reviewerA.user.email);
      const page = await agent.get('/members').set('X-Forwarded-For', ip);
      assert.equal(page.status, 200);
      assert.match(page.text, new RegExp(listed.name));
      assert.match(page.text, /Thành viên ẩn danh/);
      assert.doesNotMatch(page.text, new RegExp(unlistedName));
      assert.match(page.text, /data-count="members">3</);
      assert.match(page.text, /data-anonymous-members="2"/);
      const sibling = await agent.get(`/members?unitId=${unit.b.id}`).set('X-Forwarded-For', ip);
      assert.equal(sibling.status, 404);
      const bad = await agent.get('/members?limit=5000').set('X-Forwarded-For', ip);
      assert.equal(bad.status, 422);
    });
  });

  describe('members created by staff', () => {
    it('lets a reviewer create a member below their unit, who must still consent', async () => {
      const email = uniqueEmail('tao-boi-can-bo');
      const res = await request(t.app)
        .post('/api/v1/members')
        .set(reviewerA.auth)
        .send({ name: 'Đỗ Thị Được Tạo', email, password: 'mật khẩu ban đầu', unitId: unit.a1.id });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.role, 'member');
      assert.equal(res.body.unitId, unit.a1.id);
      assert.equal(res.body.consentRequired, true);
      const token = await request(t.app)
        .post('/api/v1/auth/token')
        .send({ email, password: 'mật khẩu ban đầu' });
      const feed = await request(t.app)
        .get('/api/v1/feed')
        .set({ Authorization: `Bearer ${token.body.token}` });
      assert.equal(feed.status, 403);
      assert.equal(feed.body.error.code, 'consent_required', 'nobody consents on the member’s behalf');
    });

    it('refuses a sibling unit’s reviewer (403) and bad input (422), creating nobody', async () => {
      const before = await counted(users);
      const outside = await request(t.app)
        .post('/api/v1/members')
        .set(reviewerB.auth)
        .send({ name: 'Ai Đó', email: uniqueEmail(), password: 'mật khẩu ban đầu', unitId: unit.a.id });
      assert.equal(outside.status, 403);
      assert.equal(outside.body.error.code, 'out_of_scope');
      const bad = await request(t.app)
        .post('/api/v1/members')
        .set(reviewerA.auth)
        .send({ name: '', email: 'không phải email', password: 'ngắn', unitId: unit.a.id });
      assert.equal(bad.status, 422);
      const paths = bad.body.error.details.map((d: { path: string }) => d.path).sort();
      assert.deepEqual(paths, ['email', 'name', 'password']);
      assert.equal(await counted(users), before);
    });

    it('re-renders the form with 422 and field messages, then creates the member', async () => {
      const { agent, csrf, ip } = await signedInAgent(t, reviewerA.user.email);
      const before = await counted(users);
      const bad = await agent
        .post('/members/new')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, name: 'Võ Văn Mới', email: 'sai', password: 'ngắn', unitId: unit.a.id });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /Email không hợp lệ/);
      assert.match(bad.text, /Mật khẩu cần ít nhất 10 ký tự/);
      assert.match(bad.text, /value="Võ Văn Mới"/, 'what was typed stays');
      assert.equal(await counted(users), before);
      const taken = await agent.post('/members/new').set('X-Forwarded-For', ip).type('form').send({
        _csrf: csrf,
        name: 'Võ Văn Mới',
        email: reviewerB.user.email,
        password: 'mật khẩu ban đầu',
        unitId: unit.a.id,
      });
      assert.equal(taken.status, 422);
      assert.match(taken.text, /Email này đã có tài khoản/);
      const ok = await agent
        .post('/members/new')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({
          _csrf: csrf,
          name: 'Võ Văn Mới',
          email: uniqueEmail('moi'),
          password: 'mật khẩu ban đầu',
          unitId: unit.a.id,
        });
      assert.equal(ok.status, 303, ok.text);
      assert.equal(ok.headers.location, `/members?unitId=${unit.a.id}`);
      assert.equal(await counted(users), before + 1);
    });
  });

  describe('invitations', () => {
    it('lists a unit’s invitations by status and revokes an open one, whose link then stops working', async () => {
      const made = await request(t.app)
        .post('/api/v1/members/invitations')
        .set(reviewerA.auth)
        .send({ unitId: unit.a1.id, expiresInDays: 3 });
      assert.equal(made.status, 201, made.text);
      const token = new URL(made.body.url).pathname.split('/').pop()!;
      const list = await request(t.app).get('/api/v1/members/invitations?status=open').set(reviewerA.auth);
      const item = list.body.items.find((i: { id: string }) => i.id === made.body.id);
      assert.equal(item?.status, 'open');
      assert.equal(item?.unit.id, unit.a1.id);
      const sibling = await request(t.app).get('/api/v1/members/invitations').set(reviewerB.auth);
      assert.ok(!sibling.body.items.some((i: { id: string }) => i.id === made.body.id));

      const refused = await request(t.app)
        .delete(`/api/v1/members/invitations/${made.body.id}`)
        .set(reviewerB.auth);
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'out_of_scope');
      assert.equal((await request(t.app).get(`/join/${token}`)).status, 200, 'still open after a refusal');

      const revoked = await request(t.app)
        .delete(`/api/v1/members/invitations/${made.body.id}`)
        .set(reviewerA.auth);
      assert.equal(revoked.status, 200, revoked.text);
      assert.equal(revoked.body.status, 'revoked');
      const join = await request(t.app).get(`/join/${token}`);
      assert.equal(join.status, 409);
      assert.match(join.text, /Lời mời này đã bị thu hồi/);
      const again = await request(t.app)
        .delete(`/api/v1/members/invitations/${made.body.id}`)
        .set(reviewerA.auth);
      assert.equal(again.status, 409);
      assert.equal(again.body.error.code, 'invitation_not_open');
      const byStatus = await request(t.app)
        .get(`/api/v1/members/invitations?status=revoked&unitId=${unit.a1.id}`)
        .set(reviewerA.auth);
      assert.deepEqual(
        byStatus.body.items.map((i: { id: string }) => i.id),
        [made.body.id],
      );
    });

    it('tells used and expired invitations apart', async () => {
      const used = await t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: unit.a.id });
      const token = new URL(used.url).pathname.split('/').pop()!;
      await t.c.amplification.members.acceptInvitation(token, {
        name: 'Người Dùng Lời Mời',
        email: uniqueEmail('moi-dung'),
        password: 'mật khẩu của tôi',
      });
      const expired = await t.c.amplification.members.createInvitation(SYSTEM_ACTOR, { unitId: unit.a.id });
      await db()
        .update(memberInvitations)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(memberInvitations.id, expired.id));
      const list = await request(t.app)
        .get(`/api/v1/members/invitations?unitId=${unit.a.id}&limit=100`)
        .set(reviewerA.auth);
      const status = (id: string) => list.body.items.find((i: { id: string }) => i.id === id)?.status;
      assert.equal(status(used.id), 'used');
      assert.equal(status(expired.id), 'expired');
      const revoke = await request(t.app)
        .delete(`/api/v1/members/invitations/${used.id}`)
        .set(reviewerA.auth);
      assert.equal(revoke.status, 409);
    });

    it('makes a link with a QR code on the page, and re-renders a bad form with 422 and nothing made', async () => {
      const { agent, csrf, ip } = await signedInAgent(t, reviewerA.user.email);
      const before = await counted(memberInvitations);
      const bad = await agent
        .post('/members/invitations')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, unitId: '', expiresInDays: '500' });
      assert.equal(bad.status, 422);
      assert.match(bad.text, /Hãy chọn một đơn vị/);
      assert.match(bad.text, /Hiệu lực từ 1 đến 90 ngày/);
      assert.equal(await counted(memberInvitations), before);
      const ok = await agent
        .post('/members/invitations')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, unitId: unit.a.id, expiresInDays: '7' });
      assert.equal(ok.status, 200);
      assert.match(ok.text, /class="invitation-link" readonly value="http[^"]+\/join\/[A-Za-z0-9_-]+"/);
      assert.match(ok.text, /<svg role="img" aria-label="Mã QR/);
      assert.equal(await counted(memberInvitations), before + 1);
      const outside = await agent
        .post('/members/invitations')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, unitId: unit.b.id, expiresInDays: '7' });
      assert.equal(outside.status, 403);
      assert.equal(await counted(memberInvitations), before + 1);
    });
  });

  describe('share rules', () => {
    it('reads a unit’s own and inherited rules; a sibling’s reviewer gets 404', async () => {
      await t.c.amplification.feed.setRules(SYSTEM_ACTOR, unit.p.id, {
        dailyCap: 4,
        hoursFrom: 6,
        hoursTo: 22,
      });
      const res = await request(t.app).get(`/api/v1/units/${unit.a1.id}/share-rules`).set(reviewerA.auth);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.rules, null);
      assert.deepEqual(res.body.effective, {
        dailyCap: 4,
        hoursFrom: 6,
        hoursTo: 22,
        unit: { id: unit.p.id, name: unit.p.name },
      });
      const sibling = await request(t.app).get(`/api/v1/units/${unit.a.id}/share-rules`).set(reviewerB.auth);
      assert.equal(sibling.status, 404);
    });

    it('sets rules from the form, refusing bad hours with 422 and nothing changed', async () => {
      const { agent, csrf, ip } = await signedInAgent(t, admin.user.email);
      const rules = () => db().select().from(unitShareRules).where(eq(unitShareRules.unitId, unit.a.id));
      const before = await rules();
      for (const bad of [
        { dailyCap: '0', hoursFrom: '', hoursTo: '' },
        { dailyCap: '3', hoursFrom: '20', hoursTo: '8' },
        { dailyCap: '3', hoursFrom: '8', hoursTo: '' },
      ]) {
        const res = await agent
          .post('/members/rules')
          .set('X-Forwarded-For', ip)
          .type('form')
          .send({ _csrf: csrf, unitId: unit.a.id, ...bad });
        assert.equal(res.status, 422, JSON.stringify(bad));
        assert.match(res.text, /aria-invalid="true"/);
        assert.deepEqual(await rules(), before, 'nothing changed');
      }
      const ok = await agent
        .post('/members/rules')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, unitId: unit.a.id, dailyCap: '2', hoursFrom: '', hoursTo: '' });
      assert.equal(ok.status, 303);
      const [row] = await rules();
      assert.equal(row?.dailyCap, 2);
      assert.equal(row?.hoursFrom, null);
      const page = await agent.get(`/members/rules?unitId=${unit.a.id}`).set('X-Forwarded-For', ip);
      assert.match(page.text, /Tối đa 2 lượt chia sẻ mỗi người mỗi ngày/);
    });

    it('shows rules read-only to a reviewer, who cannot set them', async () => {
      const { agent, csrf, ip } = await signedInAgent(t, reviewerA.user.email);
      const page = await agent.get(`/members/rules?unitId=${unit.a.id}`).set('X-Forwarded-For', ip);
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.text, /name="dailyCap"/);
      assert.match(page.text, /Chỉ quản trị viên đặt được quy tắc chia sẻ/);
      const res = await agent
        .post('/members/rules')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, unitId: unit.a.id, dailyCap: '50', hoursFrom: '', hoursTo: '' });
      assert.equal(res.status, 403);
    });
  });

  it('has every text of every page in Vietnamese and English', async () => {
    const { agent, ip } = await signedInAgent(t, admin.user.email);
    const pages = [
      '/members',
      '/members/invitations',
      '/members/new',
      `/members/rules?unitId=${unit.a.id}`,
      `/members/participation?unitId=${unit.p.id}`,
    ];
    for (const [lang, word] of [
      ['vi', 'Thành viên'],
      ['en', 'Members'],
    ] as const) {
      for (const path of pages) {
        const res = await agent
          .get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)
          .set('X-Forwarded-For', ip);
        assert.equal(res.status, 200, `${path} in ${lang}`);
        assert.doesNotMatch(
          res.text,
          /member-admin\.(?!css|js)\w+/,
          `${path} in ${lang}: a key untranslated`,
        );
        assert.match(res.text, new RegExp(word));
      }
    }
  });

  describe('participation by unit', () => {
    it('shows each child unit’s figures and highlights the units where nobody shared, without ranking people', async () => {
      const { agent, ip } = await signedInAgent(t, admin.user.email);
      const page = await agent
        .get(`/members/participation?unitId=${unit.p.id}&days=all`)
        .set('X-Forwarded-For', ip);
      assert.equal(page.status, 200);
      const rowOf = (id: string) => new RegExp(`<tr data-unit-id="${id}"([^>]*)>`).exec(page.text)?.[1];
      assert.equal(rowOf(unit.a.id)?.trim(), '', 'A shared');
      assert.match(rowOf(unit.b.id) ?? '', /data-silent="true"/);
      assert.match(page.text, /Chưa ai chia sẻ/);
      assert.match(page.text, new RegExp(`data-unit-id="${unit.a.id}"[\\s\\S]*?data-shares="3"`));
      assert.doesNotMatch(page.text, new RegExp(listed.name), 'no person on the participation page');
      const { agent: b, ip: bip } = await signedInAgent(t, reviewerB.user.email);
      const outside = await b.get(`/members/participation?unitId=${unit.a.id}`).set('X-Forwarded-For', bip);
      assert.equal(outside.status, 404);
      const bad = await b.get('/members/participation?days=12').set('X-Forwarded-For', bip);
      assert.equal(bad.status, 422);
    });
  });
});
