// The templates API over HTTP: the built-in library rendered with realistic values and a card,
// custom templates saved and refused, missing variables, NFC, and markup in user text.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { createTemplatesRepo } from '../../../server/templates/templates.repo.ts';
import { createTemplatesService } from '../../../server/templates/templates.service.ts';
import { DEFAULT_BUILT_IN_TEMPLATES_DIR } from '../../../server/templates/template-library.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { compareWithGolden, toRgba } from '../../unit/rendering/image-helpers.ts';

const REALISTIC: Record<string, string> = {
  unitName: 'Công an tỉnh Thừa Thiên Huế',
  hotline: '0234 3822 000',
  area: 'Thừa Thiên Huế',
  date: '2025-06-02',
  recentCase:
    'Ngày 20/5, một người dân ở phường Phú Hội bị lừa 320 triệu đồng sau cuộc gọi video của kẻ mạo danh.',
};
const GOLDEN_TOLERANCE = 0.003;

/** Fetches a URL the API returned, through the app (its origin is LOA_PUBLIC_URL). */
async function fetchUrl(t: TestApp, url: string) {
  return request(t.app)
    .get(new URL(url).pathname)
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

function customTemplate(overrides: Record<string, unknown> = {}) {
  return {
    name: `Mẫu riêng ${Math.random().toString(36).slice(2, 8)}`,
    description: 'Cảnh báo thử nghiệm',
    body: 'Cảnh báo tại {{area}}: {{note}}\nGọi {{phone hotline}}.',
    card: { headline: 'Cảnh báo ở {{area}}', body: '{{note}}' },
    variables: [
      { name: 'area', label: 'Địa bàn', type: 'text', required: true },
      { name: 'hotline', label: 'Đường dây nóng', type: 'phone', required: true },
      { name: 'note', label: 'Ghi chú', type: 'text', required: true },
    ],
    ...overrides,
  };
}

describe('templates API', function () {
  let t: TestApp;
  let mediaDir: string;
  let editor: Record<string, string>;
  let reviewer: Record<string, string>;
  let member: Record<string, string>;

  before(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'loa-media-'));
    t = await createTestApp({ LOA_MEDIA_DIR: mediaDir });
    await t.c.templates.start();
    editor = (await makeUser(t, 'editor')).auth;
    reviewer = (await makeUser(t, 'reviewer')).auth;
    member = (await makeUser(t, 'member')).auth;
  });
  after(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('lists the ten built-in templates with their variables', async () => {
    const res = await request(t.app).get('/api/v1/templates').set(editor).expect(200);
    const builtIn = (
      res.body.items as { builtIn: boolean; id: string; variables: { name: string; required: boolean }[] }[]
    ).filter((i) => i.builtIn);
    const files = (await readdir(DEFAULT_BUILT_IN_TEMPLATES_DIR)).filter((f) => f.endsWith('.hbs'));
    assert.equal(builtIn.length, files.length);
    assert.ok(builtIn.length >= 10);
    for (const item of builtIn) {
      for (const name of ['unitName', 'hotline', 'area', 'date']) {
        assert.ok(
          item.variables.some((v) => v.name === name && v.required),
          `${item.id} lacks ${name}`,
        );
      }
      assert.deepEqual(Object.keys(item.variables[0] ?? {}).slice(0, 5), [
        'name',
        'label',
        'type',
        'required',
        'default',
      ]);
    }
  });

  it('renders every built-in template with realistic values and a card that is served', async () => {
    const res = await request(t.app).get('/api/v1/templates').set(editor).expect(200);
    for (const item of res.body.items as { id: string; builtIn: boolean }[]) {
      if (!item.builtIn) continue;
      const out = await request(t.app)
        .post(`/api/v1/templates/${item.id}/render`)
        .set(editor)
        .send({ variables: REALISTIC, withCard: true });
      assert.equal(out.status, 200, `${item.id}: ${JSON.stringify(out.body)}`);
      assert.ok(out.body.text.includes('Thừa Thiên Huế') || out.body.text.includes('0234 3822 000'), item.id);
      assert.equal(out.body.text, out.body.text.normalize('NFC'));
      assert.deepEqual(out.body.platformProblems, { facebook: [], zalo: [] }, item.id);
      assert.equal(out.body.card.width, 1200);
      assert.equal(out.body.card.height, 630);
      assert.match(out.body.card.altText, /Công an tỉnh Thừa Thiên Huế/);
      const file = await fetchUrl(t, out.body.card.url);
      assert.equal(file.status, 200);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.equal(file.headers['x-content-type-options'], 'nosniff');
      assert.match(String(file.headers['cache-control']), /immutable/);
      const pixels = await toRgba(file.body as Buffer);
      assert.equal(pixels.width, 1200);
    }
  });

  for (const [id, size] of [
    ['gia-danh-co-quan-phap-luat', 'feed'],
    ['ung-dung-lien-ket-gia-mao', 'zalo-cover'],
    ['vay-tien-dao-han', 'square'],
  ] as const) {
    it(`renders ${id} (${size}) like its golden card`, async () => {
      const out = await request(t.app)
        .post(`/api/v1/templates/${id}/render`)
        .set(editor)
        .send({ variables: REALISTIC, size })
        .expect(200);
      const file = await fetchUrl(t, out.body.card.url);
      const diff = await compareWithGolden(`api-${id}-${size}`, file.body as Buffer, 'image/png');
      assert.ok(diff <= GOLDEN_TOLERANCE, `${id}: ${(diff * 100).toFixed(2)}% of pixels differ`);
    });
  }

  it('refuses missing and wrong variables with 422 naming every one', async () => {
    const res = await request(t.app)
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(editor)
      .send({ variables: { hotline: 'gọi tôi', date: '31/02/2025' } })
      .expect(422);
    const paths = (res.body.error.details as { path: string }[]).map((d) => d.path).sort();
    assert.deepEqual(paths, ['variables.area', 'variables.date', 'variables.hotline', 'variables.unitName']);
  });

  it('answers 404 for an unknown template and lets reviewers preview but not members', async () => {
    await request(t.app)
      .post('/api/v1/templates/khong-co/render')
      .set(editor)
      .send({ variables: {} })
      .expect(404);
    await request(t.app)
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(reviewer)
      .send({ variables: REALISTIC, withCard: false })
      .expect(200);
    await request(t.app)
      .post('/api/v1/templates/dau-tu-tien-ao/render')
      .set(member)
      .send({ variables: REALISTIC })
      .expect(403);
    await request(t.app).post('/api/v1/templates').set(reviewer).send(customTemplate()).expect(403);
  });

  it('saves a custom template, lists it and renders it', async () => {
    const input = customTemplate();
    const saved = await request(t.app).post('/api/v1/templates').set(editor).send(input).expect(201);
    assert.equal(saved.body.builtIn, false);
    assert.equal(saved.body.name, input.name);
    const list = await request(t.app).get('/api/v1/templates').set(editor).expect(200);
    assert.ok((list.body.items as { id: string }[]).some((i) => i.id === saved.body.id));
    const out = await request(t.app)
      .post(`/api/v1/templates/${saved.body.id}/render`)
      .set(editor)
      .send({ variables: { area: 'Huế', hotline: '0912345678', note: 'đừng chuyển tiền' } })
      .expect(200);
    assert.equal(out.body.text, 'Cảnh báo tại Huế: đừng chuyển tiền\nGọi 0912 345 678.');
    assert.ok(out.body.card.url.includes('/media/cards/'));
    await request(t.app).post('/api/v1/templates').set(editor).send(input).expect(409);
  });

  const refusals: [string, Record<string, unknown>, RegExp][] = [
    ['an unknown variable', { body: 'Gọi {{hotlin}}' }, /unknown variable "hotlin"/],
    ['an unknown helper', { body: '{{shout area}}' }, /unknown helper "shout"/],
    ['a triple-stash', { body: '{{{area}}}' }, /triple-stash/],
    ['a partial', { body: '{{> header}} {{area}}' }, /partials/],
    ['{{constructor}}', { body: '{{constructor}}' }, /"constructor" is a reserved name/],
    ['__proto__ paths', { body: '{{area.__proto__}}' }, /reserved name/],
    [
      'an unknown card layout',
      { card: { layout: 'warning', headline: 'x' } },
      /unknown card layout "warning"/,
    ],
    [
      'an unknown variable in the card',
      { card: { headline: '{{ten}}' } },
      /card\.headline.*unknown variable "ten"/,
    ],
  ];
  for (const [what, overrides, message] of refusals) {
    it(`refuses a template with ${what} at save, naming the problem (422)`, async () => {
      const before = (await request(t.app).get('/api/v1/templates').set(editor)).body.items.length as number;
      const res = await request(t.app)
        .post('/api/v1/templates')
        .set(editor)
        .send(customTemplate(overrides))
        .expect(422);
      assert.match(res.body.error.message, message);
      assert.ok((res.body.error.details as unknown[]).length > 0);
      const after = (await request(t.app).get('/api/v1/templates').set(editor)).body.items.length as number;
      assert.equal(after, before);
    });
  }

  it('normalises decomposed Vietnamese input to NFC in text, title and card', async () => {
    const decomposed = 'Thừa Thiên Huế'.normalize('NFD');
    assert.notEqual(decomposed, decomposed.normalize('NFC'));
    const out = await request(t.app)
      .post('/api/v1/templates/gia-danh-co-quan-phap-luat/render')
      .set(editor)
      .send({
        variables: {
          ...REALISTIC,
          unitName: `Công an tỉnh ${decomposed}`.normalize('NFD'),
          area: decomposed,
        },
      })
      .expect(200);
    assert.ok(out.body.text.includes('Thừa Thiên Huế'));
    assert.equal(out.body.text, out.body.text.normalize('NFC'));
    assert.equal(out.body.title, out.body.title.normalize('NFC'));
    assert.ok(out.body.card.altText.includes('Công an tỉnh Thừa Thiên Huế'));
  });

  it('keeps markup characters in user text literal in the text and on the card', async () => {
    const saved = await request(t.app)
      .post('/api/v1/templates')
      .set(editor)
      .send(customTemplate())
      .expect(201);
    const hostile =
      '<span foreground="red">x</span> & </text><image href="file:///etc/passwd"/> {{constructor}}';
    const out = await request(t.app)
      .post(`/api/v1/templates/${saved.body.id}/render`)
      .set(editor)
      .send({ variables: { area: 'Huế', hotline: '113', note: hostile, __proto__: 'x' } })
      .expect(200);
    assert.ok(out.body.text.includes(hostile));
    assert.ok(out.body.card.altText.includes('<span foreground="red">x</span> & </text><image'));
    const file = await fetchUrl(t, out.body.card.url);
    assert.equal(file.status, 200);
    assert.equal((await toRgba(file.body as Buffer)).width, 1200);
  });

  it('stops start-up naming the file when a built-in template is bad or names an unknown card layout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'loa-templates-'));
    try {
      const good = `---\nid: mau-tot\nname: Mẫu\ndescription: Mô tả\nvariables:\n${['unitName', 'area'].map((n) => `  - { name: ${n}, label: ${n}, type: text, required: true }`).join('\n')}\n  - { name: hotline, label: h, type: phone, required: true }\n  - { name: date, label: d, type: date, required: true }\ncard: { layout: LAYOUT, headline: Cảnh báo, body: '{{area}}' }\n---\n{{unitName}} {{area}} {{hotline}} {{date}}\n`;
      const make = () =>
        createTemplatesService({
          db: t.c.database.db,
          repo: createTemplatesRepo(t.c.database.db),
          renderer: t.c.renderer,
          audit: t.c.auditLog.record,
          backgroundImage: async () => null,
          settings: {
            mediaDir,
            cacheDir: path.join(mediaDir, 'cards'),
            publicUrl: 'http://x',
            timeZone: 'Asia/Ho_Chi_Minh',
            builtInDir: dir,
          },
        });
      writeFileSync(path.join(dir, 'mau-tot.hbs'), good.replace('LAYOUT', 'warning'));
      await assert.rejects(make().start(), /mau-tot\.hbs: card\.layout: unknown card layout "warning"/);
      writeFileSync(path.join(dir, 'mau-tot.hbs'), good.replace('LAYOUT', 'canh-bao'));
      await make().start();
      writeFileSync(
        path.join(dir, 'mau-hong.hbs'),
        good.replace('LAYOUT', 'canh-bao').replace('mau-tot', 'mau-hong').replace('{{date}}', '{{ngay}}'),
      );
      await assert.rejects(make().start(), /mau-hong\.hbs.*unknown variable "ngay"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
