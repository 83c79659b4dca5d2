// Custom templates over their life: edited as new versions (posts keep the version they were
// written from, and show it), archived (gone from the composer, kept for old posts), copied
// (built-ins too); built-ins are read-only; the editor page and its live preview.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

function customTemplate(overrides: Record<string, unknown> = {}) {
  return {
    name: `Mẫu phiên bản ${Math.random().toString(36).slice(2, 8)}`,
    description: 'Cảnh báo theo phiên bản',
    body: 'Bản một: cảnh báo tại {{area}}. Gọi {{phone hotline}}.',
    card: { headline: 'Cảnh báo ở {{area}}', body: 'Gọi {{phone hotline}}' },
    variables: [
      { name: 'area', label: 'Địa bàn', type: 'text', required: true, help: 'Tên xã, phường', maxLength: 80 },
      { name: 'hotline', label: 'Đường dây nóng', type: 'phone', required: true },
    ],
    hashtags: ['#CanhBao'],
    ...overrides,
  };
}

describe('templates: versions, archive, copy', function () {
  this.timeout(60_000);
  let t: TestApp;
  let platforms: TestPlatforms;
  let mediaDir: string;
  let editor: Awaited<ReturnType<typeof makeUser>>;
  let reviewer: Awaited<ReturnType<typeof makeUser>>;
  let channelId: string;

  before(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'loa-media-'));
    platforms = await startTestPlatforms();
    t = await createTestApp(
      { LOA_MEDIA_DIR: mediaDir },
      { platformUrls: platforms.urls, mockPlatforms: platforms.mock },
    );
    await t.c.templates.start();
    editor = await makeUser(t, 'editor');
    reviewer = await makeUser(t, 'reviewer');
    const page = await platforms.createPage('Công an phường Mẫu Bài');
    channelId = (
      await t.c.channels.connect(
        { ...SYSTEM_ACTOR },
        { platform: 'facebook', externalId: page.id, accessToken: page.access_token },
      )
    ).id;
  });
  after(async () => {
    await t.close();
    await platforms.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const api = () => request(t.app);
  async function saveTemplate(overrides: Record<string, unknown> = {}) {
    const res = await api().post('/api/v1/templates').set(editor.auth).send(customTemplate(overrides));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; name: string; version: number };
  }
  async function writePost(templateId: string, area = 'Phường Thuận Hóa') {
    const res = await api()
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        templateId,
        variables: { area, hotline: '0234 3822 000' },
        channelIds: [channelId],
        scheduledAt: inHours(24),
      });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body as { id: string; text: string; version: number; templateVersion: number | null };
  }

  it('edits a custom template as a new version; old posts keep their text and version, new ones take the new one', async () => {
    const tpl = await saveTemplate();
    assert.equal(tpl.version, 1);
    const old = await writePost(tpl.id);
    assert.equal(old.templateVersion, 1);
    assert.match(old.text, /^Bản một: cảnh báo tại Phường Thuận Hóa/);

    const edited = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ version: 1, body: 'Bản hai: {{area}} có lừa đảo. Gọi {{phone hotline}}.' })
      .expect(200);
    assert.equal(edited.body.version, 2);
    assert.equal(edited.body.body, 'Bản hai: {{area}} có lừa đảo. Gọi {{phone hotline}}.');
    // What the edit did not name is kept: description, card, hashtags, a variable's help and maxLength.
    assert.equal(edited.body.description, 'Cảnh báo theo phiên bản');
    assert.deepEqual(edited.body.hashtags, ['#CanhBao']);
    assert.equal(edited.body.card.headline, 'Cảnh báo ở {{area}}');
    assert.equal(edited.body.variables[0].help, 'Tên xã, phường');
    assert.equal(edited.body.variables[0].maxLength, 80);

    const v1 = await api().get(`/api/v1/templates/${tpl.id}?version=1`).set(reviewer.auth).expect(200);
    assert.equal(v1.body.version, 1);
    assert.match(v1.body.body, /^Bản một/);
    await api().get(`/api/v1/templates/${tpl.id}?version=9`).set(reviewer.auth).expect(404);

    const kept = await api().get(`/api/v1/posts/${old.id}`).set(editor.auth).expect(200);
    assert.equal(kept.body.text, old.text);
    assert.equal(kept.body.templateVersion, 1);

    const fresh = await writePost(tpl.id);
    assert.equal(fresh.templateVersion, 2);
    assert.match(fresh.text, /^Bản hai: Phường Thuận Hóa có lừa đảo/);

    // Editing the old post's values re-renders it from the version it was written from.
    const reworded = await api()
      .patch(`/api/v1/posts/${old.id}`)
      .set(editor.auth)
      .send({ variables: { area: 'Phường Phú Xuân', hotline: '0234 3822 000' }, version: old.version })
      .expect(200);
    assert.equal(reworded.body.templateVersion, 1);
    assert.match(reworded.body.text, /^Bản một: cảnh báo tại Phường Phú Xuân/);

    // The post detail page names the template and the version.
    const { agent, ip } = await signedInAgent(t, editor.user.email);
    const detail = await agent.get(`/posts/${old.id}`).set('X-Forwarded-For', ip).expect(200);
    assert.match(detail.text, new RegExp(`${tpl.name}</strong>\\s*\\(phiên bản 1\\)`));
    const freshDetail = await agent.get(`/posts/${fresh.id}`).set('X-Forwarded-For', ip).expect(200);
    assert.match(freshDetail.text, /phiên bản 2/);
  });

  it('adds no version for an edit that changes nothing, and refuses a stale one with 409', async () => {
    const tpl = await saveTemplate();
    const same = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ description: 'Cảnh báo theo phiên bản' })
      .expect(200);
    assert.equal(same.body.version, 1);
    await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ version: 1, description: 'Mô tả mới' })
      .expect(200);
    const titled = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ title: 'Cảnh báo {{area}}' })
      .expect(200);
    assert.equal(titled.body.version, 3);
    assert.equal(titled.body.title, 'Cảnh báo {{area}}');
    const untitled = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ title: null })
      .expect(200);
    assert.equal(untitled.body.version, 4);
    assert.equal(untitled.body.title, null);
    const stale = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ version: 1, description: 'Mô tả khác' })
      .expect(409);
    assert.equal(stale.body.error.code, 'stale_version');
    assert.equal(stale.body.error.details.version, 4);
  });

  it('archives a template: gone from the composer and the list, old posts still render and can be edited', async () => {
    const tpl = await saveTemplate();
    const old = await writePost(tpl.id);
    const archived = await api().delete(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(200);
    assert.ok(archived.body.archivedAt);

    const list = await api().get('/api/v1/templates').set(editor.auth).expect(200);
    assert.ok(!(list.body.items as { id: string }[]).some((i) => i.id === tpl.id));
    const withArchived = await api().get('/api/v1/templates?archived=true').set(editor.auth).expect(200);
    assert.ok(
      (withArchived.body.items as { id: string; archivedAt: string | null }[]).some(
        (i) => i.id === tpl.id && i.archivedAt,
      ),
    );
    const one = await api().get(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(200);
    assert.ok(one.body.archivedAt);

    const { agent, ip } = await signedInAgent(t, editor.user.email);
    const composer = await agent.get('/compose').set('X-Forwarded-For', ip).expect(200);
    assert.ok(!composer.text.includes(tpl.id), 'the composer does not offer an archived template');
    const library = await agent.get('/templates').set('X-Forwarded-For', ip).expect(200);
    assert.ok(!library.text.includes(tpl.name));
    const libraryAll = await agent.get('/templates?archived=1').set('X-Forwarded-For', ip).expect(200);
    assert.ok(libraryAll.text.includes(tpl.name));

    const refused = await api()
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        templateId: tpl.id,
        variables: { area: 'Huế', hotline: '113' },
        channelIds: [channelId],
        scheduledAt: inHours(24),
      })
      .expect(422);
    assert.equal(refused.body.error.details[0].path, 'templateId');

    const kept = await api().get(`/api/v1/posts/${old.id}`).set(editor.auth).expect(200);
    assert.equal(kept.body.text, old.text);
    const detail = await agent.get(`/posts/${old.id}`).set('X-Forwarded-For', ip).expect(200);
    assert.match(detail.text, /mẫu đã ngừng dùng/);
    assert.ok(detail.text.includes(old.text.split('\n')[0]!));
    const editPage = await agent.get(`/compose?postId=${old.id}`).set('X-Forwarded-For', ip).expect(200);
    assert.match(editPage.text, /name="v\.area"/);
    const reworded = await api()
      .patch(`/api/v1/posts/${old.id}`)
      .set(editor.auth)
      .send({ variables: { area: 'Phường An Cựu', hotline: '113' } })
      .expect(200);
    assert.match(reworded.body.text, /Phường An Cựu/);

    // Its editor page is read-only, with the preview drawn by the server and the copy button.
    const archivedPage = await agent.get(`/templates/${tpl.id}/edit`).set('X-Forwarded-For', ip).expect(200);
    assert.match(archivedPage.text, /<fieldset disabled>/);
    assert.match(
      archivedPage.text,
      /<p class="post-text">Bản một: cảnh báo tại Địa bàn\. Gọi 0235 3822 123\.<\/p>/,
    );
    assert.ok(archivedPage.text.includes(`action="/templates/${tpl.id}/copy"`));
    assert.ok(!archivedPage.text.includes(`action="/templates/${tpl.id}/archive"`));

    const again = await api().delete(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(409);
    assert.equal(again.body.error.code, 'template_archived');
    const edit = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ description: 'x' })
      .expect(409);
    assert.equal(edit.body.error.code, 'template_archived');
    // It can still be copied into a new, active template; and its name is free again.
    const revived = await api().post(`/api/v1/templates/${tpl.id}/copy`).set(editor.auth).expect(201);
    assert.equal(revived.body.archivedAt, null);
    assert.equal(revived.body.body, one.body.body);
    await saveTemplate({ name: tpl.name });
  });

  it('copies a built-in into a custom template, and any template again', async () => {
    const builtIn = (await api().get('/api/v1/templates/dau-tu-tien-ao').set(editor.auth).expect(200)).body;
    const copy = await api().post('/api/v1/templates/dau-tu-tien-ao/copy').set(editor.auth).expect(201);
    assert.equal(copy.body.builtIn, false);
    assert.equal(copy.body.version, 1);
    // Other tests sharing the database may have copied it already: the first free suffix is taken.
    assert.ok(copy.body.name.startsWith(`${builtIn.name} (bản sao`), copy.body.name);
    assert.equal(copy.body.body, builtIn.body);
    assert.deepEqual(copy.body.variables, builtIn.variables);
    assert.deepEqual(copy.body.card, builtIn.card);
    const original = await saveTemplate();
    const first = await api()
      .post(`/api/v1/templates/${original.id}/copy`)
      .set(editor.auth)
      .send({})
      .expect(201);
    assert.equal(first.body.name, `${original.name} (bản sao)`);
    const second = await api().post(`/api/v1/templates/${original.id}/copy`).set(editor.auth).expect(201);
    assert.equal(second.body.name, `${original.name} (bản sao 2)`);
    const name = `Mẫu đầu tư của phường ${Math.random().toString(36).slice(2, 8)}`;
    const named = await api()
      .post(`/api/v1/templates/${copy.body.id}/copy`)
      .set(editor.auth)
      .send({ name })
      .expect(201);
    assert.equal(named.body.name, name);
    const taken = await api()
      .post(`/api/v1/templates/${copy.body.id}/copy`)
      .set(editor.auth)
      .send({ name })
      .expect(409);
    assert.equal(taken.body.error.code, 'template_name_taken');
    // The copy is editable, unlike its original.
    await api()
      .patch(`/api/v1/templates/${copy.body.id}`)
      .set(editor.auth)
      .send({ description: 'Bản của phường' })
      .expect(200);
    await api().post('/api/v1/templates/khong-co-mau/copy').set(editor.auth).expect(404);
    await api().post('/api/v1/templates/dau-tu-tien-ao/copy').set(reviewer.auth).expect(403);
  });

  it('keeps built-ins read-only: PATCH and DELETE answer 409', async () => {
    const patch = await api()
      .patch('/api/v1/templates/dau-tu-tien-ao')
      .set(editor.auth)
      .send({ description: 'Sửa mẫu có sẵn' })
      .expect(409);
    assert.equal(patch.body.error.code, 'template_built_in');
    const del = await api().delete('/api/v1/templates/dau-tu-tien-ao').set(editor.auth).expect(409);
    assert.equal(del.body.error.code, 'template_built_in');
    const still = await api().get('/api/v1/templates').set(editor.auth).expect(200);
    assert.ok((still.body.items as { id: string }[]).some((i) => i.id === 'dau-tu-tien-ao'));
  });

  it('refuses bad edits with 400/404/422 naming the field, and changes nothing', async () => {
    const tpl = await saveTemplate();
    const empty = await api().patch(`/api/v1/templates/${tpl.id}`).set(editor.auth).send({}).expect(422);
    assert.match(JSON.stringify(empty.body.error.details), /at least one field/);
    const unknownField = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ colour: 'red' })
      .expect(422);
    assert.ok(unknownField.body.error.details.length > 0);
    const badBody = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ body: 'Gọi {{hotlin}}' })
      .expect(422);
    assert.match(badBody.body.error.message, /unknown variable "hotlin"/);
    const badType = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ variables: [{ name: 'area', label: 'Địa bàn', type: 'colour', required: true }] })
      .expect(422);
    assert.equal(badType.body.error.details[0].path, 'variables.0.type');
    const badVersion = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ version: 0, description: 'x' })
      .expect(422);
    assert.equal(badVersion.body.error.details[0].path, 'version');
    await api()
      .patch('/api/v1/templates/KHONG_HOP_LE')
      .set(editor.auth)
      .send({ description: 'x' })
      .expect(422);
    await api()
      .patch(`/api/v1/templates/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)
      .set(editor.auth)
      .send({ description: 'x' })
      .expect(404);
    await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set({ ...editor.auth, 'Content-Type': 'application/json' })
      .send('{"body":')
      .expect(400);
    const other = await saveTemplate();
    const clash = await api()
      .patch(`/api/v1/templates/${tpl.id}`)
      .set(editor.auth)
      .send({ name: other.name })
      .expect(409);
    assert.equal(clash.body.error.code, 'template_name_taken');
    const now = await api().get(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(200);
    assert.equal(now.body.version, 1);
    assert.equal(now.body.name, tpl.name);
  });

  it('edits, previews, copies and archives from the editor page', async () => {
    const tpl = await saveTemplate();
    const { agent, csrf, ip } = await signedInAgent(t, editor.user.email);
    const page = await agent.get(`/templates/${tpl.id}/edit`).set('X-Forwarded-For', ip).expect(200);
    assert.match(page.text, /Phiên bản 1/);
    assert.ok(page.text.includes(`action="/templates/${tpl.id}/archive"`));
    assert.ok(page.text.includes(`action="/templates/${tpl.id}/copy"`));
    assert.match(page.text, /name="var0\.name" value="area"/);

    const form = {
      _csrf: csrf,
      templateId: tpl.id,
      version: '1',
      name: tpl.name,
      description: 'Sửa trên trang',
      body: 'Bản trang: {{area}}. Gọi {{phone hotline}}.',
      title: '',
      cardLayout: 'canh-bao',
      cardHeadline: 'Cảnh báo ở {{area}}',
      cardBody: '',
      'var0.name': 'area',
      'var0.label': 'Địa bàn',
      'var0.type': 'text',
      'var0.required': 'on',
      'var0.default': 'Phường Vỹ Dạ',
      'var1.name': 'hotline',
      'var1.label': 'Đường dây nóng',
      'var1.type': 'phone',
      'var1.required': 'on',
    };
    const preview = await agent
      .post('/templates/preview')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send(form)
      .expect(200);
    assert.match(preview.text, /Bản trang: Phường Vỹ Dạ\. Gọi 0235 3822 123\./);
    assert.match(preview.text, /<img class="preview-card" src="\/media\/cards\//);
    const badPreview = await agent
      .post('/templates/preview')
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ ...form, body: '{{shout area}}' })
      .expect(200);
    assert.match(badPreview.text, /unknown helper &quot;shout&quot;/);

    const saved = await agent
      .post(`/templates/${tpl.id}/edit`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send(form);
    assert.equal(saved.status, 303);
    const v2 = await api().get(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(200);
    assert.equal(v2.body.version, 2);
    assert.equal(v2.body.variables[0].help, 'Tên xã, phường', 'what the form does not show is kept');
    assert.deepEqual(v2.body.hashtags, ['#CanhBao']);
    const stale = await agent
      .post(`/templates/${tpl.id}/edit`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send(form);
    assert.equal(stale.status, 409);
    assert.match(stale.text, /version 2/);
    const bad = await agent
      .post(`/templates/${tpl.id}/edit`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ ...form, version: '2', body: '{{{area}}}' });
    assert.equal(bad.status, 422);
    assert.match(bad.text, /triple-stash/);

    const copied = await agent
      .post(`/templates/${tpl.id}/copy`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf });
    assert.equal(copied.status, 303);
    assert.match(copied.headers.location ?? '', /^\/templates\/[0-9a-f-]{36}\/edit$/);
    const builtInEdit = await agent.get('/templates/dau-tu-tien-ao/edit').set('X-Forwarded-For', ip);
    assert.equal(builtInEdit.status, 303);
    const archived = await agent
      .post(`/templates/${tpl.id}/archive`)
      .set('X-Forwarded-For', ip)
      .type('form')
      .send({ _csrf: csrf });
    assert.equal(archived.status, 303);
    const after = await api().get(`/api/v1/templates/${tpl.id}`).set(editor.auth).expect(200);
    assert.ok(after.body.archivedAt);
  });
});
