// The composer and template pages: rendering for editors, the live preview partial (text,
// card, Facebook and Zalo views with counters), problems shown, roles, and saving a draft.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { posts } from '../../../server/db/schema.ts';
import { instantToLocal, localToInstant } from '../../../server/shared/zoned-time.ts';
import { createTestApp, makeUser, signedInAgent, type TestApp } from '../../support/app.ts';

const VALUES = {
  'v.unitName': 'Công an tỉnh Quảng Nam',
  'v.hotline': '0235 3822 123',
  'v.area': 'Quảng Nam',
  'v.date': '2025-06-02',
};

describe('composer and template pages', function () {
  let t: TestApp;
  let mediaDir: string;
  let editor: Awaited<ReturnType<typeof signedInAgent>>;
  let editorId: string;

  before(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'loa-media-'));
    t = await createTestApp({ LOA_MEDIA_DIR: mediaDir });
    const made = await makeUser(t, 'editor');
    editorId = made.user.id;
    editor = await signedInAgent(t, made.user.email);
  });
  after(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  const get = (url: string) => editor.agent.get(url).set('X-Forwarded-For', editor.ip);
  const preview = (form: Record<string, string>) =>
    editor.agent
      .post('/compose/preview')
      .set('X-Forwarded-For', editor.ip)
      .set('HX-Request', 'true')
      .set('X-CSRF-Token', editor.csrf)
      .type('form')
      .send(form);

  it('renders the composer for an editor, with the chosen template’s fields', async () => {
    const blank = await get('/compose').expect(200);
    assert.match(blank.text, /name="text"/);
    assert.match(blank.text, /Giả danh Công an, Viện kiểm sát, Tòa án/);
    const page = await get('/compose?templateId=gia-danh-co-quan-phap-luat').expect(200);
    for (const name of ['unitName', 'hotline', 'area', 'date'])
      assert.match(page.text, new RegExp(`name="v\\.${name}"`));
    assert.match(page.text, /hx-post="\/compose\/preview"/);
    assert.match(page.text, /type="datetime-local"/);
  });

  it('previews a template as a Facebook post and a Zalo article, with the card and counters', async () => {
    const res = await preview({
      templateId: 'gia-danh-co-quan-phap-luat',
      ...VALUES,
      withCard: 'on',
      cardSize: 'feed',
    }).expect(200);
    assert.doesNotMatch(res.text, /<html/);
    assert.match(res.text, /Công an tỉnh Quảng Nam/);
    assert.match(res.text, /<img class="preview-card" src="\/media\/cards\/[0-9a-f]{2}\/[0-9a-f]{64}\.png"/);
    assert.match(res.text, /data-counter="facebook">Số ký tự: \d+ \/ 63206/);
    assert.match(res.text, /data-counter="zalo-title">Tiêu đề: \d+ \/ 149/);
    assert.match(res.text, /data-counter="zalo-description">Mô tả: \d+ \/ 300/);
    const card = /src="(\/media\/cards\/[^"]+)"/.exec(res.text)?.[1];
    assert.ok(card);
    await t.c.templates.start();
    const file = await get(card).expect(200);
    assert.equal(file.headers['content-type'], 'image/png');
  });

  it('names the missing variables in the preview and escapes markup in free text', async () => {
    const missing = await preview({ templateId: 'dau-tu-tien-ao', 'v.area': 'Huế' }).expect(200);
    assert.match(missing.text, /role="alert"/);
    assert.match(missing.text, /Chưa nhập &quot;Tên đơn vị&quot;.*Chưa nhập &quot;Ngày đăng&quot;/);
    const free = await preview({
      text: 'Cảnh báo <script>alert(1)</script>\nĐừng chuyển tiền.'.normalize('NFD'),
    }).expect(200);
    assert.match(free.text, /<h4 class="zalo-title">Cảnh báo &lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h4>/);
    assert.doesNotMatch(free.text, /<script>/);
  });

  it('refuses members the composer and its preview', async () => {
    const made = await makeUser(t, 'member');
    const member = await signedInAgent(t, made.user.email);
    await member.agent.get('/compose').set('X-Forwarded-For', member.ip).expect(403);
    await member.agent
      .post('/compose/preview')
      .set('X-Forwarded-For', member.ip)
      .set('X-CSRF-Token', member.csrf)
      .type('form')
      .send({ text: 'x' })
      .expect(403);
    await member.agent.get('/templates/new').set('X-Forwarded-For', member.ip).expect(403);
  });

  it('saves a draft through the posts service and goes to the post', async () => {
    const at = new Date(Date.now() + 2 * 86_400_000);
    const res = await editor.agent
      .post('/compose')
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send({
        _csrf: editor.csrf,
        action: 'save',
        templateId: 'gia-danh-co-quan-phap-luat',
        ...VALUES,
        withCard: 'on',
        scheduledAt: instantToLocal(at, 'Asia/Ho_Chi_Minh'),
      });
    assert.equal(res.status, 303, res.text.slice(0, 2000));
    const id = /^\/posts\/([0-9a-f-]{36})$/.exec(res.headers.location ?? '')?.[1];
    assert.ok(id, res.headers.location);
    const [row] = await t.c.database.db.select().from(posts).where(eq(posts.id, id));
    assert.equal(row?.status, 'draft');
    assert.equal(row?.authorId, editorId);
    assert.equal(row?.scheduledAt.getTime(), Math.floor(at.getTime() / 60_000) * 60_000);
    assert.ok(row?.card?.file.startsWith('cards/'));
  });

  it('re-renders the composer with 422 when the time is missing', async () => {
    const res = await editor.agent
      .post('/compose')
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send({ _csrf: editor.csrf, action: 'save', text: 'Cảnh báo', scheduledAt: '' });
    assert.equal(res.status, 422);
    assert.match(res.text, /Thời gian đăng không hợp lệ/);
  });

  it('reads datetime-local input in Asia/Ho_Chi_Minh and stores UTC', () => {
    assert.equal(
      localToInstant('2026-12-01T08:00', 'Asia/Ho_Chi_Minh')?.toISOString(),
      '2026-12-01T01:00:00.000Z',
    );
    assert.equal(instantToLocal(new Date('2026-12-01T01:00:00Z'), 'Asia/Ho_Chi_Minh'), '2026-12-01T08:00');
    assert.equal(localToInstant('01/12/2026', 'Asia/Ho_Chi_Minh'), null);
  });

  it('lists templates and saves a custom one from the editor page, showing refusals', async () => {
    const list = await get('/templates').expect(200);
    assert.match(list.text, /Lừa đảo đầu tư|đầu tư/i);
    const form = await get('/templates/new').expect(200);
    assert.match(form.text, /name="var0.name" value="unitName"/);
    const send = (fields: Record<string, string>) =>
      editor.agent
        .post('/templates/new')
        .set('X-Forwarded-For', editor.ip)
        .type('form')
        .send({ _csrf: editor.csrf, ...fields });
    const base = {
      name: `Mẫu trang ${Date.now()}`,
      description: 'Thử',
      'var0.name': 'area',
      'var0.label': 'Địa bàn',
      'var0.type': 'text',
      'var0.required': 'on',
      cardHeadline: 'Cảnh báo ở {{area}}',
      cardLayout: 'canh-bao',
    };
    const refused = await send({ ...base, body: 'Ở {{area}} {{{area}}} {{khongCo}}' });
    assert.equal(refused.status, 422);
    assert.match(refused.text, /triple-stash/);
    assert.match(refused.text, /unknown variable &quot;khongCo&quot;/);
    const saved = await send({ ...base, body: 'Cảnh báo tại {{area}}.' });
    assert.equal(saved.status, 303);
    const after = await get('/templates').expect(200);
    assert.ok(after.text.includes(base.name));
  });
});
