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
    assert.equal(article.cover, undefined);
  });

  it('adds the link as its own paragraph when the text lacks it', () => {
    const article = buildArticle({ text: 'Tiêu đề', link: 'https://loa.example/l/x', trackingMarker: 'x' });
    assert.equal(article.body.length, 2);
  });

  it('uses the cover image URL, percent-encoded', () => {
    const article = buildArticle({ text: 'A', images: [png(10)], trackingMarker: 'm' });
    assert.equal(article.cover?.photo_url, 'https://loa.example/m/c%E1%BA%A3nh%20b%C3%A1o.png');
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
    const article = buildArticle({ text: 'word '.repeat(200), trackingMarker: 'm' });
    assert.ok([...article.description].length <= 300);
    assert.equal(truncate('short', 300), 'short');
  });
});
