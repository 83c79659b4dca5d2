import assert from 'node:assert/strict';
import { control, fbError, form, json, request, startMocks, tinyPng, type Mocks } from './helpers.ts';

interface LedgerItem {
  id: string;
  message: string | null;
  media: Array<{ id: string }>;
  published: boolean;
  deleted_time?: string;
}

describe('mock Facebook: publishing', () => {
  let mocks: Mocks;
  let graph: string;
  let page: { id: string; access_token: string };
  before(async () => {
    mocks = await startMocks();
    graph = `${mocks.fb}/v26.0`;
  });
  after(() => mocks.close());
  beforeEach(async () => {
    await control(mocks.fb, 'POST', '/reset');
    page = await control(mocks.fb, 'POST', '/pages', { name: 'Phường 1', fan_count: 1000 });
  });

  const post = (path: string, fields: Record<string, string>) =>
    request(`${graph}${path}`, form({ ...fields, access_token: page.access_token }));
  const ledger = async () =>
    (await control<{ items: LedgerItem[] }>(mocks.fb, 'GET', `/posts?page_id=${page.id}`)).items;

  it('publishes a feed post as {page}_{post} and records it in the ledger', async () => {
    const reply = await post(`/${page.id}/feed`, {
      message: 'Cảnh báo mưa lớn',
      link: 'https://example.org/a',
    });
    assert.equal(reply.status, 200);
    assert.match(String(reply.body.id), new RegExp(`^${page.id}_\\d{15,18}$`));
    const items = await ledger();
    assert.equal(items.length, 1);
    assert.equal(items[0]?.id, reply.body.id);
    assert.equal(items[0]?.message, 'Cảnh báo mưa lớn');
    assert.equal(items[0]?.published, true);
  });

  it('returns requested fields from the create call', async () => {
    const reply = await request(
      `${graph}/${page.id}/feed?fields=id,permalink_url`,
      form({ message: 'x', access_token: page.access_token }),
    );
    assert.match(String(reply.body.permalink_url), /^https:\/\/www\.facebook\.com\/\d+\/posts\/\d+$/);
  });

  it('rejects the same message twice in a row with 506, but not after another post', async () => {
    assert.equal((await post(`/${page.id}/feed`, { message: 'same' })).status, 200);
    const dup = await post(`/${page.id}/feed`, { message: 'same' });
    assert.equal(dup.status, 400);
    assert.equal(fbError(dup).code, 506);
    assert.equal(fbError(dup).message, '(#506) Duplicate status message');
    assert.equal((await post(`/${page.id}/feed`, { message: 'other' })).status, 200);
    assert.equal((await post(`/${page.id}/feed`, { message: 'same' })).status, 200);
    assert.equal((await ledger()).length, 3);
  });

  it('lets an unpublished photo be attached once, in order, from JSON or indexed form encoding', async () => {
    const photoIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await post(`/${page.id}/photos`, {
        url: `https://example.org/${i}.png`,
        published: 'false',
      });
      assert.equal(reply.body.post_id, undefined);
      photoIds.push(String(reply.body.id));
    }
    const viaJson = await request(
      `${graph}/${page.id}/feed`,
      json({
        message: 'album',
        attached_media: [{ media_fbid: photoIds[0] }, { media_fbid: photoIds[1] }],
        access_token: page.access_token,
      }),
    );
    assert.equal(viaJson.status, 200);
    const again = await post(`/${page.id}/feed`, {
      message: 'again',
      'attached_media[0]': JSON.stringify({ media_fbid: photoIds[0] }),
    });
    assert.equal(again.status, 400);
    assert.equal(fbError(again).code, 100);
    const indexed = await post(`/${page.id}/feed`, {
      message: 'third',
      'attached_media[0]': JSON.stringify({ media_fbid: photoIds[2] }),
    });
    assert.equal(indexed.status, 200);
    const items = await ledger();
    assert.deepEqual(
      items[0]?.media.map((m) => m.id),
      photoIds.slice(0, 2),
    );
    assert.deepEqual(
      items[1]?.media.map((m) => m.id),
      [photoIds[2]],
    );
    const unknown = await post(`/${page.id}/feed`, {
      message: 'z',
      attached_media: JSON.stringify([{ media_fbid: '999' }]),
    });
    assert.equal(fbError(unknown).code, 100);
  });

  it('publishes a photo with a post_id, checks multipart bytes and size', async () => {
    const multipart = new FormData();
    multipart.set('access_token', page.access_token);
    multipart.set('caption', 'Ảnh');
    multipart.set('source', new Blob([tinyPng], { type: 'image/png' }), 'a.png');
    const reply = await request(`${graph}/${page.id}/photos`, { method: 'POST', body: multipart });
    assert.match(String(reply.body.post_id), new RegExp(`^${page.id}_`));
    const notImage = new FormData();
    notImage.set('access_token', page.access_token);
    notImage.set('source', new Blob([Buffer.from('hello')], { type: 'image/png' }), 'a.png');
    assert.equal(
      fbError(await request(`${graph}/${page.id}/photos`, { method: 'POST', body: notImage })).code,
      324,
    );
    assert.equal(fbError(await post(`/${page.id}/photos`, {})).code, 324);
  });

  it('checks the scheduling window and publishes scheduled posts when they fall due', async () => {
    const now = Math.floor(Date.now() / 1000);
    const onPublished = await post(`/${page.id}/feed`, {
      message: 's',
      scheduled_publish_time: String(now + 3600),
    });
    assert.match(fbError(onPublished).message, /cannot specify a scheduled publish time on a published post/);
    const tooSoon = await post(`/${page.id}/feed`, {
      message: 's',
      published: 'false',
      scheduled_publish_time: String(now + 60),
    });
    assert.equal(fbError(tooSoon).message, '(#100) The specified scheduled publish time is invalid');
    const tooLate = await post(`/${page.id}/feed`, {
      message: 's',
      published: 'false',
      scheduled_publish_time: String(now + 40 * 86_400),
    });
    assert.equal(fbError(tooLate).code, 100);
    const iso = new Date((now + 7200) * 1000).toISOString();
    const ok = await post(`/${page.id}/feed`, {
      message: 'later',
      published: 'false',
      scheduled_publish_time: iso,
    });
    assert.equal(ok.status, 200);
    const feed = () => request(`${graph}/${page.id}/published_posts?access_token=${page.access_token}`);
    assert.equal(((await feed()).body.data as unknown[]).length, 0);
    const scheduled = await request(`${graph}/${page.id}/scheduled_posts?access_token=${page.access_token}`);
    assert.equal((scheduled.body.data as unknown[]).length, 1);
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 7300 });
    const data = (await feed()).body.data as Array<{ id: string }>;
    assert.deepEqual(
      data.map((p) => p.id),
      [ok.body.id],
    );
  });

  it('supports the two-phase publish: published=false, then is_published=true, idempotently', async () => {
    const dark = await post(`/${page.id}/feed`, { message: 'dark', published: 'false' });
    const id = String(dark.body.id);
    assert.equal(
      (await request(`${graph}/${id}?access_token=${page.access_token}&fields=is_published`)).body
        .is_published,
      false,
    );
    for (let i = 0; i < 2; i++)
      assert.deepEqual((await post(`/${id}`, { is_published: 'true' })).body, { success: true });
    assert.equal(
      (await request(`${graph}/${id}?access_token=${page.access_token}&fields=is_published`)).body
        .is_published,
      true,
    );
  });

  it('deletes posts; the ledger keeps them with deleted_time; a second delete fails', async () => {
    const created = await post(`/${page.id}/feed`, { message: 'bye' });
    const id = String(created.body.id);
    const del = await request(`${graph}/${id}?access_token=${page.access_token}`, { method: 'DELETE' });
    assert.deepEqual(del.body, { success: true });
    const items = await ledger();
    assert.equal(items[0]?.id, id);
    assert.match(String(items[0]?.deleted_time), /^\d{4}-\d\d-\d\dT/);
    const again = await request(`${graph}/${id}?access_token=${page.access_token}`, { method: 'DELETE' });
    assert.equal(fbError(again).code, 100);
    assert.equal(fbError(again).error_subcode, 33);
    assert.equal(fbError(await request(`${graph}/${id}?access_token=${page.access_token}`)).code, 100);
  });

  it('records member shares made with that member token', async () => {
    const user = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/users', {
      name: 'An',
      friends: 300,
    });
    const other = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/users', {
      name: 'Bình',
    });
    const share = (token: string) =>
      request(
        `${mocks.fb}/_mock/users/${user.id}/shares`,
        json({ link: 'https://example.org/p/1', message: 'Chia sẻ' }, { authorization: `Bearer ${token}` }),
      );
    assert.equal((await share(other.access_token)).status, 403);
    assert.equal((await share('nope')).status, 400);
    const ok = await share(user.access_token);
    assert.equal(ok.status, 201);
    const shares = await control<{ items: Array<{ id: string; user_id: string; link: string }> }>(
      mocks.fb,
      'GET',
      `/shares?user_id=${user.id}`,
    );
    assert.deepEqual(
      shares.items.map((s) => [s.id, s.user_id, s.link]),
      [[ok.body.id, user.id, 'https://example.org/p/1']],
    );
  });
});
