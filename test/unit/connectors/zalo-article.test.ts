import assert from 'node:assert/strict';
import { ConnectorFailure } from '../../../server/connectors/types.ts';
import { articleTitle, buildArticle, truncate } from '../../../server/connectors/zalo/zalo-article.ts';

const png = (bytes: number) => ({
  data: Buffer.alloc(bytes),
  mime: 'image/png',
  url: 'https://loa.example/m/cảnh báo.png',
});

describe('Zalo article body', () => {
  it('builds a visible normal article with paragraphs, a clickable tracked link and tracking_link', () => {
    const article = buildArticle({
      text: 'Cảnh báo lừa đảo <mới>\n\nKhông chuyển tiền.\nXem https://loa.example/l/abc123',
      link: 'https://loa.example/l/abc123',
      coverImage: png(10),
      trackingMarker: 'abc123',
    });
    assert.equal(article.type, 'normal');
    assert.equal(article.status, 'show');
    assert.equal(article.title, 'Cảnh báo lừa đảo <mới>');
    assert.equal(article.tracking_link, 'https://loa.example/l/abc123');
    assert.deepEqual(article.body, [
      { type: 'text', content: '<p>Cảnh báo lừa đảo &lt;mới&gt;</p>' },
      {
        type: 'text',
        content:
          '<p>Không chuyển tiền.<br>Xem <a href="https://loa.example/l/abc123">https://loa.example/l/abc123</a></p>',
      },
    ]);
    assert.deepEqual(article.cover, {
      cover_type: 'photo',
      photo_url: 'https://loa.example/m/c%E1%BA%A3nh%20b%C3%A1o.png',
      status: 'show',
    });
  });

  it('refuses an article without a cover URL (Zalo fetches covers itself)', () => {
    for (const images of [undefined, [{ data: Buffer.alloc(10), mime: 'image/png' }]]) {
      assert.throws(
        () => buildArticle({ text: 'A', ...(images ? { images } : {}), trackingMarker: 'm' }),
        (error: unknown) => error instanceof ConnectorFailure && /public URL/.test(error.message),
      );
    }
  });

  it('adds the link as its own paragraph when the text lacks it', () => {
    const article = buildArticle({
      text: 'Tiêu đề',
      link: 'https://loa.example/l/x',
      images: [png(10)],
      trackingMarker: 'x',
    });
    assert.equal(article.body.length, 2);
  });

  it('puts further images with a URL into the body', () => {
    const second = { ...png(10), url: 'https://loa.example/m/2.png' };
    const article = buildArticle({ text: 'A', images: [png(10), second], trackingMarker: 'm' });
    assert.deepEqual(article.body.at(-1), { type: 'image', url: 'https://loa.example/m/2.png' });
  });

  it('refuses a cover over 1 MB and a non-JPG/PNG cover as rejected', () => {
    for (const image of [png(1024 * 1024 + 1), { data: Buffer.alloc(5), mime: 'image/webp' }]) {
      assert.throws(
        () => buildArticle({ text: 'A', coverImage: image, trackingMarker: 'm' }),
        (error: unknown) => error instanceof ConnectorFailure && error.failure.kind === 'rejected',
      );
    }
  });

  it('derives and truncates a title at 149 characters without splitting a character', () => {
    const long = 'ệ'.repeat(200);
    const title = articleTitle({ text: `${long}\nbody` });
    assert.equal([...title].length, 149);
    assert.ok(title.endsWith('…'));
    assert.equal(title.normalize('NFC'), title);
  });

  it('refuses an explicit title that is too long or empty', () => {
    for (const title of ['x'.repeat(150), '   ']) {
      assert.throws(() => articleTitle({ title, text: 'body' }), ConnectorFailure);
    }
    assert.equal(articleTitle({ title: 'x'.repeat(149), text: 'b' }).length, 149);
  });

  it('keeps descriptions within 300 characters', () => {
    const article = buildArticle({ text: 'word '.repeat(200), coverImage: png(1), trackingMarker: 'm' });
    assert.ok([...article.description].length <= 300);
    assert.equal(truncate('short', 300), 'short');
  });
});
