import assert from 'node:assert/strict';
import {
  checkPlatformLimits,
  FACEBOOK_POST_TEXT_MAX,
  ZALO_DESCRIPTION_MAX,
  ZALO_TITLE_MAX,
} from '../../../server/templates/template-render.ts';

describe('checkPlatformLimits', () => {
  it('exports the platform limits', () => {
    assert.equal(FACEBOOK_POST_TEXT_MAX, 63_206);
    assert.equal(ZALO_TITLE_MAX, 149);
    assert.equal(ZALO_DESCRIPTION_MAX, 300);
  });

  it('accepts text and title at the limits, counting Vietnamese letters as one character each', () => {
    const title = 'Ệ'.repeat(ZALO_TITLE_MAX);
    assert.deepEqual(
      checkPlatformLimits({ text: 'ả'.repeat(FACEBOOK_POST_TEXT_MAX), title }, 'facebook'),
      [],
    );
    assert.deepEqual(
      checkPlatformLimits({ text: 'nội dung', title, description: 'ư'.repeat(ZALO_DESCRIPTION_MAX) }, 'zalo'),
      [],
    );
  });

  it('refuses a Facebook text over the limit or empty, with a message in both languages', () => {
    const [problem] = checkPlatformLimits(
      { text: 'a'.repeat(FACEBOOK_POST_TEXT_MAX + 1), title: 'x' },
      'facebook',
    );
    assert.equal(problem?.path, 'text');
    assert.match(
      problem?.message ?? '',
      /63207.*Facebook.*63206.*\(Facebook post text is 63207 characters; the limit is 63206\)/,
    );
    assert.deepEqual(
      checkPlatformLimits({ text: '', title: 'x' }, 'facebook').map((p) => p.path),
      ['text'],
    );
  });

  it('refuses a Zalo title that is empty or longer than 149, and a description over 300', () => {
    assert.deepEqual(
      checkPlatformLimits({ text: 'x', title: '   ' }, 'zalo').map((p) => p.path),
      ['title'],
    );
    const problems = checkPlatformLimits(
      { text: 'x', title: 'T'.repeat(ZALO_TITLE_MAX + 1), description: 'd'.repeat(ZALO_DESCRIPTION_MAX + 1) },
      'zalo',
    );
    assert.deepEqual(
      problems.map((p) => p.path),
      ['title', 'description'],
    );
    assert.match(
      problems[0]?.message ?? '',
      /Tiêu đề dài 150 ký tự.*Zalo article title is 150 characters; it must be 1–149/,
    );
    assert.match(problems[1]?.message ?? '', /Zalo article description is 301 characters/);
  });
});
