// The media library over HTTP: every rejection class stores nothing; metadata stripped and
// orientation applied on what is stored; variants served; alt text; deletion guarded by posts.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq, sql } from 'drizzle-orm';
import exifr from 'exifr';
import request from 'supertest';
import { auditLog, posts } from '../../../server/db/schema.ts';
import { sharp } from '../../../server/rendering/sharp.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { jpegWithGpsAndOrientation, pngHeaderClaiming, solidJpeg } from './media-fixtures.ts';

const MAX_BYTES = 2 * 1024 * 1024;

function filesUnder(dir: string): string[] {
  let out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of entries) {
    const full = path.join(dir, name);
    out = statSync(full).isDirectory() ? out.concat(filesUnder(full)) : out.concat(full);
  }
  return out;
}

describe('media API', function () {
  let t: TestApp;
  let mediaDir: string;
  let editor: Awaited<ReturnType<typeof makeUser>>;
  let reviewer: Record<string, string>;
  let member: Record<string, string>;

  const upload = (
    data: Buffer,
    name = 'anh.jpg',
    altText?: string,
    auth: Record<string, string> = editor.auth,
  ) => {
    let req = request(t.app).post('/api/v1/media').set(auth).attach('file', data, name);
    if (altText !== undefined) req = req.field('altText', altText);
    return req;
  };
  const mediaCount = async () => {
    const result = await t.c.database.db.execute(sql`select count(*)::int as n from media`);
    return (result.rows[0] as { n: number }).n;
  };

  before(async () => {
    mediaDir = mkdtempSync(path.join(tmpdir(), 'loa-media-'));
    t = await createTestApp({
      LOA_MEDIA_DIR: mediaDir,
      LOA_UPLOAD_MAX_BYTES: String(MAX_BYTES),
      LOA_UPLOAD_MAX_PIXELS: '40000000',
    });
    editor = await makeUser(t, 'editor');
    reviewer = (await makeUser(t, 'reviewer')).auth;
    member = (await makeUser(t, 'member')).auth;
  });
  after(async () => {
    await t.close();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  it('stores an upload without metadata, auto-oriented, with thumb and large variants that are served', async () => {
    const input = await jpegWithGpsAndOrientation();
    assert.equal((await exifr.parse(input, { gps: true }))?.GPSLatitudeRef, 'N', 'the fixture has GPS');
    const res = await upload(input, 'IMG_0001.JPG', 'Cán bộ tuyên truyền'.normalize('NFD')).expect(201);
    const body = res.body as {
      id: string;
      url: string;
      mime: string;
      width: number;
      height: number;
      altText: string;
      variants: { name: string; url: string; width: number }[];
    };
    assert.equal(body.mime, 'image/jpeg');
    assert.deepEqual([body.width, body.height], [480, 640], 'orientation 6 applied');
    assert.equal(body.altText, 'Cán bộ tuyên truyền'.normalize('NFC'));
    assert.deepEqual(body.variants.map((v) => v.name).sort(), ['large', 'thumb']);
    assert.equal(body.variants.find((v) => v.name === 'thumb')?.width, 320);

    const pathname = new URL(body.url).pathname;
    assert.match(pathname, /^\/media\/files\/[0-9a-f]{2}\/[0-9a-f]{64}\.jpg$/);
    const stored = readFileSync(path.join(mediaDir, pathname.slice('/media/'.length)));
    assert.equal(
      await exifr.parse(stored, { gps: true, tiff: true, xmp: true, iptc: true }),
      undefined,
      'no EXIF/GPS out',
    );
    const meta = await sharp(stored).metadata();
    assert.equal(meta.exif, undefined);
    assert.deepEqual([meta.width, meta.height], [480, 640]);

    for (const url of [body.url, ...body.variants.map((v) => v.url)]) {
      const served = await request(t.app).get(new URL(url).pathname).expect(200);
      assert.equal(served.headers['content-type'], 'image/jpeg');
      assert.equal(served.headers['x-content-type-options'], 'nosniff');
      assert.match(String(served.headers['cache-control']), /max-age=31536000/);
    }
    const got = await request(t.app).get(`/api/v1/media/${body.id}`).set(reviewer).expect(200);
    assert.equal(got.body.id, body.id);
  });

  const refusals: [string, () => Promise<Buffer>, string, number, RegExp][] = [
    [
      'an SVG',
      async () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      'a.jpg',
      415,
      /JPEG, PNG, WebP/,
    ],
    ['plain text', async () => Buffer.from('xin chào, đây không phải ảnh'), 'a.png', 415, /JPEG, PNG, WebP/],
    ['a PDF', async () => Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n'), 'a.jpg', 415, /PDF/],
    [
      'a JPEG/HTML polyglot',
      async () =>
        Buffer.concat([
          Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
          Buffer.from('<html><script>alert(1)</script></html>'),
        ]),
      'a.jpg',
      415,
      /polyglot/,
    ],
    [
      'a truncated JPEG',
      async () => (await solidJpeg(800, 600)).subarray(0, 1500),
      'a.jpg',
      422,
      /corrupt|truncated/i,
    ],
    [
      'a 100k×100k PNG header (pixel bomb)',
      async () => pngHeaderClaiming(100_000, 100_000),
      'a.png',
      422,
      /pixels/,
    ],
    [
      'a file over the size limit',
      async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(MAX_BYTES + 1000, 7)]),
      'a.jpg',
      413,
      /2 MB/,
    ],
  ];
  for (const [what, make, name, status, message] of refusals) {
    it(`refuses ${what} with ${status} and stores nothing`, async () => {
      const rowsBefore = await mediaCount();
      const filesBefore = filesUnder(path.join(mediaDir, 'files')).length;
      const res = await upload(await make(), name);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.match(res.body.error.message, message);
      assert.equal(await mediaCount(), rowsBefore, 'no row');
      assert.equal(filesUnder(path.join(mediaDir, 'files')).length, filesBefore, 'no file');
      assert.deepEqual(
        filesUnder(mediaDir).filter((f) => f.endsWith('.tmp')),
        [],
        'no temporary file left',
      );
    });
  }

  it('lets only editors and admins upload, change or delete', async () => {
    const image = await solidJpeg(64, 64);
    await upload(image, 'a.jpg', undefined, member).expect(403);
    await upload(image, 'a.jpg', undefined, reviewer).expect(403);
    await request(t.app).post('/api/v1/media').attach('file', image, 'a.jpg').expect(401);
    await request(t.app).get('/api/v1/media').set(member).expect(403);
    const id = (await upload(image).expect(201)).body.id as string;
    await request(t.app).patch(`/api/v1/media/${id}`).set(reviewer).send({ altText: 'x' }).expect(403);
    await request(t.app).delete(`/api/v1/media/${id}`).set(member).expect(403);
  });

  it('answers 422 without a file and 415 for a JSON body', async () => {
    await request(t.app).post('/api/v1/media').set(editor.auth).field('altText', 'x').expect(422);
    await request(t.app).post('/api/v1/media').set(editor.auth).send({ file: 'abc' }).expect(415);
  });

  it('changes the alt text (NFC) and audits upload, change and delete', async () => {
    const id = (await upload(await solidJpeg(100, 80, '#0044aa')).expect(201)).body.id as string;
    const res = await request(t.app)
      .patch(`/api/v1/media/${id}`)
      .set(editor.auth)
      .send({ altText: 'Tờ rơi cảnh báo'.normalize('NFD') })
      .expect(200);
    assert.equal(res.body.altText, 'Tờ rơi cảnh báo');
    await request(t.app).delete(`/api/v1/media/${id}`).set(editor.auth).expect(204);
    const actions = (
      await t.c.database.db
        .select({ action: auditLog.action })
        .from(auditLog)
        .where(eq(auditLog.targetId, id))
    ).map((r) => r.action);
    assert.deepEqual(actions.sort(), ['media.alt_text_changed', 'media.deleted', 'media.uploaded']);
  });

  it('refuses to delete an image a scheduled post uses (409), and allows it once the post is published', async () => {
    const id = (await upload(await solidJpeg(120, 90, '#228822')).expect(201)).body.id as string;
    const [post] = await t.c.database.db
      .insert(posts)
      .values({
        status: 'scheduled',
        title: 'Cảnh báo giả danh công an',
        text: 'Nội dung',
        mediaIds: [id],
        scheduledAt: new Date(Date.now() + 3_600_000),
        authorId: editor.user.id,
        slug: `canh-bao-${id.slice(0, 8)}`,
      })
      .returning();
    assert.ok(post);
    const refused = await request(t.app).delete(`/api/v1/media/${id}`).set(editor.auth).expect(409);
    assert.equal(refused.body.error.code, 'media_in_use');
    assert.match(refused.body.error.message, /Cảnh báo giả danh công an.*scheduled/);
    await request(t.app).get(`/api/v1/media/${id}`).set(editor.auth).expect(200);

    await t.c.database.db.update(posts).set({ status: 'published' }).where(eq(posts.id, post.id));
    await request(t.app).delete(`/api/v1/media/${id}`).set(editor.auth).expect(204);
    await request(t.app).get(`/api/v1/media/${id}`).set(editor.auth).expect(404);
    assert.deepEqual(await t.c.media.getMany([id]), []);
  });

  it('lists newest first with a cursor', async () => {
    const ids: string[] = [];
    for (const colour of ['#111111', '#222222', '#333333'])
      ids.push((await upload(await solidJpeg(40, 40, colour)).expect(201)).body.id as string);
    const first = await request(t.app).get('/api/v1/media?limit=2').set(editor.auth).expect(200);
    assert.deepEqual(
      first.body.items.map((i: { id: string }) => i.id),
      [ids[2], ids[1]],
    );
    assert.ok(first.body.nextCursor);
    const second = await request(t.app)
      .get(`/api/v1/media?limit=2&cursor=${first.body.nextCursor as string}`)
      .set(editor.auth)
      .expect(200);
    assert.equal(second.body.items[0].id, ids[0]);
    await request(t.app).get('/api/v1/media?cursor=bogus').set(editor.auth).expect(422);
  });

  it('gives publishing the bytes and absolute URLs of a row', async () => {
    const id = (await upload(await solidJpeg(1600, 900, '#884400')).expect(201)).body.id as string;
    const [row] = await t.c.media.getMany([id]);
    assert.ok(row);
    const large = await t.c.media.readFile(row, 'large');
    assert.equal((await sharp(large).metadata()).width, 1080);
    assert.match(t.c.media.publicUrl(row, 'large'), /^http:\/\/localhost:\d+\/media\/files\/.+-large\.jpg$/);
  });
});
