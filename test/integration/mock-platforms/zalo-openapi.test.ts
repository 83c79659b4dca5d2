import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  control,
  credentials,
  json,
  request,
  startMocks,
  startReceiver,
  tinyPng,
  type Mocks,
} from './helpers.ts';

const article = (overrides: Record<string, unknown> = {}) => ({
  type: 'normal',
  title: 'Cảnh báo lũ',
  author: 'UBND',
  description: 'Mô tả ngắn',
  cover: { cover_type: 'photo', photo_url: 'https://example.org/cover.jpg', status: 'show' },
  body: [
    { type: 'text', content: '<p>Nội dung</p>' },
    { type: 'image', url: 'https://example.org/a.png' },
  ],
  status: 'show',
  ...overrides,
});

describe('mock Zalo: articles, broadcast, uploads, limits, webhooks', () => {
  let mocks: Mocks;
  let oa: { oa_id: string; access_token: string };
  before(async () => {
    mocks = await startMocks();
  });
  after(() => mocks.close());
  beforeEach(async () => {
    await control(mocks.zalo, 'POST', '/reset');
    oa = await control(mocks.zalo, 'POST', '/oas', { name: 'OA', followers: 2000, broadcast_quota: 2 });
  });

  const post = (path: string, body: unknown) =>
    request(`${mocks.zalo}${path}`, json(body, { access_token: oa.access_token }));
  const get = (path: string) =>
    request(`${mocks.zalo}${path}`, { headers: { access_token: oa.access_token } });

  async function publishArticle(overrides: Record<string, unknown> = {}): Promise<string> {
    const created = await post('/v2.0/article/create', article(overrides));
    assert.equal(created.body.error, 0);
    const token = (created.body.data as { token: string }).token;
    for (;;) {
      const verified = await post('/v2.0/article/verify', { token });
      if (verified.body.error === -214) continue;
      assert.equal(verified.body.error, 0);
      return (verified.body.data as { id: string }).id;
    }
  }

  /** Moves the shared clock to the next given hour in Asia/Ho_Chi_Minh (UTC+7). */
  async function advanceToVietnamHour(hour: number) {
    const { now_ms } = await control<{ now_ms: number }>(mocks.zalo, 'GET', '/clock');
    const local = now_ms + 7 * 3_600_000;
    const dayStart = Math.floor(local / 86_400_000) * 86_400_000;
    let target = dayStart + hour * 3_600_000 + 60_000;
    if (target <= local) target += 86_400_000;
    await control(mocks.zalo, 'POST', '/clock/advance', { seconds: Math.ceil((target - local) / 1000) });
  }

  it('creates an article as a token, verifies with -214 for the configured polls, then gives the id', async () => {
    const created = await post('/v2.0/article/create', article());
    assert.deepEqual(Object.keys(created.body).sort(), ['data', 'error', 'message']);
    const token = (created.body.data as { token: string }).token;
    const answers: unknown[] = [];
    for (let i = 0; i < 3; i++) answers.push((await post('/v2.0/article/verify', { token })).body.error);
    assert.deepEqual(answers, [-214, -214, 0]);
    const id = ((await post('/v2.0/article/verify', { token })).body.data as { id: string }).id;
    const detail = await get(`/v2.0/article/getdetail?id=${id}`);
    assert.equal((detail.body.data as { title: string }).title, 'Cảnh báo lũ');
    const slice = await get('/v2.0/article/getslice?offset=0&limit=5&type=normal');
    assert.deepEqual(
      (slice.body.data as { medias: Array<{ id: string }> }).medias.map((m) => m.id),
      [id],
    );
    assert.equal((await get('/v2.0/article/getslice?offset=0&limit=11')).body.error, -201);
  });

  it('validates title, description and defaults status to hide', async () => {
    assert.equal((await post('/v2.0/article/create', article({ title: '' }))).body.error, -201);
    assert.equal((await post('/v2.0/article/create', article({ title: 'x'.repeat(150) }))).body.error, -201);
    assert.equal((await post('/v2.0/article/create', article({ title: 'x'.repeat(149) }))).body.error, 0);
    assert.equal(
      (await post('/v2.0/article/create', article({ description: 'd'.repeat(301) }))).body.error,
      -201,
    );
    const id = await publishArticle({ status: undefined });
    assert.equal(
      ((await get(`/v2.0/article/getdetail?id=${id}`)).body.data as { status: string }).status,
      'hide',
    );
  });

  it('removes articles; the ledger keeps them with deleted_time', async () => {
    const id = await publishArticle();
    assert.equal((await post('/v2.0/article/remove', { id })).body.error, 0);
    assert.equal((await get(`/v2.0/article/getdetail?id=${id}`)).body.error, -201);
    const items = (
      await control<{ items: Array<{ id: string; text: string; deleted_time?: string }> }>(
        mocks.zalo,
        'GET',
        `/posts?oa_id=${oa.oa_id}`,
      )
    ).items;
    assert.equal(items[0]?.id, id);
    assert.match(items[0]?.text ?? '', /Cảnh báo lũ\n<p>Nội dung<\/p>/);
    assert.match(String(items[0]?.deleted_time), /^\d{4}-/);
  });

  it('broadcasts a verified article by day, refuses at night (-234) and past the monthly quota (-211)', async () => {
    // Moving to the right hour can take more than a day: give this OA a longer-lived token.
    await control(mocks.zalo, 'POST', '/config', { accessTokenLifetimeSeconds: 10 * 86_400 });
    oa = await control(mocks.zalo, 'POST', '/oas', { name: 'OA', followers: 2000, broadcast_quota: 2 });
    const id = await publishArticle();
    const message = {
      recipient: { target: { gender: '0', cities: '4,5' } },
      message: {
        attachment: {
          type: 'template',
          payload: { template_type: 'media', elements: [{ media_type: 'article', attachment_id: id }] },
        },
      },
    };
    await advanceToVietnamHour(23);
    const night = await post('/v2.0/oa/message', message);
    assert.deepEqual([night.status, night.body.error], [200, -234]);
    await advanceToVietnamHour(10);
    const ok = await post('/v2.0/oa/message', message);
    assert.equal(ok.body.error, 0);
    assert.equal(typeof (ok.body.data as { message_id: string }).message_id, 'string');
    assert.equal((await post('/v2.0/oa/message', message)).body.error, 0);
    assert.equal((await post('/v2.0/oa/message', message)).body.error, -211);
    const badArticle = structuredClone(message);
    badArticle.message.attachment.payload.elements[0]!.attachment_id = '123';
    assert.equal((await post('/v2.0/oa/message', badArticle)).body.error, -201);
  });

  it('uploads jpg/png up to 1 MB only', async () => {
    const upload = (bytes: Buffer, name: string) => {
      const body = new FormData();
      body.set('file', new Blob([new Uint8Array(bytes)]), name);
      return request(`${mocks.zalo}/v2.0/oa/upload/image`, {
        method: 'POST',
        headers: { access_token: oa.access_token },
        body,
      });
    };
    const ok = await upload(tinyPng, 'a.png');
    assert.equal(ok.body.error, 0);
    assert.equal(typeof (ok.body.data as { attachment_id: string }).attachment_id, 'string');
    assert.equal((await upload(Buffer.from('GIF89a........'), 'a.gif')).body.error, -201);
    const big = Buffer.concat([tinyPng, Buffer.alloc(1024 * 1024)]);
    assert.equal((await upload(big, 'big.png')).body.error, -210);
  });

  it('reports the rate limit in headers and answers -32 when it is exhausted', async () => {
    await control(mocks.zalo, 'POST', '/config', { rateLimitPerMinute: 3 });
    const remains: string[] = [];
    for (let i = 0; i < 3; i++) {
      const reply = await get('/v3.0/oa/getoa');
      assert.equal(reply.headers.get('x-ratelimit-limit'), '3');
      remains.push(reply.headers.get('x-ratelimit-remain') ?? '');
    }
    assert.deepEqual(remains, ['2', '1', '0']);
    const limited = await get('/v3.0/oa/getoa');
    assert.deepEqual([limited.status, limited.body.error], [200, -32]);
    await control(mocks.zalo, 'POST', '/clock/advance', { seconds: 60 });
    assert.equal((await get('/v3.0/oa/getoa')).body.error, 0);
  });

  it('signs webhooks with mac=sha256(app_id + body + timestamp + OA secret key)', async () => {
    const receiver = await startReceiver();
    try {
      await control(mocks.zalo, 'POST', '/webhooks', { url: receiver.url });
      await control(mocks.zalo, 'POST', '/webhooks/emit', {
        event_name: 'user_send_text',
        oa_id: oa.oa_id,
        text: 'xin chào',
      });
      const [hook] = await receiver.waitFor(1);
      const payload = JSON.parse(hook?.body ?? '{}') as {
        timestamp: string;
        event_name: string;
        app_id: string;
      };
      assert.equal(payload.event_name, 'user_send_text');
      const mac = createHash('sha256')
        .update(credentials.zaloAppId + (hook?.body ?? '') + payload.timestamp + credentials.zaloOaSecretKey)
        .digest('hex');
      assert.equal(hook?.headers['x-zevent-signature'], `mac=${mac}`);
    } finally {
      await receiver.close();
    }
  });

  it('grows article views over simulated time, and reset empties everything', async () => {
    const id = await publishArticle();
    await control(mocks.zalo, 'POST', '/clock/advance', { seconds: 86_400 });
    const detail = (await get(`/v2.0/article/getdetail?id=${id}`)).body.data as { total_view: number };
    assert.ok(detail.total_view > 0);
    await control(mocks.zalo, 'POST', '/reset');
    assert.deepEqual((await control<{ items: unknown[] }>(mocks.zalo, 'GET', '/posts')).items, []);
    assert.equal((await get('/v3.0/oa/getoa')).body.error, -216);
  });
});
