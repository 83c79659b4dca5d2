import assert from 'node:assert/strict';
import { control, fbError, form, request, startMocks, type Mocks } from './helpers.ts';

describe('mock Facebook: reads, engagement, insights, usage', () => {
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
    page = await control(mocks.fb, 'POST', '/pages', { name: 'Phường 1', fan_count: 5000 });
  });

  const publish = async (message: string) =>
    String(
      (await request(`${graph}/${page.id}/feed`, form({ message, access_token: page.access_token }))).body.id,
    );

  it('pages the feed newest first with limit, cursors and since', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await publish(`post ${i}`));
      await control(mocks.fb, 'POST', '/clock/advance', { seconds: 60 });
    }
    const seen: string[] = [];
    let url: string | undefined = `${graph}/${page.id}/feed?limit=2&access_token=${page.access_token}`;
    while (url) {
      const reply = await request(url);
      const data = reply.body.data as Array<{ id: string; message: string; created_time: string }>;
      seen.push(...data.map((p) => p.id));
      url = (reply.body.paging as { next?: string } | undefined)?.next;
    }
    assert.deepEqual(seen, [...ids].reverse());
    const clock = await control<{ now_ms: number }>(mocks.fb, 'GET', '/clock');
    const since = Math.floor(clock.now_ms / 1000) - 150;
    const recent = await request(
      `${graph}/${page.id}/published_posts?since=${since}&access_token=${page.access_token}`,
    );
    assert.deepEqual(
      (recent.body.data as Array<{ id: string }>).map((p) => p.id),
      [ids[4], ids[3]],
    );
  });

  it('grows reactions, comments and shares over simulated time, omitting shares while zero', async () => {
    const id = await publish('Cảnh báo');
    const fields =
      'message,created_time,permalink_url,shares,reactions.summary(total_count).limit(0),comments.summary(true).limit(0)';
    const read = async () =>
      (await request(`${graph}/${id}?fields=${encodeURIComponent(fields)}&access_token=${page.access_token}`))
        .body;
    const fresh = await read();
    assert.equal(fresh.shares, undefined, 'shares is omitted when zero');
    assert.deepEqual(fresh.reactions, { data: [], summary: { total_count: 0, viewer_reaction: 'NONE' } });
    assert.equal((fresh.comments as { summary: { total_count: number } }).summary.total_count, 0);
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 3 * 3600 });
    const early = await read();
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 3 * 86_400 });
    const late = await read();
    const total = (body: Record<string, unknown>) =>
      (body.reactions as { summary: { total_count: number } }).summary.total_count;
    assert.ok(total(early) > 0);
    assert.ok(total(late) >= total(early));
    assert.deepEqual(Object.keys(late.shares as object), ['count']);
  });

  it('gives the same engagement for the same seed', async () => {
    const measure = async (seed: number) => {
      const fresh = await startMocks(seed);
      try {
        const p = await control<{ id: string; access_token: string }>(fresh.fb, 'POST', '/pages', {
          name: 'x',
          fan_count: 2000,
        });
        const id = String(
          (
            await request(
              `${fresh.fb}/v26.0/${p.id}/feed`,
              form({ message: 'm', access_token: p.access_token }),
            )
          ).body.id,
        );
        await control(fresh.fb, 'POST', '/clock/advance', { seconds: 86_400 });
        const reply = await request(
          `${fresh.fb}/v26.0/${id}/insights?metric=post_media_view,post_clicks&access_token=${p.access_token}`,
        );
        return (reply.body.data as Array<{ values: Array<{ value: number }> }>).map(
          (m) => m.values[0]?.value,
        );
      } finally {
        await fresh.close();
      }
    };
    const first = await measure(11);
    assert.ok((first[0] ?? 0) > 0);
    assert.deepEqual(await measure(11), first);
    assert.notDeepEqual(await measure(12), first);
  });

  it('serves insights with the current metrics and fails the whole call on a retired one', async () => {
    const id = await publish('x');
    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 86_400 });
    const metrics =
      'post_total_media_view_unique,post_media_view,post_reactions_by_type_total,post_clicks,post_clicks_by_type';
    const ok = await request(`${graph}/${id}/insights?metric=${metrics}&access_token=${page.access_token}`);
    const data = ok.body.data as Array<{
      name: string;
      period: string;
      values: Array<{ value: unknown }>;
      id: string;
    }>;
    assert.deepEqual(
      data.map((m) => m.name),
      metrics.split(','),
    );
    assert.equal(data[0]?.period, 'lifetime');
    assert.equal(data[0]?.id, `${id}/insights/post_total_media_view_unique/lifetime`);
    assert.deepEqual(Object.keys(data[2]?.values[0]?.value as object), [
      'like',
      'love',
      'wow',
      'haha',
      'sorry',
      'anger',
    ]);
    assert.deepEqual(Object.keys(data[4]?.values[0]?.value as object), [
      'link clicks',
      'other clicks',
      'photo view',
    ]);
    const retired = await request(
      `${graph}/${id}/insights?metric=post_media_view,post_impressions_unique&access_token=${page.access_token}`,
    );
    assert.equal(retired.status, 400);
    assert.equal(fbError(retired).code, 100);
    assert.equal(fbError(retired).message, '(#100) The value must be a valid insights metric');
    const empty = await request(`${graph}/${id}/insights?access_token=${page.access_token}`);
    assert.equal(fbError(empty).code, 3001);
  });

  it('reports usage that climbs per call and throttles past 100% with 80001 (page) and 32 (user)', async () => {
    await control(mocks.fb, 'POST', '/config', { pageCallLimit: 4, appCallLimit: 2 });
    const counts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const reply = await request(`${graph}/me?access_token=${page.access_token}`);
      assert.equal(reply.status, 200);
      const header = JSON.parse(reply.headers.get('x-business-use-case-usage') ?? '{}') as Record<
        string,
        Array<{ call_count: number; type: string }>
      >;
      assert.equal(header[page.id]?.[0]?.type, 'pages');
      counts.push(header[page.id]?.[0]?.call_count ?? -1);
    }
    assert.deepEqual(counts, [25, 50, 75, 100]);
    const throttled = await request(`${graph}/me?access_token=${page.access_token}`);
    assert.equal(throttled.status, 400);
    assert.equal(fbError(throttled).code, 80001);
    const usage = JSON.parse(throttled.headers.get('x-business-use-case-usage') ?? '{}') as Record<
      string,
      Array<{ estimated_time_to_regain_access: number }>
    >;
    assert.ok((usage[page.id]?.[0]?.estimated_time_to_regain_access ?? 0) > 0);

    const user = await control<{ access_token: string }>(mocks.fb, 'POST', '/users', { name: 'U' });
    const first = await request(`${graph}/me?access_token=${user.access_token}`);
    assert.deepEqual(JSON.parse(first.headers.get('x-app-usage') ?? '{}').call_count, 50);
    await request(`${graph}/me?access_token=${user.access_token}`);
    const userThrottled = await request(`${graph}/me?access_token=${user.access_token}`);
    assert.equal(fbError(userThrottled).code, 32);
    assert.notEqual(userThrottled.status, 429);

    await control(mocks.fb, 'POST', '/clock/advance', { seconds: 86_400 });
    assert.equal((await request(`${graph}/me?access_token=${page.access_token}`)).status, 200);
  });
});
