// Facebook Pages through the Graph API (v26.0): publish text/link, one photo or several photos,
// reconcile by marker, delete, and read engagement. Research: shared/research/platform-apis.md, part A.
import type { HttpClient } from '../http-client.ts';
import {
  ConnectorFailure,
  type CollectedFigures,
  type EngagementBatch,
  type UsageReading,
  type ChannelCredentials,
  type ImageInput,
  type PlatformConnector,
  type PostMetrics,
  type PublishInput,
  type PublishResult,
} from '../types.ts';
import { DEFAULT_RATE_LIMIT, readUsage, type RateLimitDefaults } from './graph-errors.ts';
import { createGraphClient } from './graph.client.ts';
import {
  createdPostSchema,
  engagementSchema,
  insightsByIdSchema,
  engagementByIdSchema,
  insightsSchema,
  meSchema,
  permalinkSchema,
  photoSchema,
  postListSchema,
  successSchema,
  type Engagement,
} from './graph.schemas.ts';

const ENGAGEMENT_FIELDS = 'shares,reactions.summary(total_count).limit(0),comments.summary(true).limit(0)';
/** Current metric names only: one retired name (post_impressions*) fails the whole insights call. */
const INSIGHT_METRICS = 'post_media_view,post_clicks';
/** Platform clocks and ours differ; reconciliation matches on a unique marker, so looking further back is safe. */
const RECONCILE_SLACK_MS = 10 * 60_000;
const RECONCILE_MAX_PAGES = 10;

export interface FacebookConnectorOptions {
  http: HttpClient;
  /** `https://graph.facebook.com` (v26.0 is added) or a base that already ends in `/vNN.0`. */
  graphUrl: string;
  rateLimit?: RateLimitDefaults;
}

export function createFacebookConnector(options: FacebookConnectorOptions): PlatformConnector {
  const graph = createGraphClient({
    http: options.http,
    graphUrl: options.graphUrl,
    rateLimit: options.rateLimit ?? DEFAULT_RATE_LIMIT,
  });

  async function validateCredentials(
    creds: ChannelCredentials,
  ): Promise<{ externalId: string; name: string }> {
    // With a Page token, /me is the Page itself.
    const me = await graph.call(
      { method: 'GET', path: '/me', token: creds.accessToken, query: { fields: 'id,name' } },
      meSchema,
    );
    if (creds.externalId && me.id !== creds.externalId) {
      throw new ConnectorFailure('facebook', {
        kind: 'rejected',
        message: `This token belongs to "${me.name}" (${me.id}), not to the Page ${creds.externalId}. Use the Page's own access token.`,
      });
    }
    return { externalId: me.id, name: me.name };
  }

  async function publish(creds: ChannelCredentials, input: PublishInput): Promise<PublishResult> {
    const images = input.images ?? [];
    const [first] = images;
    if (!first) return publishFeedPost(creds, input, []);
    if (images.length === 1) return publishSinglePhoto(creds, input.text, first);
    const mediaIds = await uploadUnpublishedPhotos(creds, images);
    return publishFeedPost(creds, input, mediaIds);
  }

  async function publishFeedPost(
    creds: ChannelCredentials,
    input: PublishInput,
    mediaIds: string[],
  ): Promise<PublishResult> {
    const fields: Record<string, string> = { message: input.text, published: 'true' };
    if (input.link) fields.link = input.link;
    // The indexed form encoding from the Pages API guide: attached_media[0]={"media_fbid":"…"}.
    mediaIds.forEach((id, index) => {
      fields[`attached_media[${index}]`] = JSON.stringify({ media_fbid: id });
    });
    const created = await graph.call(
      {
        method: 'POST',
        path: `/${creds.externalId}/feed`,
        token: creds.accessToken,
        query: { fields: 'id,permalink_url' },
        body: { kind: 'form', fields },
      },
      createdPostSchema,
    );
    return {
      externalId: created.id,
      ...(created.permalink_url ? { permalink: created.permalink_url } : {}),
      ...(mediaIds.length > 0 ? { details: { mediaIds } } : {}),
    };
  }

  async function publishSinglePhoto(
    creds: ChannelCredentials,
    caption: string,
    image: ImageInput,
  ): Promise<PublishResult> {
    const photo = await graph.call(
      {
        method: 'POST',
        path: `/${creds.externalId}/photos`,
        token: creds.accessToken,
        body: {
          kind: 'multipart',
          fields: { caption, published: 'true' },
          files: [photoFile(image)],
        },
      },
      photoSchema,
    );
    // A published photo is a Page post; its post id is what reactions, comments and delete use.
    const externalId = photo.post_id ?? photo.id;
    const permalink = await bestEffortPermalink(creds, externalId);
    return { externalId, ...(permalink ? { permalink } : {}), details: { photoId: photo.id } };
  }

  async function uploadUnpublishedPhotos(creds: ChannelCredentials, images: ImageInput[]): Promise<string[]> {
    const ids: string[] = [];
    for (const image of images) {
      try {
        const photo = await graph.call(
          {
            method: 'POST',
            path: `/${creds.externalId}/photos`,
            token: creds.accessToken,
            body: { kind: 'multipart', fields: { published: 'false' }, files: [photoFile(image)] },
          },
          photoSchema,
        );
        ids.push(photo.id);
      } catch (error) {
        // An unpublished photo is invisible and expires on its own: nothing was posted yet.
        if (error instanceof ConnectorFailure && error.failure.kind === 'transient') {
          throw new ConnectorFailure('facebook', { ...error.failure, maybeDelivered: false });
        }
        throw error;
      }
    }
    return ids;
  }

  /** The post is already out: a failure here must never turn a success into a retry. */
  async function bestEffortPermalink(creds: ChannelCredentials, postId: string): Promise<string | undefined> {
    try {
      const post = await graph.call(
        {
          method: 'GET',
          path: `/${postId}`,
          token: creds.accessToken,
          query: { fields: 'id,permalink_url' },
        },
        permalinkSchema,
      );
      return post.permalink_url;
    } catch {
      return undefined;
    }
  }

  async function findRecentPostByMarker(
    creds: ChannelCredentials,
    marker: string,
    since: Date,
  ): Promise<PublishResult | null> {
    let after: string | undefined;
    for (let page = 0; page < RECONCILE_MAX_PAGES; page += 1) {
      const list = await graph.call(
        {
          method: 'GET',
          path: `/${creds.externalId}/published_posts`,
          token: creds.accessToken,
          query: {
            fields: 'id,message,created_time,permalink_url',
            since: String(Math.floor((since.getTime() - RECONCILE_SLACK_MS) / 1000)),
            limit: '50',
            after,
          },
        },
        postListSchema,
      );
      // Newest first, so the first match is the most recent post carrying the marker.
      const match = list.data.find((post) => post.message?.includes(marker));
      if (match) {
        return {
          externalId: match.id,
          ...(match.permalink_url ? { permalink: match.permalink_url } : {}),
          details: { reconciled: true, createdTime: match.created_time },
        };
      }
      // Graph leaves out `next` on the last page; its URL carries the token, so only the cursor is reused.
      after = list.paging?.next ? list.paging.cursors?.after : undefined;
      if (!after) return null;
    }
    return null;
  }

  async function deletePost(creds: ChannelCredentials, externalId: string): Promise<void> {
    try {
      await graph.call({ method: 'DELETE', path: `/${externalId}`, token: creds.accessToken }, successSchema);
    } catch (error) {
      if (isObjectGone(error)) return;
      throw error;
    }
  }

  async function fetchMetrics(
    creds: ChannelCredentials,
    externalIds: string[],
  ): Promise<Map<string, PostMetrics>> {
    const result = new Map<string, PostMetrics>();
    // Sequential on purpose: the engagement job batches, and Graph counts every call against the Page.
    for (const id of externalIds) {
      let post: Engagement;
      try {
        post = await graph.call(
          { method: 'GET', path: `/${id}`, token: creds.accessToken, query: { fields: ENGAGEMENT_FIELDS } },
          engagementSchema,
        );
      } catch (error) {
        if (isObjectGone(error)) continue;
        throw error;
      }
      const insights = await fetchInsights(creds, id);
      result.set(id, {
        impressions: insights.get('post_media_view') ?? null,
        clicks: insights.get('post_clicks') ?? null,
        reactions: post.reactions?.summary.total_count ?? null,
        comments: post.comments?.summary.total_count ?? null,
        // Graph omits `shares` when there are none.
        shares: post.shares?.count ?? 0,
      });
    }
    return result;
  }

  async function collectEngagement(
    creds: ChannelCredentials,
    externalIds: string[],
    metrics: readonly string[],
  ): Promise<EngagementBatch> {
    const usage: UsageReading[] = [];
    const items = new Map<string, CollectedFigures>();
    const refusedMetrics: EngagementBatch['refusedMetrics'] = [];
    if (externalIds.length === 0) return { items, refusedMetrics, usage };
    const token = creds.accessToken;

    // One call for the counters of every post; a post gone since stops the batch, so fall back to one by one.
    let live = externalIds;
    try {
      const read = await graph.callWithHeaders(
        { method: 'GET', path: '/', token, query: { ids: externalIds.join(','), fields: ENGAGEMENT_FIELDS } },
        engagementByIdSchema,
      );
      usage.push(...readUsage(read.headers));
      for (const [id, post] of Object.entries(read.data)) items.set(id, countersOf(post));
    } catch (error) {
      if (!isObjectGone(error)) throw error;
      for (const id of externalIds) {
        try {
          const read = await graph.callWithHeaders(
            { method: 'GET', path: `/${id}`, token, query: { fields: ENGAGEMENT_FIELDS } },
            engagementSchema,
          );
          usage.push(...readUsage(read.headers));
          items.set(id, countersOf(read.data));
        } catch (inner) {
          if (!isObjectGone(inner)) throw inner;
        }
      }
    }
    live = externalIds.filter((id) => items.has(id));
    if (live.length === 0 || metrics.length === 0) return { items, refusedMetrics, usage };

    const insightsFor = async (names: readonly string[]) => {
      const read = await graph.callWithHeaders(
        {
          method: 'GET',
          path: '/insights',
          token,
          query: { ids: live.join(','), metric: names.join(','), period: 'lifetime' },
        },
        insightsByIdSchema,
      );
      usage.push(...readUsage(read.headers));
      for (const [id, answer] of Object.entries(read.data)) {
        const item = items.get(id);
        if (!item) continue;
        for (const metric of answer.data) {
          const value = metric.values[0]?.value;
          if (value === undefined) continue;
          item.metrics[metric.name] = typeof value === 'number' ? value : sum(Object.values(value));
        }
      }
    };
    try {
      await insightsFor(metrics);
    } catch (error) {
      if (!isInvalidMetric(error)) throw error;
      // One refused metric fails the whole call: ask for each alone, keep the ones that work.
      for (const metric of metrics) {
        try {
          await insightsFor([metric]);
        } catch (inner) {
          if (!isInvalidMetric(inner)) throw inner;
          refusedMetrics.push({
            metric,
            message: inner instanceof ConnectorFailure ? inner.failure.message : String(inner),
          });
        }
      }
    }
    return { items, refusedMetrics, usage };
  }

  /** Insights exist only for Pages with 100+ likes and the right task; without them the figures are null. */
  async function fetchInsights(creds: ChannelCredentials, postId: string): Promise<Map<string, number>> {
    const values = new Map<string, number>();
    try {
      const insights = await graph.call(
        {
          method: 'GET',
          path: `/${postId}/insights`,
          token: creds.accessToken,
          query: { metric: INSIGHT_METRICS, period: 'lifetime' },
        },
        insightsSchema,
      );
      for (const metric of insights.data) {
        const value = metric.values[0]?.value;
        if (value === undefined) continue;
        values.set(metric.name, typeof value === 'number' ? value : sum(Object.values(value)));
      }
    } catch (error) {
      if (error instanceof ConnectorFailure && error.failure.kind === 'rejected') return values;
      throw error;
    }
    return values;
  }

  return {
    platform: 'facebook',
    validateCredentials,
    publish,
    findRecentPostByMarker,
    deletePost,
    fetchMetrics,
    collectEngagement,
  };
}

/** Graph answers code 100 subcode 33 ("Object … does not exist") for a post that is gone. */
function isObjectGone(error: unknown): boolean {
  return (
    error instanceof ConnectorFailure &&
    error.failure.kind === 'rejected' &&
    error.failure.platformCode === 100 &&
    error.failure.platformSubcode === 33
  );
}

/** Code 100 without subcode 33: an invalid or retired metric (or parameter), not a missing object. */
function isInvalidMetric(error: unknown): boolean {
  return (
    error instanceof ConnectorFailure &&
    error.failure.kind === 'rejected' &&
    error.failure.platformCode === 100 &&
    error.failure.platformSubcode !== 33
  );
}

function countersOf(post: Engagement): CollectedFigures {
  return {
    reactions: post.reactions?.summary.total_count ?? null,
    comments: post.comments?.summary.total_count ?? null,
    // Graph omits `shares` when there are none.
    shares: post.shares?.count ?? 0,
    metrics: {},
  };
}

function photoFile(image: ImageInput) {
  const extension = image.mime === 'image/png' ? 'png' : image.mime === 'image/gif' ? 'gif' : 'jpg';
  return { field: 'source', data: image.data, filename: `image.${extension}`, mime: image.mime };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
