import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import {
  control,
  credentials,
  form,
  request,
  startMocks,
  startReceiver,
  type Mocks,
  type Receiver,
} from './helpers.ts';

describe('mock Facebook: webhooks', () => {
  let mocks: Mocks;
  let receiver: Receiver | undefined;
  before(async () => {
    mocks = await startMocks();
  });
  after(() => mocks.close());
  beforeEach(() => control(mocks.fb, 'POST', '/reset'));
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  /** Answers the subscribe handshake like a correct callback, then `status` for deliveries. */
  function hubAnswer(deliveryStatus: (index: number) => number) {
    let deliveries = 0;
    return (hook: { method: string; url: string }) => {
      if (hook.method === 'GET') {
        const url = new URL(hook.url, 'http://x');
        const ok =
          url.searchParams.get('hub.mode') === 'subscribe' &&
          url.searchParams.get('hub.verify_token') === credentials.facebookVerifyToken;
        return ok ? { status: 200, body: url.searchParams.get('hub.challenge') ?? '' } : { status: 403 };
      }
      return { status: deliveryStatus(deliveries++) };
    };
  }

  it('refuses a callback that fails the hub.challenge handshake', async () => {
    receiver = await startReceiver(() => ({ status: 200, body: 'wrong' }));
    const reply = await request(`${mocks.fb}/_mock/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url }),
    });
    assert.equal(reply.status, 400);
  });

  it('verifies the subscription, then delivers signed feed changes and retries on non-2xx', async () => {
    receiver = await startReceiver(hubAnswer((index) => (index === 0 ? 500 : 200)));
    await control(mocks.fb, 'POST', '/webhooks', { url: receiver.url });
    const handshake = receiver.received[0];
    assert.equal(handshake?.method, 'GET');
    assert.match(handshake?.url ?? '', /hub\.mode=subscribe/);

    const page = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'Trạm ä',
      fan_count: 3000,
    });
    const created = await request(
      `${mocks.fb}/v26.0/${page.id}/feed`,
      form({ message: 'Lũ quét ở xã Ä', access_token: page.access_token }),
    );
    // 1 handshake + a refused delivery + its retry.
    const hooks = await receiver.waitFor(3);
    const [refused, retried] = [hooks[1], hooks[2]];
    assert.equal(refused?.body, retried?.body);
    for (const hook of [refused, retried]) {
      const expected = `sha256=${createHmac('sha256', credentials.facebookAppSecret)
        .update(hook?.body ?? '')
        .digest('hex')}`;
      assert.equal(hook?.headers['x-hub-signature-256'], expected);
    }
    assert.ok(
      [...(retried?.body ?? '')].every((c) => c.charCodeAt(0) < 128),
      'the body is escaped-unicode JSON',
    );
    const payload = JSON.parse(retried?.body ?? '{}') as {
      object: string;
      entry: Array<{ id: string; changes: Array<{ field: string; value: Record<string, unknown> }> }>;
    };
    assert.equal(payload.object, 'page');
    assert.equal(payload.entry[0]?.id, page.id);
    assert.deepEqual(payload.entry[0]?.changes[0]?.value.post_id, created.body.id);
    assert.equal(payload.entry[0]?.changes[0]?.value.verb, 'add');
    assert.equal(payload.entry[0]?.changes[0]?.value.message, 'Lũ quét ở xã Ä');

    // Engagement grows as simulated time passes: reactions, comments and shares arrive.
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 2 * 86_400 });
    const all = await receiver.waitFor(4);
    const growth = JSON.parse(all[3]?.body ?? '{}') as typeof payload;
    const items = new Set(growth.entry[0]?.changes.map((c) => c.value.item));
    assert.ok(items.has('reaction'));
  });

  it('stops retrying after the configured attempts', async () => {
    receiver = await startReceiver(hubAnswer(() => 503));
    await control(mocks.fb, 'POST', '/config', { webhookRetryDelaysMs: [10, 10] });
    await control(mocks.fb, 'POST', '/webhooks', { url: receiver.url });
    const page = await control<{ id: string; access_token: string }>(mocks.fb, 'POST', '/pages', {
      name: 'P',
    });
    await request(
      `${mocks.fb}/v26.0/${page.id}/feed`,
      form({ message: 'x', access_token: page.access_token }),
    );
    await receiver.waitFor(4);
    let state: { deliveries: Array<{ state: string; attempts: unknown[] }> };
    do state = await control(mocks.fb, 'GET', '/webhooks');
    while (state.deliveries[0]?.state === 'pending');
    assert.equal(state.deliveries[0]?.state, 'failed');
    assert.equal(state.deliveries[0]?.attempts.length, 3);
  });
});
