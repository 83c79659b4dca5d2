// The Facebook connector over real HTTP against the Graph mock: each publishing path, each failure
// kind, reconciliation after a lost answer, delete and metrics.
import assert from 'node:assert/strict';
import type { ChannelCredentials, PlatformConnector } from '../../../server/connectors/index.ts';
import { ConnectorFailure, type ConnectorError } from '../../../server/connectors/index.ts';
import { startHarness, tinyPng, uniqueMarker, type Harness } from './mock-harness.ts';

interface LedgerPost {
  id: string;
  kind: string;
  message: string | null;
  link: string | null;
  media: { id: string }[];
  published: boolean;
  deleted_time?: string;
  engagement: { reactions: number; comments: number; shares: number; views: number; clicks: number };
}

function failureOf(kind: ConnectorError['kind']) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof ConnectorFailure, `expected a ConnectorFailure, got ${String(error)}`);
    assert.equal(error.platform, 'facebook');
    assert.equal(error.failure.kind, kind, error.message);
    return true;
  };
}

/** A transient failure that tells the caller to reconcile before resending. */
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

describe('Facebook connector (against the Graph mock)', () => {
  let harness: Harness;
  let facebook: PlatformConnector;

  before(async () => {
    harness = await startHarness();
    facebook = harness.connectors().facebook;
  });
  afterEach(async () => {
    await harness.control(harness.facebookUrl, 'DELETE', '/faults');
  });
  after(async () => {
    await harness.close();
  });

  async function newPage(name = 'Công an tỉnh Thử nghiệm'): Promise<ChannelCredentials> {
    const page = await harness.control<{ id: string; access_token: string }>(
      harness.facebookUrl,
      'POST',
      '/pages',
      {
        name,
      },
    );
    return { externalId: page.id, accessToken: page.access_token };
  }
  async function ledger(pageId: string): Promise<LedgerPost[]> {
    const { items } = await harness.control<{ items: LedgerPost[] }>(
      harness.facebookUrl,
      'GET',
      `/posts?page_id=${pageId}`,
    );
    return items;
  }
  function fault(spec: Record<string, unknown>) {
    return harness.control(harness.facebookUrl, 'POST', '/faults', spec);
  }
  function text(marker: string) {
    return `Cảnh báo: kẻ gian giả danh công an gọi điện. Xem https://loa.example/l/${marker}`;
  }

  it('validates a Page token and returns the Page id and name', async () => {
    const creds = await newPage('Trang Cảnh báo');
    assert.deepEqual(await facebook.validateCredentials(creds), {
      externalId: creds.externalId,
      name: 'Trang Cảnh báo',
    });
    assert.deepEqual(await facebook.validateCredentials({ ...creds, externalId: '' }), {
      externalId: creds.externalId,
      name: 'Trang Cảnh báo',
    });
  });

  it('refuses a bad token as auth_expired and another Page’s token as rejected', async () => {
    const creds = await newPage();
    await assert.rejects(
      facebook.validateCredentials({ ...creds, accessToken: 'EAAnot-a-token' }),
      failureOf('auth_expired'),
    );
    const other = await newPage('Trang khác');
    await assert.rejects(
      facebook.validateCredentials({ ...creds, accessToken: other.accessToken }),
      (error: unknown) => failureOf('rejected')(error) && /not to the Page/.test((error as Error).message),
    );
  });

  it('publishes a text post with a link', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    const link = `https://loa.example/l/${marker}`;
    const result = await facebook.publish(creds, { text: text(marker), link, trackingMarker: marker });
    assert.match(result.externalId, new RegExp(`^${creds.externalId}_\\d+$`));
    assert.ok(result.permalink?.startsWith('https://www.facebook.com/'));
    const posts = await ledger(creds.externalId);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.id, result.externalId);
    assert.equal(posts[0]?.message, text(marker));
    assert.equal(posts[0]?.link, link);
    assert.equal(posts[0]?.published, true);
  });

  it('publishes one photo with its caption as a single post', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    const result = await facebook.publish(creds, {
      text: text(marker),
      images: [{ data: tinyPng, mime: 'image/png' }],
      trackingMarker: marker,
    });
    const posts = await ledger(creds.externalId);
    assert.equal(posts.length, 1);
    assert.equal(posts[0]?.id, result.externalId);
    assert.equal(posts[0]?.kind, 'photo');
    assert.equal(posts[0]?.message, text(marker));
    assert.equal(posts[0]?.media.length, 1);
    assert.ok(result.permalink);
  });

  it('publishes several photos as one post with all of them attached, in order', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    const images = [1, 2, 3].map(() => ({ data: tinyPng, mime: 'image/png' }));
    const result = await facebook.publish(creds, { text: text(marker), images, trackingMarker: marker });
    const posts = await ledger(creds.externalId);
    assert.equal(posts.length, 1, 'the unpublished uploads must not become posts');
    assert.equal(posts[0]?.id, result.externalId);
    assert.equal(posts[0]?.message, text(marker));
    assert.deepEqual(
      posts[0]?.media.map((m) => m.id),
      result.details?.mediaIds,
    );
    assert.equal(posts[0]?.media.length, 3);
  });

  it('turns a 500 into a transient failure and posts nothing', async () => {
    const creds = await newPage();
    await fault({ path: `/${creds.externalId}/feed`, status: 500, times: 1 });
    const marker = uniqueMarker();
    await assert.rejects(
      facebook.publish(creds, { text: text(marker), trackingMarker: marker }),
      failureOf('transient'),
    );
    assert.equal((await ledger(creds.externalId)).length, 0);
  });

  it('turns a 502 without a Graph body into a transient failure', async () => {
    const creds = await newPage();
    await fault({ path: '/me', status: 502, body: 'Bad Gateway', times: 1 });
    await assert.rejects(facebook.validateCredentials(creds), failureOf('transient'));
  });

  it('reports a dropped answer as maybe delivered, and reconciliation finds the accepted post', async () => {
    const creds = await newPage();
    const since = new Date();
    const marker = uniqueMarker();
    await fault({ path: `/${creds.externalId}/feed`, drop: true, times: 1 });
    await assert.rejects(
      facebook.publish(creds, { text: text(marker), trackingMarker: marker }),
      maybeDelivered,
    );
    const posts = await ledger(creds.externalId);
    assert.equal(posts.length, 1, 'the platform carried the post out');
    const found = await facebook.findRecentPostByMarker(creds, marker, since);
    assert.equal(found?.externalId, posts[0]?.id);
    assert.equal(await facebook.findRecentPostByMarker(creds, uniqueMarker(), since), null);
  });

  it('reports a timeout as transient and maybe delivered, and the post is found afterwards', async () => {
    const creds = await newPage();
    const since = new Date();
    const marker = uniqueMarker();
    const impatient = harness.connectors({ timeoutMs: 200 }).facebook;
    await fault({ path: `/${creds.externalId}/feed`, delayMs: 2000, times: 1 });
    await assert.rejects(
      impatient.publish(creds, { text: text(marker), trackingMarker: marker }),
      maybeDelivered,
    );
    const found = await facebook.findRecentPostByMarker(creds, marker, since);
    assert.ok(found, 'the delayed request was carried out');
  });

  it('reports a page throttled past its budget as rate_limited with the wait from X-Business-Use-Case-Usage', async () => {
    const creds = await newPage();
    await harness.control(harness.facebookUrl, 'POST', '/config', {
      pageCallLimit: 2,
      pageWindowSeconds: 600,
    });
    try {
      await facebook.validateCredentials(creds);
      await facebook.validateCredentials(creds);
      await assert.rejects(facebook.validateCredentials(creds), (error: unknown) => {
        assert.ok(error instanceof ConnectorFailure && error.failure.kind === 'rate_limited');
        // The mock's window is 10 minutes; Graph reports estimated_time_to_regain_access in minutes.
        assert.equal(error.failure.retryAfterMs, 10 * 60_000);
        return true;
      });
    } finally {
      await harness.control(harness.facebookUrl, 'POST', '/config', {
        pageCallLimit: 4800,
        pageWindowSeconds: 86_400,
      });
    }
  });

  it('reports code 32 without usage headers as rate_limited with the default wait', async () => {
    const creds = await newPage();
    await fault({
      path: `/${creds.externalId}/feed`,
      times: 1,
      body: {
        error: {
          message: '(#32) Page request limit reached',
          type: 'OAuthException',
          code: 32,
          fbtrace_id: 'x',
        },
      },
    });
    const marker = uniqueMarker();
    await assert.rejects(
      facebook.publish(creds, { text: text(marker), trackingMarker: marker }),
      (error: unknown) => {
        assert.ok(error instanceof ConnectorFailure && error.failure.kind === 'rate_limited');
        assert.equal(error.failure.retryAfterMs, 60_000);
        return true;
      },
    );
  });

  it('reports an expired token as auth_expired', async () => {
    const creds = await newPage();
    await harness.control(harness.facebookUrl, 'POST', '/tokens/expire', { access_token: creds.accessToken });
    const marker = uniqueMarker();
    await assert.rejects(
      facebook.publish(creds, { text: text(marker), trackingMarker: marker }),
      failureOf('auth_expired'),
    );
    assert.equal((await ledger(creds.externalId)).length, 0);
  });

  it('reports a duplicate status (506) as rejected with the platform message', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    await facebook.publish(creds, { text: text(marker), trackingMarker: marker });
    await assert.rejects(
      facebook.publish(creds, { text: text(marker), trackingMarker: marker }),
      (error: unknown) => {
        assert.ok(error instanceof ConnectorFailure && error.failure.kind === 'rejected');
        assert.equal(error.failure.message, '(#506) Duplicate status message');
        assert.equal(error.failure.platformCode, 506);
        return true;
      },
    );
    assert.equal((await ledger(creds.externalId)).length, 1);
  });

  it('deletes a post, and deleting it again still succeeds', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    const { externalId } = await facebook.publish(creds, {
      text: text(marker),
      images: [
        { data: tinyPng, mime: 'image/png' },
        { data: tinyPng, mime: 'image/png' },
      ],
      trackingMarker: marker,
    });
    await facebook.deletePost(creds, externalId);
    const [post] = await ledger(creds.externalId);
    assert.ok(post?.deleted_time, 'the ledger records the deletion');
    await facebook.deletePost(creds, externalId);
    assert.equal(await facebook.findRecentPostByMarker(creds, marker, new Date(0)), null);
  });

  it('fetches reactions, comments, shares, views and clicks as the platform reports them', async () => {
    const creds = await newPage();
    const marker = uniqueMarker();
    const a = await facebook.publish(creds, {
      text: text(marker),
      link: `https://loa.example/l/${marker}`,
      trackingMarker: marker,
    });
    const gone = await facebook.publish(creds, { text: `${text(marker)} (2)`, trackingMarker: marker });
    await facebook.deletePost(creds, gone.externalId);
    await harness.control(harness.facebookUrl, 'POST', '/clock/advance', { seconds: 6 * 3600 });
    const metrics = await facebook.fetchMetrics(creds, [a.externalId, gone.externalId]);
    assert.deepEqual([...metrics.keys()], [a.externalId], 'a deleted post is left out');
    const truth = (await ledger(creds.externalId)).find((p) => p.id === a.externalId)?.engagement;
    assert.ok(truth);
    assert.deepEqual(metrics.get(a.externalId), {
      impressions: truth.views,
      reactions: truth.reactions,
      comments: truth.comments,
      shares: truth.shares,
      clicks: truth.clicks,
    });
    assert.ok(truth.views > 0, 'the simulation grew some views in six hours');
  });
});
