import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRenderer, type CardInput } from '../../../server/rendering/index.ts';
import {
  compareWithGolden,
  differingFraction,
  syntheticLogo,
  syntheticPhoto,
  toRgba,
} from './image-helpers.ts';

const FULL_DIACRITICS = 'Đường dây nóng ồ ộ ể ề ấ ạ ờ Đ ừ ỹ ỷ — Ư ơ ặ ẫ ự ữ ọ ị ụ';
// Pixels allowed to differ from a golden card: hinting or libvips versions may move edges.
const GOLDEN_TOLERANCE = 0.003;

describe('rendering: image cards', function () {
  let cacheDir: string;
  let renderer: ReturnType<typeof createRenderer>;

  before(async function () {
    cacheDir = mkdtempSync(path.join(tmpdir(), 'loa-cards-'));
    renderer = createRenderer({ cacheDir });
    await renderer.warmUp();
  });
  after(() => rmSync(cacheDir, { recursive: true, force: true }));

  const render = (input: Partial<CardInput>) =>
    renderer.renderCard({ layout: 'canh-bao', size: 'feed', headline: 'Cảnh báo', ...input });

  it('lists the layouts from templates/cards', function () {
    assert.deepEqual(renderer.listLayouts(), ['canh-bao', 'thong-tin']);
  });

  describe('golden cards', function () {
    const goldens: { name: string; input: () => Promise<CardInput> }[] = [
      {
        name: 'feed-canh-bao-diacritics',
        input: async () => ({
          layout: 'canh-bao',
          size: 'feed',
          headline: 'CẢNH BÁO: Giả danh công an gọi điện yêu cầu chuyển tiền',
          body: FULL_DIACRITICS,
          unitName: 'Công an tỉnh Thừa Thiên Huế',
          hotline: '0234 3822 000',
          qrUrl: 'https://loa.example.vn/w/gia-danh-cong-an',
        }),
      },
      {
        name: 'square-thong-tin-long-headline',
        input: async () => ({
          layout: 'thong-tin',
          size: 'square',
          headline:
            'Không cung cấp mã OTP, mật khẩu hay số thẻ cho bất kỳ ai, kể cả người tự xưng là nhân viên ngân hàng, công an hoặc tòa án',
          body: 'Ngân hàng và cơ quan chức năng không bao giờ hỏi mã OTP qua điện thoại.',
          unitName: 'Phòng An ninh mạng và phòng chống tội phạm sử dụng công nghệ cao',
          hotline: '113',
        }),
      },
      {
        name: 'zalo-cover-photo-logo',
        input: async () => ({
          layout: 'canh-bao',
          size: 'zalo-cover',
          headline: 'Cảnh giác với cuộc gọi video giả mạo người thân',
          body: 'Đừng chuyển tiền khi chưa gọi lại để xác minh.',
          unitName: 'Công an tỉnh Quảng Ngãi',
          hotline: '0255 3822 113',
          background: await syntheticPhoto(640, 400),
          logo: await syntheticLogo(),
        }),
      },
      {
        name: 'feed-long-word',
        input: async () => ({
          layout: 'canh-bao',
          size: 'feed',
          headline: `Lừa đảo qua ứng dụng ${'giảmạodịchvụcông'.repeat(3)} giả`,
        }),
      },
    ];
    for (const golden of goldens) {
      it(`renders ${golden.name} like its fixture`, async function () {
        const card = await renderer.renderCard(await golden.input());
        const diff = await compareWithGolden(golden.name, card.data, card.mime);
        assert.ok(diff <= GOLDEN_TOLERANCE, `${(diff * 100).toFixed(3)}% of pixels differ from the fixture`);
      });
    }

    it('uses PNG on flat colour and JPEG on a photo', async function () {
      const flat = await render({ headline: 'PNG' });
      assert.equal(flat.mime, 'image/png');
      assert.equal(flat.data.subarray(1, 4).toString(), 'PNG');
      const photo = await render({ headline: 'JPEG', background: await syntheticPhoto(300, 200) });
      assert.equal(photo.mime, 'image/jpeg');
      assert.deepEqual([...photo.data.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    });

    it('renders each allowed size at its exact dimensions', async function () {
      for (const [size, width, height] of [
        ['feed', 1200, 630],
        ['square', 1080, 1080],
        ['zalo-cover', 1280, 720],
      ] as const) {
        const card = await render({ size, layout: 'thong-tin' });
        const pixels = await toRgba(card.data);
        assert.deepEqual(
          [card.width, card.height, pixels.width, pixels.height],
          [width, height, width, height],
        );
      }
    });
  });

  describe('user text', function () {
    it('renders markup characters literally, not as markup', async function () {
      // Were the text taken as markup, "&amp;" would draw as "&" and "&lt;b&gt;" as "<b>".
      const entity = await toRgba((await render({ body: 'Tom &amp; Jerry' })).data);
      const ampersand = await toRgba((await render({ body: 'Tom & Jerry' })).data);
      assert.ok(differingFraction(entity, ampersand) > 0.0005);
      const escapedTags = await toRgba((await render({ body: '&lt;b&gt;x' })).data);
      const tags = await toRgba((await render({ body: '<b>x' })).data);
      assert.ok(differingFraction(escapedTags, tags) > 0.0005);
      const closing = await render({ headline: '</span><b>x', body: `"quoted" 'single'` });
      assert.match(closing.altText, /<\/span><b>x/);
    });

    it('renders template-injection text inertly', async function () {
      for (const text of [
        '{{constructor}}',
        '__proto__',
        '{{{constructor.constructor "return 1"}}}',
        'toString',
      ]) {
        const card = await render({ headline: text, body: text, unitName: text, hotline: '113' });
        assert.equal(card.width, 1200);
        assert.ok(card.altText.includes(text));
      }
    });

    it('does not crash on an empty or blank body and treats it as absent', async function () {
      const none = await render({ headline: 'Không có nội dung' });
      const empty = await render({ headline: 'Không có nội dung', body: '' });
      const blank = await render({
        headline: 'Không có nội dung',
        body: '  \n ',
        unitName: '',
        hotline: ' ',
      });
      assert.equal(empty.hash, none.hash);
      assert.equal(blank.hash, none.hash);
    });

    it('normalises decomposed (NFD) input to NFC', async function () {
      const composed = 'Cảnh báo lừa đảo trực tuyến';
      const nfc = await render({ headline: composed });
      const nfd = await render({ headline: composed.normalize('NFD') });
      assert.notEqual(composed.normalize('NFD'), composed);
      assert.equal(nfd.hash, nfc.hash);
      assert.ok(nfd.altText.includes(composed));
    });

    it('survives control characters and lone surrogates', async function () {
      const card = await render({ headline: 'A\u0000B\u0007C \uD800 D', body: 'x\u001by' });
      assert.equal(card.mime, 'image/png');
    });

    it('writes Vietnamese alt text from the headline and body', async function () {
      const card = await render({
        headline: 'Giả danh công an',
        body: 'Không chuyển tiền.',
        unitName: 'Công an xã',
        hotline: '113',
      });
      assert.equal(
        card.altText,
        'Thẻ ảnh cảnh báo lừa đảo. Giả danh công an. Không chuyển tiền. Đơn vị: Công an xã. Đường dây nóng: 113.',
      );
    });
  });
});
