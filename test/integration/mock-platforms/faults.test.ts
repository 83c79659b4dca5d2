import assert from 'node:assert/strict';
import { control, fbError, form, json, request, startMocks, type Mocks } from './helpers.ts';

describe('mock platforms: fault injection', () => {
  let mocks: Mocks;
  let page: { id: string; access_token: string };
  let graph: string;
  before(async () => {
    mocks = await startMocks();
    graph = `${mocks.fb}/v26.0`;
  });
  after(() => mocks.close());
  beforeEach(async () => {
    await control(mocks.fb, 'POST', '/reset');
    await control(mocks.zalo, 'POST', '/reset');
    page = await control(mocks.fb, 'POST', '/pages', { name: 'P' });
  });

  const publish = (message: string) =>
    request(`${graph}/${page.id}/feed`, form({ message, access_token: page.access_token }));
  const ledger = async () =>
    (await control<{ items: unknown[] }>(mocks.fb, 'GET', `/posts?page_id=${page.id}`)).items;

  it('answers with the given status and body without carrying the request out, `times` times', async () => {
    const body = {
      error: {
        message: '(#368) The action attempted has been deemed abusive',
        type: 'OAuthException',
        code: 368,
        fbtrace_id: 'abc',
      },
    };
    await control(mocks.fb, 'POST', '/faults', { method: 'POST', path: '/feed', times: 2, body });
    for (let i = 0; i < 2; i++) {
      const reply = await publish(`m${i}`);
      assert.equal(reply.status, 400, 'status follows the Graph code when only a body is given');
      assert.equal(fbError(reply).code, 368);
    }
    assert.equal((await ledger()).length, 0);
    assert.equal((await publish('m2')).status, 200);
    await control(mocks.fb, 'POST', '/faults', { path: '/feed', times: 1, status: 500 });
    const transient = await publish('m3');
    assert.equal(transient.status, 500);
    assert.equal(fbError(transient).code, 1);
    assert.equal((await ledger()).length, 1);
  });

  it('delays the answer but carries the request out', async () => {
    await control(mocks.fb, 'POST', '/faults', { path: '/feed', times: 1, delayMs: 300 });
    const pending = publish('slow');
    // The post exists before the client hears back.
    let items: unknown[] = [];
    while (items.length === 0) items = await ledger();
    const reply = await pending;
    assert.equal(reply.status, 200);
    assert.equal((items[0] as { id: string }).id, reply.body.id);
  });

  it('drops the connection after carrying the request out', async () => {
    await control(mocks.fb, 'POST', '/faults', { method: 'POST', path: '/feed', times: 1, drop: true });
    await assert.rejects(publish('lost'), /fetch failed/);
    const items = (await ledger()) as Array<{ message: string }>;
    assert.deepEqual(
      items.map((p) => p.message),
      ['lost'],
    );
  });

  it('never applies to /_mock and can be cleared', async () => {
    await control(mocks.fb, 'POST', '/faults', { times: 5, status: 503 });
    assert.ok(Array.isArray((await control<{ items: unknown[] }>(mocks.fb, 'GET', '/posts')).items));
    await control(mocks.fb, 'DELETE', '/faults');
    assert.equal((await publish('ok')).status, 200);
  });

  it('applies to the Zalo mock too, with its always-200 envelope', async () => {
    const oa = await control<{ access_token: string }>(mocks.zalo, 'POST', '/oas', { name: 'OA' });
    await control(mocks.zalo, 'POST', '/faults', {
      path: '/v2.0/article/create',
      times: 1,
      body: { error: -32, message: 'Your application reached limit call api' },
    });
    const article = {
      type: 'normal',
      title: 'T',
      description: 'd',
      cover: { cover_type: 'photo', photo_url: 'https://example.org/c.jpg', status: 'show' },
      body: [{ type: 'text', content: '<p>x</p>' }],
      status: 'show',
    };
    const faulted = await request(
      `${mocks.zalo}/v2.0/article/create`,
      json(article, { access_token: oa.access_token }),
    );
    assert.equal(faulted.status, 200);
    assert.equal(faulted.body.error, -32);
    await control(mocks.zalo, 'POST', '/faults', { path: '/v2.0/article/create', times: 1, drop: true });
    await assert.rejects(
      request(`${mocks.zalo}/v2.0/article/create`, json(article, { access_token: oa.access_token })),
      /fetch failed/,
    );
    const items = (await control<{ items: unknown[] }>(mocks.zalo, 'GET', '/posts')).items;
    assert.equal(items.length, 1);
  });
});
