import assert from 'node:assert/strict';
import { cachedPhotoBase, composeCard, photoBase } from '../../../server/rendering/card-compose.ts';
import { parseCardInput } from '../../../server/rendering/card-input.ts';
import { loadCardLayouts } from '../../../server/rendering/card-layouts.ts';
import { RecentCache } from '../../../server/rendering/recent-cache.ts';
import { ValidationError } from '../../../server/errors.ts';
import { solidImage, syntheticPhoto } from './image-helpers.ts';

describe('rendering: decoded images kept across cards', function () {
  const layouts = loadCardLayouts();
  const layout = layouts.get('canh-bao')!;

  describe('RecentCache', function () {
    it('answers a key from its first job and drops the least recently used beyond its limit', async function () {
      const cache = new RecentCache<string>(2);
      let made = 0;
      const make = (value: string) => () => {
        made++;
        return Promise.resolve(value);
      };
      assert.equal(await cache.get('a', make('a1')), 'a1');
      assert.equal(await cache.get('b', make('b1')), 'b1');
      assert.equal(await cache.get('a', make('a2')), 'a1'); // a is now the newest
      assert.equal(await cache.get('c', make('c1')), 'c1'); // b is dropped
      assert.equal(cache.size, 2);
      assert.equal(await cache.get('a', make('a3')), 'a1');
      assert.equal(await cache.get('b', make('b2')), 'b2');
      assert.equal(made, 4);
    });

    it('forgets a job that failed, so the next call tries again', async function () {
      const cache = new RecentCache<string>(4);
      await assert.rejects(
        cache.get('x', () => Promise.reject(new Error('broken'))),
        /broken/,
      );
      assert.equal(await cache.get('x', () => Promise.resolve('fine')), 'fine');
    });
  });

  describe('background photo', function () {
    it('gives each card its own copy of the same pixels as an uncached decode', async function () {
      const photo = await syntheticPhoto(1600, 900);
      const fresh = await photoBase(photo, 1200, 630, layout.backgroundBrightness);
      const first = await cachedPhotoBase(photo, 1200, 630, layout.backgroundBrightness);
      assert.ok(first.data.equals(fresh.data));
      first.data.fill(0);
      const second = await cachedPhotoBase(photo, 1200, 630, layout.backgroundBrightness);
      assert.ok(second.data.equals(fresh.data), 'painting on one card changed the kept photo');
    });

    it('keeps photos apart by content, size and brightness', async function () {
      const red = solidImage(800, 420, '#c00000');
      const blue = solidImage(800, 420, '#0000c0');
      const [r, b] = await Promise.all(
        [red, blue].map(async (i) =>
          cachedPhotoBase(await i.jpeg().toBuffer(), 1200, 630, layout.backgroundBrightness),
        ),
      );
      assert.notDeepEqual([...r!.data.subarray(0, 3)], [...b!.data.subarray(0, 3)]);
      const bytes = await red.jpeg().toBuffer();
      const dim = await cachedPhotoBase(bytes, 1200, 630, 0.2);
      const bright = await cachedPhotoBase(bytes, 1200, 630, 0.8);
      assert.ok(dim.data[0]! < bright.data[0]!);
      const square = await cachedPhotoBase(bytes, 1080, 1080, 0.2);
      assert.equal(square.data.length, 1080 * 1080 * 3);
    });

    it('draws the same card again after other cards on the same photo', async function () {
      const background = await syntheticPhoto(1600, 900);
      const card = (headline: string) =>
        composeCard(
          layout,
          parseCardInput({ layout: 'canh-bao', size: 'feed', headline, background }, layouts),
        );
      const first = await card('Cảnh báo giả danh công an');
      await card('Một tiêu đề khác hẳn, dài hơn nhiều, phủ chỗ khác trên ảnh nền của thẻ');
      const again = await card('Cảnh báo giả danh công an');
      assert.ok(again.data.equals(first.data));
    });

    it('refuses an unreadable photo every time, not only the first', async function () {
      const input = parseCardInput(
        { layout: 'canh-bao', size: 'feed', headline: 'x', background: Buffer.from('not a photo') },
        layouts,
      );
      for (let i = 0; i < 2; i++) {
        const error = await composeCard(layout, input).catch((e: unknown) => e);
        assert.ok(error instanceof ValidationError);
        assert.deepEqual(
          error.problems.map((p) => p.path),
          ['background'],
        );
      }
    });
  });
});
