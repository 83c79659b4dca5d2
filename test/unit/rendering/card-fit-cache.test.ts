import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync, cpSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../../server/errors.ts';
import { DEFAULT_LAYOUTS_DIR, loadCardLayouts, type Box } from '../../../server/rendering/card-layouts.ts';
import { createRenderer, type CardInput } from '../../../server/rendering/index.ts';
import { toRgba } from './image-helpers.ts';

const inside = (x: number, y: number, box: Box) =>
  x >= box[0] && x < box[0] + box[2] && y >= box[1] && y < box[1] + box[3];

describe('rendering: card fitting, cache and validation', function () {
  let cacheDir: string;
  let renderer: ReturnType<typeof createRenderer>;
  const layouts = loadCardLayouts();

  beforeEach(() => {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'loa-cards-'));
    renderer = createRenderer({ cacheDir });
  });
  afterEach(() => rmSync(cacheDir, { recursive: true, force: true }));

  const base: CardInput = { layout: 'canh-bao', size: 'feed', headline: 'Cảnh báo' };

  describe('headline fit', function () {
    for (const [label, headline] of [
      [
        'many words',
        'Cảnh báo thủ đoạn giả danh cán bộ công an, viện kiểm sát, tòa án gọi điện thoại, gọi video thông báo liên quan đến vụ án, yêu cầu chuyển tiền vào tài khoản để xác minh, phong tỏa',
      ],
      ['a very long word', `Cảnh báo ${'khôngcókhoảngtrắng'.repeat(2)} nữa`],
    ] as const) {
      for (const size of ['feed', 'square', 'zalo-cover'] as const) {
        it(`keeps a headline with ${label} inside its box (${size})`, async function () {
          const layout = layouts.get('canh-bao');
          assert.ok(layout?.kicker);
          const geometry = layout.sizes[size];
          const card = await renderer.renderCard({ ...base, size, headline });
          const { data, width, height } = await toRgba(card.data);
          const bg = [0x8b, 0x1a, 0x1a];
          let outside = 0;
          for (let y = 0; y < height; y++) {
            for (let x = 0; x < width; x++) {
              if (
                inside(x, y, geometry.headline.box) ||
                (geometry.kicker && inside(x, y, geometry.kicker.box))
              )
                continue;
              const i = (y * width + x) * 4;
              if (data[i] !== bg[0] || data[i + 1] !== bg[1] || data[i + 2] !== bg[2]) outside++;
            }
          }
          assert.equal(outside, 0, `${outside} pixels drawn outside the headline box`);
          // And the headline was drawn at all.
          const [bx, by, bw, bh] = geometry.headline.box;
          let drawn = 0;
          for (let y = by; y < by + bh; y++)
            for (let x = bx; x < bx + bw; x++) if (data[(y * width + x) * 4] === 255) drawn++;
          assert.ok(drawn > 500, 'headline pixels present');
        });
      }
    }

    it('refuses a word too long to fit at a readable size, naming the field', async function () {
      const error = await renderer
        .renderCard({ ...base, headline: 'x'.repeat(190) })
        .catch((e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.equal(error.status, 422);
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ['headline'],
      );
      assert.deepEqual(readdirSync(cacheDir), [], 'nothing cached for a refused card');
    });
  });

  describe('cache', function () {
    it('returns the cached card for the same input and a new one for different input', async function () {
      const first = await renderer.renderCard(base);
      assert.equal(first.cached, false);
      assert.ok(first.path.startsWith(cacheDir));
      assert.deepEqual(readFileSync(first.path), first.data);
      const again = await renderer.renderCard({ ...base });
      assert.equal(again.cached, true);
      assert.equal(again.hash, first.hash);
      assert.deepEqual(again.data, first.data);
      assert.equal(again.altText, first.altText);

      const other = await renderer.renderCard({ ...base, body: 'khác' });
      assert.equal(other.cached, false);
      assert.notEqual(other.hash, first.hash);
      for (const change of [{ size: 'square' as const }, { layout: 'thong-tin' }, { hotline: '113' }]) {
        assert.notEqual((await renderer.renderCard({ ...base, ...change })).hash, first.hash);
      }
    });

    it('keys images by content and survives a new renderer on the same directory', async function () {
      const a = await renderer.renderCard({
        ...base,
        logo: Buffer.from(readFileSync(new URL('../../fixtures/images/logo.png', import.meta.url))),
      });
      const fresh = createRenderer({ cacheDir });
      const b = await fresh.renderCard({
        ...base,
        logo: readFileSync(new URL('../../fixtures/images/logo.png', import.meta.url)),
      });
      assert.equal(b.hash, a.hash);
      assert.equal(b.cached, true);
    });

    it('renders concurrent identical requests once and leaves no temporary files', async function () {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => renderer.renderCard({ ...base, headline: 'Cùng lúc' })),
      );
      assert.equal(new Set(results.map((r) => r.hash)).size, 1);
      const files = readdirSync(cacheDir, { recursive: true }).map(String);
      assert.deepEqual(
        files.filter((f) => f.endsWith('.tmp')),
        [],
      );
      assert.equal(files.filter((f) => f.endsWith('.png')).length, 1);
    });
  });

  describe('validation', function () {
    it('throws ValidationError listing every bad field', async function () {
      const bad = {
        layout: 'nope',
        size: 'huge',
        headline: '   ',
        background: 'not a buffer',
      } as unknown as CardInput;
      const error = await renderer.renderCard(bad).catch((e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.problems.map((p) => p.path).sort(), ['background', 'headline', 'size']);
      const unknownLayout = await renderer.renderCard({ ...base, layout: 'nope' }).catch((e: unknown) => e);
      assert.ok(unknownLayout instanceof ValidationError);
      assert.deepEqual(
        unknownLayout.problems.map((p) => p.path),
        ['layout'],
      );
    });

    it('refuses an unreadable background image as a field problem', async function () {
      const error = await renderer
        .renderCard({ ...base, background: Buffer.from('not an image') })
        .catch((e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ['background'],
      );
    });

    it('refuses extra fields and over-long text', async function () {
      const error = await renderer
        .renderCard({ ...base, body: 'x'.repeat(301), extra: 1 } as unknown as CardInput)
        .catch((e: unknown) => e);
      assert.ok(error instanceof ValidationError);
      assert.deepEqual(error.problems.map((p) => p.path).sort(), ['(input)', 'body']);
    });
  });

  describe('layout files', function () {
    it('stops at start-up on a bad layout, naming the file and the problem', function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'loa-layouts-'));
      try {
        cpSync(path.join(DEFAULT_LAYOUTS_DIR, 'canh-bao.yaml'), path.join(dir, 'ok.yaml'));
        const broken = readFileSync(path.join(DEFAULT_LAYOUTS_DIR, 'canh-bao.yaml'), 'utf8').replace(
          "background: '#8b1a1a'",
          "background: 'red'",
        );
        writeFileSync(path.join(dir, 'broken.yaml'), broken);
        assert.throws(
          () => createRenderer({ cacheDir, layoutsDir: dir }),
          /broken\.yaml.*colors\.background/,
        );
        const outside = readFileSync(path.join(DEFAULT_LAYOUTS_DIR, 'canh-bao.yaml'), 'utf8').replace(
          'band: [0, 510, 1200, 120]',
          'band: [0, 600, 1200, 120]',
        );
        writeFileSync(path.join(dir, 'broken.yaml'), outside);
        assert.throws(() => createRenderer({ cacheDir, layoutsDir: dir }), /broken\.yaml.*sizes\.feed\.band/);
        assert.ok(existsSync(path.join(dir, 'ok.yaml')));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
