// Units as organisations (issue 11): a unit's profile fills the template variables declaring
// `from`, the tree refuses cycles and deleting a unit still in use, and a province's warning is
// handed down to its communes as one draft each, re-filled from each commune's profile; a second
// cascade adds none; retracting the parent takes the children with it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { and, eq, inArray } from 'drizzle-orm';
import request from 'supertest';
import { auditLog, channels, notifications, posts } from '../../../server/db/schema.ts';
import { makeUser, signedInAgent } from '../../support/app.ts';
import { waitFor } from '../../support/processes.ts';
import { tinyPng } from '../publishing/harness.ts';
import { startRetractionHarness, type RetractionHarness } from '../retraction/retraction-harness.ts';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

describe('units and cascade', function () {
  this.timeout(90_000);
  let r: RetractionHarness;
  const app = () => r.h.t.app;
  const db = () => r.h.t.c.database.db;

  before(async () => {
    r = await startRetractionHarness();
  });
  after(async () => {
    await r?.close();
  });

  async function unit(name: string, parentId: string | null, profile: Record<string, string> = {}) {
    const res = await request(app())
      .post('/api/v1/units')
      .set(r.admin.auth)
      .send({ name: `${name} ${randomUUID().slice(0, 6)}`, ...(parentId && { parentId }), profile });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; name: string; profile: Record<string, string | null> };
  }

  /** A Page and an OA on the mocks, belonging to the unit. */
  async function unitChannels(unitId: string, name: string) {
    const [fb, zalo] = await Promise.all([r.h.channel('facebook', name), r.h.channel('zalo', `${name} OA`)]);
    await db()
      .update(channels)
      .set({ unitId })
      .where(inArray(channels.id, [fb.row.id, zalo.row.id]));
    return { facebook: fb.row, zalo: zalo.row };
  }

  const templateVariables = { date: '2026-12-01' };

  it('fills `from` variables from the unit profile, and an explicit value wins', async () => {
    const commune = await unit('Công an xã Điện Bàn', null, {
      hotline: '0235 3822 111',
      area: 'xã Điện Bàn',
    });
    const other = await unit('Công an phường Hội An', null, {
      hotline: '0235 3861 222',
      area: 'phường Hội An',
    });
    const editor = await makeUser(r.h.t, 'editor', { unitId: commune.id });

    const own = await request(app())
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(editor.auth)
      .send({ variables: templateVariables, withCard: false });
    assert.equal(own.status, 200, JSON.stringify(own.body));
    assert.match(own.body.text, new RegExp(commune.name));
    assert.match(own.body.text, /0235 3822 111/);
    assert.match(own.body.text, /người dân xã Điện Bàn/);

    const chosen = await request(app())
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(editor.auth)
      .send({ variables: templateVariables, unitId: other.id, withCard: false });
    assert.equal(chosen.status, 200);
    assert.match(chosen.body.text, /0235 3861 222/);
    assert.match(chosen.body.text, /người dân phường Hội An/);

    const explicit = await request(app())
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(editor.auth)
      .send({
        variables: { ...templateVariables, hotline: '0909 123 456', area: 'thôn 3' },
        withCard: false,
      });
    assert.equal(explicit.status, 200);
    assert.match(explicit.body.text, /0909 123 456/);
    assert.doesNotMatch(explicit.body.text, /0235 3822 111/);
    assert.match(explicit.body.text, /người dân thôn 3/);

    // A post stores the values its unit filled in, so the composer shows them when editing.
    const post = await request(app())
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        templateId: 'dau-tu-tien-ao',
        variables: templateVariables,
        channelIds: [],
        scheduledAt: inHours(24),
      });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    assert.equal(post.body.variables.hotline, '0235 3822 111');
    assert.equal(post.body.variables.unitName, commune.name);

    // The composer pre-fills them, and says where they come from.
    const composer = await signedInAgent(r.h.t, editor.user.email);
    const form = await composer.agent
      .get('/compose?templateId=dau-tu-tien-ao')
      .set('X-Forwarded-For', composer.ip);
    assert.equal(form.status, 200);
    assert.match(form.text, /name="v\.hotline" value="0235 3822 111"/);
    assert.match(form.text, /name="v\.area" value="xã Điện Bàn"/);
    assert.match(form.text, /Điền sẵn từ hồ sơ đơn vị/);

    // Nothing to fill from (no unit): the required variables are named.
    const none = await request(app())
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(r.editor.auth)
      .send({ variables: templateVariables, withCard: false });
    assert.equal(none.status, 422);
    const paths = (none.body.error.details as { path: string }[]).map((d) => d.path).sort();
    assert.deepEqual(paths, ['variables.area', 'variables.hotline', 'variables.unitName']);

    const listed = await request(app()).get('/api/v1/templates/dau-tu-tien-ao').set(editor.auth);
    const hotline = (listed.body.variables as { name: string; from: string | null }[]).find(
      (v) => v.name === 'hotline',
    );
    assert.equal(hotline?.from, 'unit.hotline');
  });

  it('edits a profile and a logo, refuses a cycle (422) and deleting a unit in use (409)', async () => {
    const province = await unit('Công an tỉnh Thử', null);
    const commune = await unit('Công an xã Thử', province.id);
    const team = await unit('Tổ công tác', commune.id);

    const patched = await request(app())
      .patch(`/api/v1/units/${commune.id}`)
      .set(r.admin.auth)
      .send({
        profile: { shortName: 'CAX Thử', hotline: '0235 3000 000', website: 'https://xa-thu.gov.vn' },
      });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.equal(patched.body.profile.shortName, 'CAX Thử');
    assert.equal(patched.body.profile.area, null);
    const cleared = await request(app())
      .patch(`/api/v1/units/${commune.id}`)
      .set(r.admin.auth)
      .send({ profile: { shortName: null } });
    assert.equal(cleared.body.profile.shortName, null);
    assert.equal(cleared.body.profile.hotline, '0235 3000 000');
    const badPhone = await request(app())
      .patch(`/api/v1/units/${commune.id}`)
      .set(r.admin.auth)
      .send({ profile: { hotline: 'gọi ngay' } });
    assert.equal(badPhone.status, 422);
    assert.equal(badPhone.body.error.details[0].path, 'profile.hotline');

    // A reviewer of the province may edit the commune's profile, not move it; a sibling's may not.
    const provinceReviewer = await makeUser(r.h.t, 'reviewer', { unitId: province.id });
    const outsider = await makeUser(r.h.t, 'reviewer', { unitId: (await unit('Tỉnh khác', null)).id });
    const byReviewer = await request(app())
      .patch(`/api/v1/units/${commune.id}`)
      .set(provinceReviewer.auth)
      .send({ profile: { area: 'xã Thử' } });
    assert.equal(byReviewer.status, 200);
    assert.equal(
      (
        await request(app())
          .patch(`/api/v1/units/${commune.id}`)
          .set(provinceReviewer.auth)
          .send({ name: 'X' })
      ).status,
      403,
    );
    assert.equal(
      (
        await request(app())
          .patch(`/api/v1/units/${commune.id}`)
          .set(outsider.auth)
          .send({ profile: { area: 'y' } })
      ).status,
      403,
    );

    const logo = await request(app())
      .post('/api/v1/media')
      .set(r.admin.auth)
      .attach('file', tinyPng, 'logo.png');
    assert.equal(logo.status, 201, JSON.stringify(logo.body));
    const withLogo = await request(app())
      .put(`/api/v1/units/${commune.id}/logo`)
      .set(r.admin.auth)
      .send({ mediaId: logo.body.id });
    assert.equal(withLogo.status, 200);
    assert.equal(withLogo.body.logo.mediaId, logo.body.id);
    assert.equal(
      (await request(app()).get(`/api/v1/units/${commune.id}`).set(r.editor.auth)).body.logo.mediaId,
      logo.body.id,
    );

    // The unit's logo is drawn on its cards: the same card without it is another image.
    const render = () =>
      request(app())
        .post('/api/v1/templates/dau-tu-tien-ao/render')
        .set(r.admin.auth)
        .send({ variables: { ...templateVariables, area: 'xã Thử' }, unitId: commune.id, withCard: true });
    const withLogoCard = await render();
    assert.equal(withLogoCard.status, 200, JSON.stringify(withLogoCard.body));
    await request(app())
      .put(`/api/v1/units/${commune.id}/logo`)
      .set(r.admin.auth)
      .send({ mediaId: null })
      .expect(200);
    const plainCard = await render();
    assert.notEqual(withLogoCard.body.card.url, plainCard.body.card.url);
    assert.match(plainCard.body.card.altText, /0235 3000 000/);

    // Cycles: under itself, under its own child, under its grandchild.
    for (const parentId of [province.id, commune.id, team.id]) {
      const res = await request(app())
        .patch(`/api/v1/units/${province.id}`)
        .set(r.admin.auth)
        .send({ parentId });
      assert.equal(res.status, 422, `province under ${parentId}`);
      assert.equal(res.body.error.details[0].path, 'parentId');
    }
    const moved = await request(app())
      .patch(`/api/v1/units/${team.id}`)
      .set(r.admin.auth)
      .send({ parentId: province.id });
    assert.equal(moved.status, 200);
    assert.equal(moved.body.parentId, province.id);

    // Deleting: 409 naming what holds it.
    const held = await request(app()).delete(`/api/v1/units/${province.id}`).set(r.admin.auth);
    assert.equal(held.status, 409);
    assert.equal(held.body.error.code, 'unit_in_use');
    assert.equal(held.body.error.details.units, 2);
    assert.equal(held.body.error.details.users, 1);
    assert.match(held.body.error.message, /người dùng/);
    await makeUser(r.h.t, 'editor', { unitId: team.id });
    const byUser = await request(app()).delete(`/api/v1/units/${team.id}`).set(r.admin.auth);
    assert.equal(byUser.status, 409);
    assert.equal(byUser.body.error.details.users, 1);
    const ch = await unitChannels(commune.id, 'Trang xã Thử');
    const byChannel = await request(app()).delete(`/api/v1/units/${commune.id}`).set(r.admin.auth);
    assert.equal(byChannel.status, 409);
    assert.equal(byChannel.body.error.details.channels, 2);
    await db()
      .update(channels)
      .set({ unitId: null })
      .where(inArray(channels.id, [ch.facebook.id, ch.zalo.id]));

    const empty = await unit('Đơn vị trống', province.id);
    assert.equal((await request(app()).delete(`/api/v1/units/${empty.id}`).set(r.admin.auth)).status, 204);
    assert.equal((await request(app()).get(`/api/v1/units/${empty.id}`).set(r.admin.auth)).status, 404);
  });

  it('edits units from the units page: profile, 422 with field messages, 409 on delete', async () => {
    const { agent, csrf, ip } = await signedInAgent(r.h.t, r.admin.user.email);
    const name = `Công an tỉnh Trang ${randomUUID().slice(0, 6)}`;
    const created = await agent
      .post('/admin/units')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, name, parentId: '', hotline: '0235 3111 222', area: 'tỉnh Trang' });
    assert.equal(created.status, 303);
    const [row] = (await r.h.t.c.users.listAllUnits()).filter((u) => u.name === name);
    assert.ok(row);
    assert.equal(row.profile.hotline, '0235 3111 222');
    const list = await agent.get('/admin/units').set('X-Forwarded-For', ip);
    assert.match(list.text, new RegExp(`href="/admin/units/${row.id}"`));
    assert.match(list.text, /xã \/ phường \/ đặc khu/);

    const page = await agent.get(`/admin/units/${row.id}`).set('X-Forwarded-For', ip);
    assert.equal(page.status, 200);
    assert.match(page.text, /name="hotline" value="0235 3111 222"/);
    const bad = await agent
      .post(`/admin/units/${row.id}`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, name, parentId: '', hotline: 'không có', website: 'trang-web' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /id="hotline-error"/);
    assert.match(bad.text, /id="website-error"/);
    const child = await unit('Công an xã Trang', row.id);
    const cycle = await agent
      .post(`/admin/units/${row.id}`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, name, parentId: child.id, hotline: '0235 3111 222' });
    assert.equal(cycle.status, 422);
    assert.match(cycle.text, /id="parentId-error"/);
    const saved = await agent
      .post(`/admin/units/${row.id}`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf, name, parentId: '', hotline: '0235 3111 333', shortName: 'CAT Trang' });
    assert.equal(saved.status, 303);
    assert.equal((await r.h.t.c.units.get(row.id)).profile.shortName, 'CAT Trang');

    const refused = await agent
      .post(`/admin/units/${row.id}/delete`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf });
    assert.equal(refused.status, 303);
    const after = await agent.get(`/admin/units/${row.id}`).set('X-Forwarded-For', ip);
    assert.match(after.text, /đơn vị cấp dưới/);
    assert.ok(await r.h.t.c.units.get(row.id));
  });

  /** A province with three communes (two with a Page and an OA each), and its people. */
  async function province() {
    const p = await unit('Công an tỉnh Quảng Nam', null, {
      hotline: '0235 3822 123',
      area: 'tỉnh Quảng Nam',
    });
    const communes = await Promise.all([
      unit('Công an xã Duy Phước', p.id, { hotline: '0235 3777 001', area: 'xã Duy Phước' }),
      unit('Công an phường Hội An Tây', p.id, { hotline: '0235 3777 002', area: 'phường Hội An Tây' }),
      unit('Công an đặc khu Tân Hiệp', p.id, { hotline: '0235 3777 003', area: 'đặc khu Tân Hiệp' }),
    ]);
    const [c1, c2, c3] = communes as [(typeof communes)[0], (typeof communes)[0], (typeof communes)[0]];
    const ch1 = await unitChannels(c1.id, 'Công an xã Duy Phước');
    const ch2 = await unitChannels(c2.id, 'Công an phường Hội An Tây');
    const own = await unitChannels(p.id, 'Công an tỉnh Quảng Nam');
    const [editor, reviewer, admin, c1Editor, c1Reviewer] = await Promise.all([
      makeUser(r.h.t, 'editor', { unitId: p.id }),
      makeUser(r.h.t, 'reviewer', { unitId: p.id }),
      makeUser(r.h.t, 'admin', { unitId: p.id }),
      makeUser(r.h.t, 'editor', { unitId: c1.id }),
      makeUser(r.h.t, 'reviewer', { unitId: c1.id }),
    ]);
    return { p, c1, c2, c3, ch1, ch2, own, editor, reviewer, admin, c1Editor, c1Reviewer };
  }

  it('hands an approved post down: one draft per child unit with its hotline in the text and on the card; again: none', async () => {
    const s = await province();
    const draft = await request(app())
      .post('/api/v1/posts')
      .set(s.editor.auth)
      .send({
        templateId: 'dau-tu-tien-ao',
        variables: templateVariables,
        withCard: true,
        channelIds: [s.own.facebook.id],
        scheduledAt: inHours(24),
      });
    assert.equal(draft.status, 201, JSON.stringify(draft.body));
    assert.match(draft.body.text, /0235 3822 123/);
    const parentId = draft.body.id as string;

    const early = await request(app())
      .post(`/api/v1/posts/${parentId}/cascade`)
      .set(s.reviewer.auth)
      .send({});
    assert.equal(early.status, 409, 'a draft is not handed down');
    await request(app()).post(`/api/v1/posts/${parentId}/submit`).set(s.editor.auth).expect(200);
    await request(app()).post(`/api/v1/posts/${parentId}/approve`).set(s.reviewer.auth).send({}).expect(200);

    // Only a reviewer or admin of the post's unit (or above it).
    assert.equal(
      (await request(app()).post(`/api/v1/posts/${parentId}/cascade`).set(s.editor.auth).send({})).status,
      403,
    );
    assert.equal(
      (await request(app()).post(`/api/v1/posts/${parentId}/cascade`).set(s.c1Reviewer.auth).send({})).status,
      403,
    );

    const res = await request(app()).post(`/api/v1/posts/${parentId}/cascade`).set(s.reviewer.auth).send({});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const items = res.body.items as { unitId: string; postId: string }[];
    assert.deepEqual(
      items.map((i) => i.unitId).sort(),
      [s.c1.id, s.c2.id].sort(),
      'every child unit with an active channel',
    );

    const children = await db().select().from(posts).where(eq(posts.parentPostId, parentId));
    assert.equal(children.length, 2);
    const cardFiles = new Set<string>();
    for (const [communeUnit, chans, hotline] of [
      [s.c1, s.ch1, '0235 3777 001'],
      [s.c2, s.ch2, '0235 3777 002'],
    ] as const) {
      const child = children.find((c) => c.unitId === communeUnit.id)!;
      assert.equal(child.status, 'draft');
      assert.deepEqual([...child.channelIds].sort(), [chans.facebook.id, chans.zalo.id].sort());
      assert.ok(child.text.includes(hotline), `${communeUnit.name}'s hotline in the text`);
      assert.ok(child.text.includes(communeUnit.name), `${communeUnit.name}'s name in the text`);
      assert.ok(!child.text.includes('0235 3822 123'), 'not the province hotline');
      assert.equal(child.variables.hotline, hotline);
      assert.ok(child.card, 'the child post has its own card');
      assert.ok(
        child.card.altText.includes(hotline),
        `${communeUnit.name}'s hotline on the card: ${child.card.altText}`,
      );
      cardFiles.add(child.card.file);
      const detail = await request(app()).get(`/api/v1/posts/${child.id}`).set(s.reviewer.auth);
      assert.equal(detail.status, 200, JSON.stringify(detail.body));
      assert.equal(detail.body.parentPostId, parentId);
      assert.equal(detail.body.unitId, communeUnit.id);
    }
    assert.equal(cardFiles.size, 2, 'two different cards');

    // The commune's editors are told.
    const told = await db()
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, s.c1Editor.user.id), eq(notifications.kind, 'cascade_received')));
    assert.equal(told.length, 1);
    assert.equal(told[0]!.link, `/posts/${children.find((c) => c.unitId === s.c1.id)!.id}`);

    const parent = await request(app()).get(`/api/v1/posts/${parentId}`).set(s.reviewer.auth);
    assert.equal(parent.body.parentPostId, null);
    assert.deepEqual(
      (parent.body.cascade as { unitId: string; status: string }[]).map((c) => [c.unitId, c.status]).sort(),
      [
        [s.c1.id, 'draft'],
        [s.c2.id, 'draft'],
      ].sort(),
    );

    const again = await request(app()).post(`/api/v1/posts/${parentId}/cascade`).set(s.admin.auth).send({});
    assert.equal(again.status, 201);
    assert.deepEqual(again.body.items, []);
    assert.equal(again.body.skipped.length, 2);
    assert.equal((await db().select().from(posts).where(eq(posts.parentPostId, parentId))).length, 2);

    // A chosen unit without channels gets its draft too; one that is not a child unit is refused.
    const chosen = await request(app())
      .post(`/api/v1/posts/${parentId}/cascade`)
      .set(s.reviewer.auth)
      .send({ unitIds: [s.c3.id, s.c1.id] });
    assert.equal(chosen.status, 201);
    assert.deepEqual(
      chosen.body.items.map((i: { unitId: string }) => i.unitId),
      [s.c3.id],
    );
    assert.deepEqual(
      chosen.body.skipped.map((i: { unitId: string }) => i.unitId),
      [s.c1.id],
    );
    const foreign = await request(app())
      .post(`/api/v1/posts/${parentId}/cascade`)
      .set(s.reviewer.auth)
      .send({ unitIds: [s.p.id] });
    assert.equal(foreign.status, 422);
    assert.equal(foreign.body.error.details[0].path, 'unitIds.0');

    const audited = await db()
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'post.cascaded'), eq(auditLog.targetId, parentId)));
    assert.equal(audited.length, 2, 'one entry per cascade that created drafts');

    // The post page shows the table of child units with their status.
    const page = await signedInAgent(r.h.t, s.reviewer.user.email);
    const html = await page.agent.get(`/posts/${parentId}`).set('X-Forwarded-For', page.ip);
    assert.equal(html.status, 200);
    assert.match(html.text, new RegExp(`data-unit="${s.c1.id}" data-status="draft"`));
    assert.match(html.text, new RegExp(`data-unit="${s.c3.id}" data-status="draft"`));
  });

  it('retracts the children with the parent: published ones removed, the others cancelled', async () => {
    const s = await province();
    const urgent = await request(app())
      .post('/api/v1/posts')
      .set(s.admin.auth)
      .send({
        text: `Cảnh báo khẩn: giả danh công an gọi điện. Mã ${randomUUID().slice(0, 8)}.`,
        // The children go to Zalo OAs too, which need the card as their cover.
        withCard: true,
        channelIds: [s.own.facebook.id],
        scheduledAt: new Date().toISOString(),
        urgent: true,
      });
    assert.equal(urgent.status, 201, JSON.stringify(urgent.body));
    const parentId = urgent.body.id as string;
    const out = await waitFor(
      'parent published',
      async () => {
        const [p] = await db().select().from(posts).where(eq(posts.id, parentId));
        return p?.status === 'published' ? p : undefined;
      },
      30_000,
    );

    // The public page and the leaflet show the unit's logo and (from its profile) its hotline.
    const logo = await request(app())
      .post('/api/v1/media')
      .set(s.admin.auth)
      .attach('file', tinyPng, 'logo.png');
    assert.equal(logo.status, 201, JSON.stringify(logo.body));
    await request(app())
      .put(`/api/v1/units/${s.p.id}/logo`)
      .set(s.admin.auth)
      .send({ mediaId: logo.body.id })
      .expect(200);
    const publicPage = await request(app()).get(`/w/${out.slug}`);
    assert.equal(publicPage.status, 200);
    assert.match(publicPage.text, /class="pw-logo" src="\/media\//);
    assert.match(publicPage.text, /0235 3822 123/);
    const leaflet = await request(app()).get(`/w/${out.slug}/leaflet?size=a4`);
    assert.equal(leaflet.status, 200);
    assert.match(leaflet.text, /class="lf-logo"/);
    assert.match(leaflet.text, /0235 3822 123/);

    const res = await request(app()).post(`/api/v1/posts/${parentId}/cascade`).set(s.reviewer.auth).send({});
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const c1Post = (res.body.items as { unitId: string; postId: string }[]).find(
      (i) => i.unitId === s.c1.id,
    )!.postId;
    const c2Post = (res.body.items as { unitId: string; postId: string }[]).find(
      (i) => i.unitId === s.c2.id,
    )!.postId;
    // Commune 1 publishes its copy now; commune 2 has not acted.
    await request(app())
      .patch(`/api/v1/posts/${c1Post}`)
      .set(s.c1Editor.auth)
      .send({ scheduledAt: new Date(Date.now() + 1000).toISOString() })
      .expect(200);
    await request(app()).post(`/api/v1/posts/${c1Post}/submit`).set(s.c1Editor.auth).expect(200);
    await request(app()).post(`/api/v1/posts/${c1Post}/approve`).set(s.c1Reviewer.auth).send({}).expect(200);
    await waitFor(
      'child published',
      async () => {
        const [p] = await db().select().from(posts).where(eq(posts.id, c1Post));
        return p?.status === 'published' ? p : undefined;
      },
      30_000,
    );

    const retracted = await request(app())
      .post(`/api/v1/posts/${parentId}/retract`)
      .set(s.reviewer.auth)
      .send({ reason: 'Thông tin đã được cập nhật', withChildren: true });
    assert.equal(retracted.status, 200, JSON.stringify(retracted.body));
    assert.equal(retracted.body.status, 'retracted');
    const [one] = await db().select().from(posts).where(eq(posts.id, c1Post));
    const [two] = await db().select().from(posts).where(eq(posts.id, c2Post));
    assert.equal(one!.status, 'retracted');
    assert.equal(one!.retractReason, 'Thông tin đã được cập nhật');
    assert.equal(two!.status, 'cancelled');
    const removals = await r.waitRetracted(c1Post);
    assert.ok(
      removals.every((x) => x.status === 'retracted'),
      JSON.stringify(removals),
    );
    const entries = await db()
      .select()
      .from(auditLog)
      .where(inArray(auditLog.targetId, [c1Post, c2Post]));
    assert.ok(entries.some((e) => e.targetId === c1Post && e.action === 'post.retracted'));
    assert.ok(entries.some((e) => e.targetId === c2Post && e.action === 'post.cancelled'));
  });
});
