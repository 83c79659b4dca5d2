// Members and amplification over HTTP, against real PostgreSQL and the mocks: consent and
// opt-out, invitations, the feed's targeting, sharing through the mock Share Dialog with the
// member's own tracked link, the daily cap, reach rolled up the unit tree, and the export.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import request from 'supertest';
import { auditLog, links, memberPushSubscriptions, memberShares } from '../../../server/db/schema.ts';
import { createMembersService, hashInvitationToken } from '../../../server/amplification/members.service.ts';
import { createMembersRepo } from '../../../server/amplification/members.repo.ts';
import { createSharesRepo } from '../../../server/amplification/shares.repo.ts';
import { csrfFrom, makeUser } from '../../support/app.ts';
import { mockFacebookPerson, startMembersHarness, type MembersHarness } from './members-harness.ts';

const PHONE_BROWSER =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1';

describe('members and amplification', function () {
  this.timeout(60_000);
  let h: MembersHarness;
  before(async () => {
    h = await startMembersHarness();
  });
  after(() => h.close());

  const api = () => request(h.t.app);

  describe('consent', () => {
    it('refuses the feed and sharing with 403 consent_required until the member consents', async () => {
      const unit = await h.unit('Công an phường Hải Châu');
      const post = await h.publishedPost([unit.id]);
      const m = await h.member(unit.id, { consent: false });
      const feed = await api().get('/api/v1/feed').set(m.auth);
      assert.equal(feed.status, 403);
      assert.equal(feed.body.error.code, 'consent_required');
      const intent = await api()
        .post(`/api/v1/feed/${post.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(intent.status, 403);
      assert.equal(intent.body.error.code, 'consent_required');

      const status = await api().get('/api/v1/me/consent').set(m.auth);
      assert.equal(status.status, 200);
      assert.equal(status.body.required, true);
      assert.match(status.body.text, /Nghị định 13\/2023\/NĐ-CP/);
      assert.match(status.body.text, /rút lại/i);
      const accepted = await api()
        .post('/api/v1/me/consent')
        .set(m.auth)
        .send({ accepted: true, version: status.body.version });
      assert.equal(accepted.status, 200);
      assert.equal(accepted.body.required, false);
      assert.ok(accepted.body.acceptedAt);
      const after = await api().get('/api/v1/feed').set(m.auth);
      assert.equal(after.status, 200);
      assert.ok(after.body.items.some((i: { postId: string }) => i.postId === post.id));
      const english = await api().get('/api/v1/me/consent?lang=en').set(m.auth).set('Cookie', 'loa_lang=en');
      assert.match(english.body.text, /Decree 13\/2023\/NĐ-CP/);

      const wrongVersion = await api()
        .post('/api/v1/me/consent')
        .set(m.auth)
        .send({ accepted: true, version: 99 });
      assert.equal(wrongVersion.status, 422);
      const entries = await h.t.c.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.actorId, m.user.id), eq(auditLog.action, 'member.consented')));
      assert.equal(entries.length, 1);
      assert.deepEqual(entries[0]?.details, { version: 1 });
    });

    it('asks again when the consent text gets a new version', async () => {
      const m = await h.member(null);
      assert.equal((await h.t.c.amplification.members.consentStatus(m.actor, 'vi')).required, false);
      const c = h.t.c;
      const v2 = createMembersService({
        db: c.database.db,
        repo: createMembersRepo(c.database.db),
        shares: createSharesRepo(c.database.db),
        users: c.repos.users,
        units: c.repos.units,
        registerMember: c.users.registerMember,
        audit: c.auditLog.record,
        notifications: c.notifications,
        consent: { version: 2, key: 'members.consent.v1' },
        translator: () => (key) => key,
        settings: { publicUrl: c.config.publicUrl },
        memberStates: c.amplification.memberStates,
      });
      const status = await v2.consentStatus(m.actor, 'vi');
      assert.equal(status.required, true);
      assert.equal(status.version, 2);
      await assert.rejects(v2.requireConsent(m.actor), { code: 'consent_required' });
      await v2.acceptConsent(m.actor, 2);
      assert.equal((await v2.consentStatus(m.actor, 'vi')).required, false);
      // …and the old text no longer counts.
      assert.equal((await c.amplification.members.consentStatus(m.actor, 'vi')).required, true);
    });

    it('opting out deletes the push subscriptions and stops the feed, keeping the audit trail', async () => {
      const unit = await h.unit('Công an xã Hòa Vang');
      const post = await h.publishedPost([unit.id]);
      const m = await h.member(unit.id);
      const sub = await api()
        .post('/api/v1/me/push-subscriptions')
        .set(m.auth)
        .send({
          endpoint: `https://push.example.vn/send/${randomUUID()}`,
          keys: {
            p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u',
            auth: 'tBHItJI5svbpez7KI4CCXg',
          },
        });
      assert.equal(sub.status, 201, JSON.stringify(sub.body));
      const shared = await api()
        .post(`/api/v1/feed/${post.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(shared.status, 201);

      const out = await api().delete('/api/v1/me/consent').set(m.auth);
      assert.equal(out.status, 200);
      assert.equal(out.body.pushSubscriptionsDeleted, 1);
      const subs = await h.t.c.database.db
        .select()
        .from(memberPushSubscriptions)
        .where(eq(memberPushSubscriptions.userId, m.user.id));
      assert.equal(subs.length, 0);
      assert.equal((await api().get('/api/v1/feed').set(m.auth)).body.error.code, 'consent_required');
      const trail = await h.t.c.database.db.select().from(auditLog).where(eq(auditLog.actorId, m.user.id));
      const actions = trail.map((e) => e.action);
      assert.ok(actions.includes('member.shared'));
      assert.ok(actions.includes('member.consent_withdrawn'));
    });
  });

  describe('invitations', () => {
    it('lets one person create a member account in the unit, once, before it expires', async () => {
      const unit = await h.unit('Công an phường Thanh Khê');
      const admin = await makeUser(h.t, 'admin');
      const made = await api()
        .post('/api/v1/members/invitations')
        .set(admin.auth)
        .send({ unitId: unit.id, role: 'member', expiresInDays: 3 });
      assert.equal(made.status, 201, JSON.stringify(made.body));
      const path = new URL(made.body.url as string).pathname;
      assert.ok(Math.abs(new Date(made.body.expiresAt).getTime() - Date.now() - 3 * 86_400_000) < 60_000);

      const agent = request.agent(h.t.app);
      const page = await agent.get(path);
      assert.equal(page.status, 200);
      assert.match(page.text, new RegExp(unit.name));
      const csrf = csrfFrom(page.text);
      const bad = await agent
        .post(path)
        .type('form')
        .send({ _csrf: csrf, name: 'Lê Văn Cường', email: 'x', password: 'short' });
      assert.equal(bad.status, 422);
      const email = `member-${randomUUID().slice(0, 6)}@example.vn`;
      const joined = await agent
        .post(path)
        .type('form')
        .send({ _csrf: csrf, name: 'Lê Văn Cường', email, password: 'mật khẩu thành viên' });
      assert.equal(joined.status, 303);
      assert.equal(joined.headers.location, '/members/consent');
      const user = await h.t.c.repos.users.findByEmail(email);
      assert.equal(user?.role, 'member');
      assert.equal(user?.unitId, unit.id);
      const consentPage = await agent.get('/members/consent');
      assert.equal(consentPage.status, 200);
      assert.match(consentPage.text, /Nghị định 13\/2023\/NĐ-CP/);

      const again = await request(h.t.app).get(path);
      assert.equal(again.status, 409);
      assert.match(again.text, /đã được dùng/);
    });

    it('refuses an expired invitation and a reviewer of another unit', async () => {
      const unit = await h.unit('Công an xã Hòa Bắc');
      const other = await h.unit('Công an xã Hòa Liên');
      const reviewer = await makeUser(h.t, 'reviewer', { unitId: other.id });
      const refused = await api()
        .post('/api/v1/members/invitations')
        .set(reviewer.auth)
        .send({ unitId: unit.id });
      assert.equal(refused.status, 403);
      const own = await api()
        .post('/api/v1/members/invitations')
        .set(reviewer.auth)
        .send({ unitId: other.id });
      assert.equal(own.status, 201);
      const made = await h.t.c.amplification.members.createInvitation(
        await h.t.c.auth.actorFor(reviewer.user, 'token', null),
        { unitId: other.id, expiresInDays: 1 },
      );
      const token = new URL(made.url).pathname.split('/').pop() ?? '';
      await h.t.c.database.db.execute(
        sql`UPDATE member_invitations SET expires_at = now() - interval '1 minute' WHERE token_hash = ${hashInvitationToken(token)}`,
      );
      const expired = await request(h.t.app).get(`/join/${token}`);
      assert.equal(expired.status, 409);
      assert.match(expired.text, /hết hạn/);
    });
  });

  describe('the share feed', () => {
    it('shows posts for the member’s unit and its ancestors, newest first, never a sibling’s', async () => {
      const province = await h.unit('Công an tỉnh Quảng Trị');
      const ward = await h.unit('Công an phường Đông Hà', province.id);
      const sibling = await h.unit('Công an phường Quảng Trị', province.id);
      const forProvince = await h.publishedPost([province.id]);
      const forSibling = await h.publishedPost([sibling.id]);
      const forWard = await h.publishedPost([ward.id]);
      const m = await h.member(ward.id);
      const res = await api().get('/api/v1/feed?limit=100').set(m.auth);
      assert.equal(res.status, 200);
      const ids = res.body.items.map((i: { postId: string }) => i.postId) as string[];
      assert.ok(ids.includes(forProvince.id));
      assert.ok(ids.includes(forWard.id));
      assert.ok(!ids.includes(forSibling.id), 'a sibling unit’s post stays out');
      assert.ok(ids.indexOf(forWard.id) < ids.indexOf(forProvince.id), 'newest first');
      const item = res.body.items.find((i: { postId: string }) => i.postId === forWard.id);
      assert.ok(
        item.suggestedCaptions.length >= 2 && item.suggestedCaptions.length <= 3,
        JSON.stringify(item.suggestedCaptions),
      );
      assert.ok(item.card?.url);
      assert.equal(item.publicUrl, `${h.url}/w/${forWard.slug}`);
      assert.deepEqual(
        item.shareLinks.map((l: { platform: string }) => l.platform),
        ['facebook', 'zalo', 'other'],
      );
      const siblingMember = await h.member(sibling.id);
      const theirs = await api().get('/api/v1/feed?limit=100').set(siblingMember.auth);
      const theirIds = theirs.body.items.map((i: { postId: string }) => i.postId) as string[];
      assert.ok(theirIds.includes(forSibling.id) && !theirIds.includes(forWard.id));
    });

    it('answers the API from kept fragments exactly as the page’s feed, and shows a new share at once', async () => {
      const unit = await h.unit('Công an xã Triệu Phong');
      const first = await h.publishedPost([unit.id]);
      const second = await h.publishedPost([unit.id]);
      const m = await h.member(unit.id);
      const before = await api().get('/api/v1/feed?limit=100').set(m.auth);
      assert.equal(before.status, 200);
      assert.match(String(before.headers['content-type']), /^application\/json/);
      // The serialised answer and the objects the feed page uses are the same feed.
      assert.deepEqual(before.body, await h.t.c.amplification.feed.feed(m.actor, { limit: 100 }));
      const item = (body: typeof before.body, id: string) => {
        const found = (
          body.items as { postId: string; shared: { platform: string }[]; shareLinks: unknown[] }[]
        ).find((i) => i.postId === id);
        assert.ok(found, `post ${id} in the feed`);
        return found;
      };
      assert.deepEqual(item(before.body, first.id).shared, []);
      // Another member's links are their own: nothing of the first member's is reused.
      const other = await h.member(unit.id);
      const theirs = await api().get('/api/v1/feed?limit=100').set(other.auth);
      assert.notDeepEqual(item(theirs.body, first.id).shareLinks, item(before.body, first.id).shareLinks);

      // Shared right after a feed was read (and remembered): the next feed shows it.
      const shared = await api()
        .post(`/api/v1/feed/${first.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(shared.status, 201);
      const after = await api().get('/api/v1/feed?limit=100').set(m.auth);
      assert.deepEqual(
        item(after.body, first.id).shared.map((s: { platform: string }) => s.platform),
        ['zalo'],
      );
      assert.deepEqual(item(after.body, second.id).shared, []);
      assert.deepEqual(after.body, await h.t.c.amplification.feed.feed(m.actor, { limit: 100 }));
      assert.deepEqual(item(after.body, first.id).shareLinks, item(before.body, first.id).shareLinks);
    });

    it('drops retracted posts and posts past notAfter; a superseded one points to its successor', async () => {
      const unit = await h.unit('Công an xã Cam Lộ');
      const m = await h.member(unit.id);
      const expired = await h.publishedPost([unit.id], { notAfter: new Date(Date.now() + 1500) });
      const retracted = await h.publishedPost([unit.id]);
      const old = await h.publishedPost([unit.id]);
      const successor = await h.publishedPost([unit.id]);
      const reviewer = await makeUser(h.t, 'admin');
      const r1 = await api()
        .post(`/api/v1/posts/${retracted.id}/retract`)
        .set(reviewer.auth)
        .send({ reason: 'Thông tin sai' });
      assert.equal(r1.status, 200, JSON.stringify(r1.body));
      const r2 = await api()
        .post(`/api/v1/posts/${old.id}/supersede`)
        .set(reviewer.auth)
        .send({ byPostId: successor.id, reason: 'Có số liệu mới' });
      assert.equal(r2.status, 200, JSON.stringify(r2.body));
      await new Promise((resolve) => setTimeout(resolve, 1600));
      const res = await api().get('/api/v1/feed?limit=100').set(m.auth);
      const byId = new Map(res.body.items.map((i: { postId: string }) => [i.postId, i]));
      assert.ok(!byId.has(expired.id), 'past notAfter');
      assert.ok(!byId.has(retracted.id), 'retracted');
      const superseded = byId.get(old.id) as {
        supersededBy: { postId: string; publicUrl: string };
        shareLinks: unknown[];
      };
      assert.equal(superseded.supersededBy.postId, successor.id);
      assert.equal(superseded.supersededBy.publicUrl, `${h.url}/w/${successor.slug}`);
      assert.deepEqual(superseded.shareLinks, []);
      assert.ok(byId.has(successor.id));
    });
  });

  describe('sharing', () => {
    async function openShare(m: { user: { email: string } }, url: string) {
      const { signedInAgent } = await import('../../support/app.ts');
      const { agent, ip } = await signedInAgent(h.t, m.user.email);
      return { agent, ip, res: await agent.get(new URL(url).pathname).set('X-Forwarded-For', ip) };
    }

    it('sends the member to the mock Share Dialog with their own tracked link, the same on a second visit', async () => {
      const unit = await h.unit('Công an phường Sơn Trà');
      const post = await h.publishedPost([unit.id]);
      const m = await h.member(unit.id);
      const feed = await api().get('/api/v1/feed').set(m.auth);
      const facebook = feed.body.items
        .find((i: { postId: string }) => i.postId === post.id)
        .shareLinks.find((l: { platform: string }) => l.platform === 'facebook');
      const { agent, ip, res } = await openShare(m, facebook.url);
      assert.equal(res.status, 302);
      const dialog = new URL(res.headers.location as string);
      assert.equal(dialog.origin, new URL(h.platforms.mock.facebook).origin);
      assert.equal(dialog.pathname, '/dialog/share');
      assert.equal(dialog.searchParams.get('app_id'), h.t.c.config.platforms.facebookAppId);
      const href = dialog.searchParams.get('href') ?? '';
      assert.match(href, new RegExp(`^${h.url}/l/m[A-Za-z0-9_-]+$`));
      assert.equal(dialog.searchParams.get('redirect_uri'), `${facebook.url}/done`);
      const [share] = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.userId, m.user.id));
      assert.equal(share?.status, 'opened');
      const [link] = await h.t.c.database.db
        .select()
        .from(links)
        .where(eq(links.code, href.split('/l/')[1] ?? ''));
      assert.equal(link?.shareId, share?.id);
      assert.equal(link?.postId, post.id);

      const second = await agent.get(new URL(facebook.url).pathname).set('X-Forwarded-For', ip);
      assert.equal(new URL(second.headers.location as string).searchParams.get('href'), href);
      const rows = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.userId, m.user.id));
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.opens, 2);

      // Nobody shares for someone else: another member cannot use this link.
      const other = await h.member(unit.id);
      const theirs = await openShare(other, facebook.url);
      assert.equal(theirs.res.status, 403);
    });

    it('records every open of a crowd opening their links at once: one row and link each, every open audited', async () => {
      const unit = await h.unit('Công an phường Thanh Khê');
      const post = await h.publishedPost([unit.id]);
      const crowd = await Promise.all(Array.from({ length: 30 }, () => h.member(unit.id)));
      const { feed } = h.t.c.amplification;
      const token = (userId: string) => feed.shareUrl(userId, post.id, 'facebook').split('/s/')[1] ?? '';
      // Each opens twice and also shares by Zalo, all in flight together, so the writes batch.
      const [opened] = await Promise.all([
        Promise.all(
          crowd.map((m) =>
            Promise.all([
              feed.openShareLink(m.actor, token(m.user.id)),
              feed.openShareLink(m.actor, token(m.user.id)),
            ]),
          ),
        ),
        Promise.all(crowd.map((m) => feed.shareIntent(m.actor, post.id, 'zalo'))),
      ]);
      assert.equal(opened.length, 30);
      const rows = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.postId, post.id));
      const facebook = rows.filter((r) => r.platform === 'facebook');
      const zalo = rows.filter((r) => r.platform === 'zalo');
      assert.equal(facebook.length, 30);
      assert.equal(zalo.length, 30);
      assert.ok(facebook.every((r) => r.opens === 2 && r.status === 'opened'));
      assert.ok(zalo.every((r) => r.opens === 1 && r.status === 'shared'));
      const codes = new Set(rows.map((r) => r.linkCode));
      assert.equal(codes.size, 60);
      const made = await h.t.c.database.db.select().from(links).where(eq(links.postId, post.id));
      assert.deepEqual(new Set(made.map((l) => l.code)), codes);
      assert.ok(made.every((l) => rows.some((r) => r.id === l.shareId && r.linkCode === l.code)));
      // Both opens of one link answer the same tracked link.
      for (const [first, second] of opened) assert.equal(first.linkUrl, second.linkUrl);
      const audited = await h.t.c.database.db
        .select()
        .from(auditLog)
        .where(
          and(
            eq(auditLog.targetId, post.id),
            sql`${auditLog.action} in ('member.share_opened', 'member.shared')`,
          ),
        );
      assert.equal(audited.filter((a) => a.action === 'member.share_opened').length, 60);
      assert.equal(audited.filter((a) => a.action === 'member.shared').length, 30);
      for (const row of facebook) {
        const counts = audited
          .filter((a) => (a.details as { shareId?: string }).shareId === row.id)
          .map((a) => (a.details as { opens: number }).opens)
          .sort();
        assert.deepEqual(counts, [1, 2]);
      }
    });

    it('records shared after the dialog’s Post and cancelled after Cancel; the mock’s ledger matches', async () => {
      const unit = await h.unit('Công an phường Ngũ Hành Sơn');
      const [p1, p2] = [await h.publishedPost([unit.id]), await h.publishedPost([unit.id])];
      const m = await h.member(unit.id);
      const person = await mockFacebookPerson(h, 'Trần Thị Thành Viên');
      const feed = await api().get('/api/v1/feed').set(m.auth);
      const urlFor = (postId: string) =>
        feed.body.items
          .find((i: { postId: string }) => i.postId === postId)
          .shareLinks.find((l: { platform: string }) => l.platform === 'facebook').url as string;

      for (const [post, action] of [
        [p1, 'post'],
        [p2, 'cancel'],
      ] as const) {
        const { agent, ip, res } = await openShare(m, urlFor(post.id));
        const dialogUrl = res.headers.location as string;
        const dialog = await fetch(dialogUrl, { headers: { cookie: person.cookie } });
        assert.equal(dialog.status, 200);
        const html = await dialog.text();
        assert.match(
          html,
          /<textarea id="message" name="message"><\/textarea>/,
          'the message box starts empty',
        );
        assert.match(html, new RegExp(post.title.slice(0, 30)), 'the link preview shows the warning');
        const params = new URL(dialogUrl).searchParams;
        const form = new URLSearchParams({
          app_id: params.get('app_id') ?? '',
          href: params.get('href') ?? '',
          redirect_uri: params.get('redirect_uri') ?? '',
          display: 'page',
          message: action === 'post' ? 'Cả nhà cẩn thận nhé!' : '',
          action,
        });
        const posted = await fetch(new URL('/dialog/share', dialogUrl), {
          method: 'POST',
          headers: { cookie: person.cookie, 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          redirect: 'manual',
        });
        assert.equal(posted.status, 302);
        const back = new URL(posted.headers.get('location') ?? '');
        assert.equal(back.hash, '#_=_');
        if (action === 'cancel') assert.equal(back.searchParams.get('error_code'), '4201');
        const done = await agent.get(`${back.pathname}${back.search}`).set('X-Forwarded-For', ip);
        assert.equal(done.status, 303);
        assert.equal(done.headers.location, `/feed#post-${post.id}`);
      }
      const rows = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.userId, m.user.id));
      const status = new Map(rows.map((r) => [r.postId, r]));
      assert.equal(status.get(p1.id)?.status, 'shared');
      assert.equal(status.get(p2.id)?.status, 'cancelled');
      const ledger = (await (
        await fetch(`${h.platforms.mock.facebook}/_mock/shares?user_id=${person.id}`)
      ).json()) as {
        items: { link: string; message: string | null }[];
      };
      const sharedLinks = rows
        .filter((r) => r.status === 'shared')
        .map((r) => `${h.url}/l/${r.linkCode}`)
        .sort();
      assert.deepEqual(ledger.items.map((i) => i.link).sort(), sharedLinks);
      assert.equal(ledger.items[0]?.message, 'Cả nhà cẩn thận nhé!');
      const mine = await api().get('/api/v1/me/shares').set(m.auth);
      assert.equal(mine.body.items.filter((s: { status: string }) => s.status === 'shared').length, 1);
      const feedAfter = await api().get('/api/v1/feed').set(m.auth);
      const item = feedAfter.body.items.find((i: { postId: string }) => i.postId === p1.id);
      assert.deepEqual(
        item.shared.map((s: { platform: string }) => s.platform),
        ['facebook'],
      );
      const audit = await h.t.c.database.db.select().from(auditLog).where(eq(auditLog.actorId, m.user.id));
      const actions = audit.map((a) => a.action);
      assert.equal(actions.filter((a) => a === 'member.share_opened').length, 2);
      assert.equal(actions.filter((a) => a === 'member.shared').length, 1);
      assert.equal(actions.filter((a) => a === 'member.share_cancelled').length, 1);
    });

    it('refuses past the unit’s daily cap and outside share hours, recording nothing', async () => {
      const unit = await h.unit('Công an xã Hòa Phong');
      const ward = await h.unit('Tổ dân phố 3', unit.id);
      const posts = [
        await h.publishedPost([unit.id]),
        await h.publishedPost([unit.id]),
        await h.publishedPost([unit.id]),
      ];
      const admin = await makeUser(h.t, 'admin');
      const set = await api()
        .patch(`/api/v1/units/${unit.id}/share-rules`)
        .set(admin.auth)
        .send({ dailyCap: 2, hoursFrom: null, hoursTo: null });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      const m = await h.member(ward.id);
      for (const post of posts.slice(0, 2)) {
        const ok = await api()
          .post(`/api/v1/feed/${post.id}/share-intent`)
          .set(m.auth)
          .send({ platform: 'zalo' });
        assert.equal(ok.status, 201);
      }
      const refused = await api()
        .post(`/api/v1/feed/${posts[2]!.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(refused.status, 429);
      assert.equal(refused.body.error.code, 'share_cap_reached');
      assert.match(refused.body.error.message, /2 shares a day/);
      // The same share again is not a new one.
      const repeat = await api()
        .post(`/api/v1/feed/${posts[0]!.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(repeat.status, 201);
      const rows = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.userId, m.user.id));
      assert.equal(rows.length, 2);

      const hour = Number(
        new Intl.DateTimeFormat('en-GB', {
          timeZone: h.t.c.config.timeZone,
          hour: '2-digit',
          hourCycle: 'h23',
        }).format(new Date()),
      );
      const closed =
        hour >= 12 ? { hoursFrom: 0, hoursTo: Math.max(1, hour) } : { hoursFrom: hour + 1, hoursTo: 24 };
      await api()
        .patch(`/api/v1/units/${unit.id}/share-rules`)
        .set(admin.auth)
        .send({ dailyCap: null, ...closed });
      const other = await h.member(ward.id);
      const outside = await api()
        .post(`/api/v1/feed/${posts[2]!.id}/share-intent`)
        .set(other.auth)
        .send({ platform: 'other' });
      assert.equal(outside.status, 409);
      assert.equal(outside.body.error.code, 'outside_share_hours');
      const none = await h.t.c.database.db
        .select()
        .from(memberShares)
        .where(eq(memberShares.userId, other.user.id));
      assert.equal(none.length, 0);
    });
  });

  describe('reach', () => {
    it('counts people’s clicks for the member, their unit and every ancestor, never a bot’s', async () => {
      const province = await h.unit('Công an tỉnh Thừa Thiên');
      const commune = await h.unit('Công an xã Phú Vang', province.id);
      const hamlet = await h.unit('Thôn Phú Lương', commune.id);
      const quiet = await h.unit('Công an xã Phú Lộc', province.id);
      const post = await h.publishedPost([province.id]);
      const m = await h.member(hamlet.id, { name: 'Phan Văn Được' });
      await h.member(quiet.id);
      const shared = await api()
        .post(`/api/v1/feed/${post.id}/share-intent`)
        .set(m.auth)
        .send({ platform: 'zalo' });
      assert.equal(shared.status, 201);
      const path = new URL(shared.body.url as string).pathname;
      for (const ip of ['10.9.0.1', '10.9.0.2', '10.9.0.2']) {
        const click = await api().get(path).set('User-Agent', PHONE_BROWSER).set('X-Forwarded-For', ip);
        assert.equal(click.status, 302);
      }
      for (const bot of [
        'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
        'Zalo-Link-Preview/1.0',
        'Googlebot/2.1',
      ]) {
        await api().get(path).set('User-Agent', bot);
      }
      const mine = await api().get('/api/v1/me/shares').set(m.auth);
      assert.equal(mine.body.items[0].clicks, 3);
      assert.equal(mine.body.items[0].uniqueVisitors, 2);
      const code = path.split('/l/')[1] ?? '';
      assert.equal((await h.t.c.links.stats(code))?.botClicks, 3);

      const admin = await makeUser(h.t, 'admin');
      const top = await api().get(`/api/v1/stats/units?unitId=${province.id}`).set(admin.auth);
      assert.equal(top.status, 200, JSON.stringify(top.body));
      const communeRow = top.body.items.find((i: { unitId: string }) => i.unitId === commune.id);
      assert.deepEqual(
        {
          shares: communeRow.shares,
          clicks: communeRow.clicks,
          members: communeRow.members,
          active: communeRow.activeMembers,
        },
        { shares: 1, clicks: 3, members: 1, active: 1 },
      );
      assert.equal(communeRow.clicksPerShare, 3);
      assert.equal(typeof communeRow.firstShareMinutesP50, 'number');
      assert.deepEqual(
        top.body.unitsWithoutShares.map((u: { unitId: string }) => u.unitId),
        [quiet.id],
      );
      assert.equal(top.body.source, 'loa');
      const down = await api().get(`/api/v1/stats/units?unitId=${commune.id}`).set(admin.auth);
      assert.equal(down.body.items[0].unitId, hamlet.id);
      assert.equal(down.body.items[0].clicks, 3);
      const parents = await api().get('/api/v1/stats/units').set(admin.auth);
      const provinceRow = parents.body.items.find((i: { unitId: string }) => i.unitId === province.id);
      assert.equal(provinceRow.clicks, 3);

      const unlisted = await api().get(`/api/v1/stats/members?unitId=${province.id}`).set(admin.auth);
      assert.equal(unlisted.body.items.length, 0, 'nobody by name without their agreement');
      assert.equal(
        unlisted.body.unlisted.find((u: { unit: { id: string } }) => u.unit.id === hamlet.id).clicks,
        3,
      );
      const agree = await api()
        .patch('/api/v1/me')
        .set(m.auth)
        .send({ listedInStats: true, digest: 'daily' });
      assert.equal(agree.status, 200, JSON.stringify(agree.body));
      assert.equal(agree.body.member.listedInStats, true);
      const listed = await api().get(`/api/v1/stats/members?unitId=${province.id}`).set(admin.auth);
      assert.deepEqual(
        listed.body.items.map((i: { name: string; clicks: number; shares: number }) => [
          i.name,
          i.shares,
          i.clicks,
        ]),
        [['Phan Văn Được', 1, 3]],
      );
      const outsider = await makeUser(h.t, 'reviewer', { unitId: quiet.id });
      assert.equal(
        (await api().get(`/api/v1/stats/units?unitId=${province.id}`).set(outsider.auth)).status,
        404,
      );
    });
  });

  describe('export', () => {
    it('contains the member’s own data and nobody else’s', async () => {
      const unit = await h.unit('Công an phường Liên Chiểu');
      const post = await h.publishedPost([unit.id]);
      const me = await h.member(unit.id, { name: 'Võ Thị Xuất' });
      const someone = await h.member(unit.id, { name: 'Đặng Văn Khác' });
      for (const m of [me, someone]) {
        await api().post(`/api/v1/feed/${post.id}/share-intent`).set(m.auth).send({ platform: 'other' });
      }
      const res = await api().get('/api/v1/me/export').set(me.auth);
      assert.equal(res.status, 200);
      assert.equal(res.body.user.id, me.user.id);
      assert.equal(res.body.user.unit.id, unit.id);
      assert.equal(res.body.consents.length, 1);
      assert.equal(res.body.shares.length, 1);
      assert.equal(res.body.shares[0].postId, post.id);
      const text = JSON.stringify(res.body);
      assert.ok(
        !text.includes(someone.user.id) &&
          !text.includes(someone.user.email) &&
          !text.includes('Đặng Văn Khác'),
      );
    });
  });
});
