// The Zalo connector over real HTTP against the Zalo OA mock: articles with verify polling,
// broadcast and its night ban, each failure kind, token rotation, delete and metrics.
import assert from 'node:assert/strict';
import {
  ConnectorFailure,
  type ChannelCredentials,
  type ConnectorError,
  type PlatformConnector,
  type PublishInput,
} from '../../../server/connectors/index.ts';
import { startHarness, tinyPng, uniqueMarker, type Harness } from './mock-harness.ts';

interface LedgerArticle {
  id: string | null;
  title: string;
  text: string;
  media: string[];
  tracking_link: string | null;
  status: string;
  verified: boolean;
  published: boolean;
  broadcasts: { message_id: string }[];
  deleted_time?: string;
}

function failureOf(kind: ConnectorError['kind'], message?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ConnectorFailure, `expected a ConnectorFailure, got ${String(error)}`);
    assert.equal(error.platform, 'zalo');
    assert.equal(error.failure.kind, kind, error.message);
    if (message) assert.match(error.failure.message, message);
    return true;
  };
}

function maybeDelivered(error: unknown): boolean {
  assert.ok(error instanceof ConnectorFailure, `expected a ConnectorFailure, got ${String(error)}`);
  assert.deepEqual(
    {
      kind: error.failure.kind,
      maybeDelivered: error.failure.kind === 'transient' && error.failure.maybeDelivered,
    },
    { kind: 'transient', maybeDelivered: true },
  );
  return true;
}

describe('Zalo connector (against the Zalo OA mock)', () => {
  let harness: Harness;
  let zalo: PlatformConnector;

  before(async () => {
    harness = await startHarness();
    zalo = harness.connectors().zalo;
  });
  afterEach(async () => {
    await harness.control(harness.zaloOpenApiUrl, 'DELETE', '/faults');
    await harness.control(harness.zaloOpenApiUrl, 'POST', '/config', {
      articleVerifyPolls: 2,
      rateLimitPerMinute: 4000,
    });
  });
  after(async () => {
    await harness.close();
  });

  async function newOa(name = 'Công an TP Thử nghiệm'): Promise<ChannelCredentials> {
    const oa = await harness.control<{ oa_id: string; access_token: string; refresh_token: string }>(
      harness.zaloOpenApiUrl,
      'POST',
      '/oas',
      { name },
    );
    return { externalId: oa.oa_id, accessToken: oa.access_token, refreshToken: oa.refresh_token };
  }
  async function ledger(oaId: string): Promise<LedgerArticle[]> {
    const { items } = await harness.control<{ items: LedgerArticle[] }>(
      harness.zaloOpenApiUrl,
      'GET',
      `/posts?oa_id=${oaId}`,
    );
    return items;
  }
  function fault(spec: Record<string, unknown>) {
    return harness.control(harness.zaloOpenApiUrl, 'POST', '/faults', spec);
  }
  function config(settings: Record<string, unknown>) {
    return harness.control(harness.zaloOpenApiUrl, 'POST', '/config', settings);
  }
  /** Moves the shared mock clock forward to the next `hour`:00 in Asia/Ho_Chi_Minh. */
  async function advanceToVietnamHour(hour: number): Promise<void> {
    const { now_ms: now } = await harness.control<{ now_ms: number }>(
      harness.zaloOpenApiUrl,
      'GET',
      '/clock',
    );
    const local = new Date(now + 7 * 3_600_000);
    let target =
      Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), hour) - 7 * 3_600_000;
    if (target <= now) target += 24 * 3_600_000;
    await harness.control(harness.zaloOpenApiUrl, 'POST', '/clock/advance', {
      seconds: (target - now) / 1000,
    });
  }
  function article(marker: string, extra: Partial<PublishInput> = {}): PublishInput {
    return {
      title: 'Cảnh báo lừa đảo qua điện thoại',
      text: `Kẻ gian giả danh công an gọi điện yêu cầu chuyển tiền.\n\nXem thêm https://loa.example/l/${marker}`,
      link: `https://loa.example/l/${marker}`,
      coverImage: {
        data: tinyPng,
        mime: 'image/png',
        url: `https://loa.example/media/${marker}/ảnh bìa.png`,
      },
      trackingMarker: marker,
      ...extra,
    };
  }

  it('validates an OA token and returns the OA id and name', async () => {
    const creds = await newOa('OA Cảnh báo');
    assert.deepEqual(await zalo.validateCredentials(creds), {
      externalId: creds.externalId,
      name: 'OA Cảnh báo',
    });
  });

  it('refuses a bad token as auth_expired and another OA’s token as rejected', async () => {
    const creds = await newOa();
    await assert.rejects(
      zalo.validateCredentials({ ...creds, accessToken: 'zat_wrong' }),
      failureOf('auth_expired'),
    );
    const other = await newOa('OA khác');
    await assert.rejects(
      zalo.validateCredentials({ ...creds, accessToken: other.accessToken }),
      failureOf('rejected', /not to/),
    );
  });

  it('publishes an article with its cover, polling verify while Zalo answers -214', async () => {
    await config({ articleVerifyPolls: 3 });
    const creds = await newOa();
    const marker = uniqueMarker();
    const result = await zalo.publish(creds, article(marker));
    assert.equal(result.details?.verifyPolls, 4, 'three -214 answers, then the id');
    assert.equal(result.broadcast, undefined);
    const items = await ledger(creds.externalId);
    assert.equal(items.length, 1);
    const [item] = items;
    assert.equal(item?.id, result.externalId);
    assert.equal(item?.published, true);
    assert.equal(item?.status, 'show');
    assert.equal(item?.title, 'Cảnh báo lừa đảo qua điện thoại');
    assert.equal(item?.tracking_link, `https://loa.example/l/${marker}`);
    assert.ok(item?.text.includes(`https://loa.example/l/${marker}`));
    assert.deepEqual(item?.media, [`https://loa.example/media/${marker}/%E1%BA%A3nh%20b%C3%ACa.png`]);
  });

  it('broadcasts by day, answers not_now at night, and the later broadcast goes out', async () => {
    await advanceToVietnamHour(10);
    const creds = await newOa();
    const day = await zalo.publish(creds, article(uniqueMarker(), { broadcast: true }));
    assert.equal(day.broadcast?.status, 'sent');
    await advanceToVietnamHour(23);
    const night = await zalo.publish(creds, article(uniqueMarker(), { broadcast: true }));
    assert.ok(night.broadcast?.status === 'not_now', 'refused at night');
    assert.match(night.broadcast.message, /night/);
    assert.equal(night.broadcast.retryAt.getUTCHours(), 23, '06:00 in Ho Chi Minh City is 23:00 UTC');
    assert.ok(night.broadcast.retryAt.getTime() > Date.now());
    const items = await ledger(creds.externalId);
    assert.deepEqual(
      items.map((i) => i.broadcasts.length),
      [1, 0],
    );
    assert.equal(
      items[0]?.broadcasts[0]?.message_id,
      day.broadcast?.status === 'sent' ? day.broadcast.messageId : '',
    );

    await advanceToVietnamHour(7);
    assert.ok(zalo.broadcast);
    const later = await zalo.broadcast(creds, night.externalId);
    assert.equal(later.status, 'sent');
    assert.equal((await ledger(creds.externalId))[1]?.broadcasts.length, 1);
  });

  it('never fails a published article because its broadcast failed', async () => {
    await advanceToVietnamHour(9);
    const creds = await newOa();
    await fault({ path: '/v2.0/oa/message', times: 1, body: { error: -211, message: 'Out of quota' } });
    const result = await zalo.publish(creds, article(uniqueMarker(), { broadcast: true }));
    assert.deepEqual(result.broadcast, {
      status: 'failed',
      failure: { kind: 'rejected', message: 'Out of quota', platformCode: -211 },
    });
    assert.equal((await ledger(creds.externalId))[0]?.published, true);
  });

  it('gives up verify polling within its budget as transient and maybe delivered', async () => {
    await config({ articleVerifyPolls: 10_000 });
    const creds = await newOa();
    const hasty = harness.connectors({
      zaloVerifyPolling: { firstDelayMs: 10, maxDelayMs: 20, budgetMs: 150 },
    }).zalo;
    await assert.rejects(hasty.publish(creds, article(uniqueMarker())), maybeDelivered);
  });

  it('keeps polling when a verify answer is lost, and publishes once', async () => {
    const creds = await newOa();
    await fault({ path: '/v2.0/article/verify', drop: true, times: 1 });
    const result = await zalo.publish(creds, article(uniqueMarker()));
    const items = await ledger(creds.externalId);
    assert.equal(items.length, 1);
    assert.equal(items[0]?.id, result.externalId);
  });

  it('reports a lost create answer as maybe delivered', async () => {
    const creds = await newOa();
    await fault({ path: '/v2.0/article/create', drop: true, times: 1 });
    await assert.rejects(zalo.publish(creds, article(uniqueMarker())), maybeDelivered);
  });

  it('reports a create that outlives the timeout as transient and maybe delivered', async () => {
    const creds = await newOa();
    const impatient = harness.connectors({ timeoutMs: 200 }).zalo;
    await fault({ path: '/v2.0/article/create', delayMs: 2000, times: 1 });
    await assert.rejects(impatient.publish(creds, article(uniqueMarker())), maybeDelivered);
  });

  it('finds a published article by its marker, and nothing for an unknown marker', async () => {
    const creds = await newOa();
    const since = new Date();
    const marker = uniqueMarker();
    const published = await zalo.publish(creds, article(marker));
    await zalo.publish(creds, article(uniqueMarker()));
    const found = await zalo.findRecentPostByMarker(creds, marker, since);
    assert.equal(found?.externalId, published.externalId);
    assert.equal(await zalo.findRecentPostByMarker(creds, uniqueMarker(), since), null);
  });

  it('reports the -32 rate limit as rate_limited with a wait', async () => {
    const creds = await newOa();
    await config({ rateLimitPerMinute: 1 });
    await zalo.validateCredentials(creds).catch(() => undefined);
    await assert.rejects(zalo.validateCredentials(creds), (error: unknown) => {
      assert.ok(error instanceof ConnectorFailure && error.failure.kind === 'rate_limited');
      assert.equal(error.failure.retryAfterMs, 60_000);
      return true;
    });
  });

  it('reports an expired access token as auth_expired and creates nothing', async () => {
    const creds = await newOa();
    await harness.control(harness.zaloOpenApiUrl, 'POST', '/tokens/expire', {
      access_token: creds.accessToken,
    });
    await assert.rejects(zalo.publish(creds, article(uniqueMarker())), failureOf('auth_expired'));
    assert.equal((await ledger(creds.externalId)).length, 0);
  });

  it('reports a field Zalo refuses (-201) as rejected with its message', async () => {
    const creds = await newOa();
    await assert.rejects(
      zalo.publish(creds, article(uniqueMarker(), { link: 'not a link' })),
      failureOf('rejected', /^tracking_link is invalid!$/),
    );
  });

  it('refuses a cover over 1 MB before calling Zalo', async () => {
    const creds = await newOa();
    const big = {
      data: Buffer.concat([tinyPng, Buffer.alloc(1024 * 1024)]),
      mime: 'image/png',
      url: 'https://loa.example/m/big.png',
    };
    await assert.rejects(
      zalo.publish(creds, article(uniqueMarker(), { coverImage: big })),
      failureOf('rejected', /1 MB/),
    );
    assert.equal((await ledger(creds.externalId)).length, 0);
  });

  it('rotates tokens on refresh; the old refresh token then fails as auth_expired', async () => {
    const creds = await newOa();
    assert.ok(zalo.refreshCredentials);
    const fresh = await zalo.refreshCredentials(creds);
    assert.equal(fresh.externalId, creds.externalId);
    assert.notEqual(fresh.accessToken, creds.accessToken);
    assert.ok(fresh.refreshToken && fresh.refreshToken !== creds.refreshToken);
    const hours = ((fresh.tokenExpiresAt?.getTime() ?? 0) - Date.now()) / 3_600_000;
    assert.ok(hours > 24.9 && hours <= 25, `expires in 25 h (got ${hours})`);
    assert.equal((await zalo.validateCredentials(fresh)).externalId, creds.externalId);
    await assert.rejects(zalo.refreshCredentials(creds), failureOf('auth_expired', /Invalid refresh token/));
    assert.ok(await zalo.refreshCredentials(fresh));
  });

  it('refuses an answer with an empty refresh token as auth_expired and leaves the stored tokens usable', async () => {
    const creds = await newOa();
    const before = structuredClone(creds);
    await fault({
      path: '/v4/oa/access_token',
      times: 1,
      body: { access_token: 'zat_new', refresh_token: '', expires_in: '90000' },
    });
    assert.ok(zalo.refreshCredentials);
    await assert.rejects(
      zalo.refreshCredentials(creds),
      failureOf('auth_expired', /without a new refresh token/),
    );
    assert.deepEqual(creds, before);
    const fresh = await zalo.refreshCredentials(creds);
    assert.ok(fresh.refreshToken);
  });

  it('refuses to refresh without a stored refresh token', async () => {
    const { refreshToken: _dropped, ...creds } = await newOa();
    assert.ok(zalo.refreshCredentials);
    await assert.rejects(zalo.refreshCredentials(creds), failureOf('auth_expired'));
  });

  it('removes an article, and removing it again still succeeds', async () => {
    const creds = await newOa();
    const marker = uniqueMarker();
    const { externalId } = await zalo.publish(creds, article(marker));
    await zalo.deletePost(creds, externalId);
    assert.ok((await ledger(creds.externalId))[0]?.deleted_time);
    await zalo.deletePost(creds, externalId);
    assert.equal(await zalo.findRecentPostByMarker(creds, marker, new Date(0)), null);
  });

  it('reports no metrics for Zalo articles: Zalo has no statistics API', async () => {
    const creds = await newOa();
    const { externalId } = await zalo.publish(creds, article(uniqueMarker()));
    const metrics = await zalo.fetchMetrics(creds, [externalId]);
    assert.deepEqual(Object.fromEntries(metrics), {
      [externalId]: { impressions: null, reactions: null, comments: null, shares: null, clicks: null },
    });
  });
});
