import assert from 'node:assert/strict';
import { checkPost, type CheckedPost } from '../../../server/posts/post-checks.ts';

const facebook = { id: 'fb-1', platform: 'facebook' as const, name: 'Trang Công an' };
const zalo = { id: 'za-1', platform: 'zalo' as const, name: 'Zalo OA' };
const options = { publicUrl: 'https://loa.example.vn', now: new Date('2026-12-01T00:00:00Z') };

function post(values: Partial<CheckedPost> = {}): CheckedPost {
  return {
    text: 'Cảnh báo lừa đảo',
    title: 'Cảnh báo lừa đảo',
    card: null,
    media: [],
    zaloCover: { field: 'cover', mime: 'image/png', bytes: 90_000 },
    scheduledAt: new Date('2026-12-01T08:00:00Z'),
    notAfter: null,
    ...values,
  };
}

const codes = (found: ReturnType<typeof checkPost>) =>
  found.map((p) => `${p.channelId}:${p.field}:${p.code}`);

describe('compose-time checks (checkPost)', () => {
  it('passes a post that fits both platforms', () => {
    assert.deepEqual(checkPost(post(), [facebook, zalo], options), []);
  });

  it('refuses an image type Facebook does not take, naming the image', () => {
    const found = checkPost(
      post({ media: [{ field: 'mediaIds.0', mime: 'image/bmp', bytes: 10 }] }),
      [facebook],
      options,
    );
    assert.deepEqual(codes(found), ['fb-1:mediaIds.0:facebook_image_type']);
    assert.equal(found[0]?.params.channel, 'Trang Công an');
  });

  it('refuses a Zalo post with no cover at all (no card, no image, none generated)', () => {
    assert.deepEqual(codes(checkPost(post({ zaloCover: null }), [zalo], options)), [
      'za-1:cover:zalo_cover_missing',
    ]);
    assert.deepEqual(
      checkPost(post({ zaloCover: null }), [facebook], options),
      [],
      'Facebook needs no picture',
    );
  });

  it('judges the card like any image, and not a card whose size is unknown', () => {
    const heavyCard = { field: 'card', mime: 'image/jpeg', bytes: 1024 * 1024 + 1 };
    assert.deepEqual(codes(checkPost(post({ card: heavyCard }), [facebook, zalo], options)), [
      'za-1:card:zalo_image_too_large',
    ]);
    assert.deepEqual(checkPost(post({ card: { ...heavyCard, bytes: null } }), [zalo], options), []);
  });

  it('refuses a notAfter that has passed, on every channel', () => {
    const found = checkPost(
      post({ scheduledAt: new Date('2026-11-30T08:00:00Z'), notAfter: new Date('2026-11-30T20:00:00Z') }),
      [facebook, zalo],
      options,
    );
    assert.deepEqual(codes(found), ['fb-1:notAfter:not_after_passed', 'za-1:notAfter:not_after_passed']);
  });

  it('counts the tracked link added at publish time in the Facebook text', () => {
    const exact = 'a'.repeat(63_206 - 2 - 'https://loa.example.vn/l/'.length - 14);
    assert.deepEqual(checkPost(post({ text: exact }), [facebook], options), []);
    assert.deepEqual(codes(checkPost(post({ text: `${exact}a` }), [facebook], options)), [
      'fb-1:text:facebook_text_too_long',
    ]);
  });
});
