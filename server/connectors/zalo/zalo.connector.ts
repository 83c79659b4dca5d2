// Zalo Official Accounts through the OA Open API: an article (create → verify polling) with an
// optional broadcast to followers, reconciliation by marker, removal, token refresh. Research:
// shared/research/platform-apis.md, part B.
import { z } from 'zod';
import { pause } from '../failures.ts';
import type { HttpClient } from '../http-client.ts';
import {
  ConnectorFailure,
  type BroadcastOutcome,
  type ChannelCredentials,
  type PlatformConnector,
  type PostMetrics,
  type PublishInput,
  type PublishResult,
} from '../types.ts';
import { buildArticle } from './zalo-article.ts';
import { ZALO_ARTICLE_PROCESSING, ZALO_NIGHT_BAN, nextBroadcastWindow } from './zalo-errors.ts';
import { refreshZaloCredentials } from './zalo-oauth.ts';
import { ZaloApiError, createZaloClient } from './zalo.client.ts';

const oaSchema = z.object({ oa_id: z.coerce.string(), name: z.string() });
const followersSchema = z.object({ num_follower: z.coerce.number().int().min(0) }).loose();
const tokenSchema = z.object({ token: z.string().min(1) });
const articleIdSchema = z.object({ id: z.coerce.string() });
const messageSchema = z.object({ message_id: z.coerce.string() });
const sliceSchema = z.object({
  medias: z.array(z.object({ id: z.coerce.string(), create_date: z.coerce.number().optional() }).loose()),
});
const detailSchema = z.object({ id: z.coerce.string(), link: z.string().optional() }).loose();
const anySchema = z.unknown();

/** Verify polling: short waits growing to a cap, within a total budget (research: one client polls 8 × 3 s). */
export interface ZaloVerifyPolling {
  firstDelayMs: number;
  maxDelayMs: number;
  budgetMs: number;
}
export const DEFAULT_VERIFY_POLLING: ZaloVerifyPolling = {
  firstDelayMs: 300,
  maxDelayMs: 3_000,
  budgetMs: 30_000,
};

const SLICE_LIMIT = 10; // getslice refuses more than 10 (-201)
const RECONCILE_MAX_PAGES = 5;
const RECONCILE_SLACK_MS = 10 * 60_000;

export interface ZaloConnectorOptions {
  http: HttpClient;
  openApiUrl: string;
  oauthUrl: string;
  appId: string;
  appSecret: string;
  verifyPolling?: Partial<ZaloVerifyPolling>;
  rateLimitWaitMs?: number;
  now?: () => Date;
}

export function createZaloConnector(options: ZaloConnectorOptions): PlatformConnector {
  const rateLimitWaitMs = options.rateLimitWaitMs ?? 60_000;
  const zalo = createZaloClient({ http: options.http, openApiUrl: options.openApiUrl, rateLimitWaitMs });
  const polling = { ...DEFAULT_VERIFY_POLLING, ...options.verifyPolling };
  const now = options.now ?? (() => new Date());

  async function validateCredentials(
    creds: ChannelCredentials,
  ): Promise<{ externalId: string; name: string }> {
    const oa = await zalo.call({ method: 'GET', path: '/v2.0/oa/getoa', token: creds.accessToken }, oaSchema);
    if (creds.externalId && oa.oa_id !== creds.externalId) {
      throw new ConnectorFailure('zalo', {
        kind: 'rejected',
        message: `This token belongs to the OA "${oa.name}" (${oa.oa_id}), not to ${creds.externalId}.`,
      });
    }
    return { externalId: oa.oa_id, name: oa.name };
  }

  async function publish(creds: ChannelCredentials, input: PublishInput): Promise<PublishResult> {
    const article = buildArticle(input);
    const created = await zalo.call(
      {
        method: 'POST',
        path: '/v2.0/article/create',
        token: creds.accessToken,
        body: { kind: 'json', value: article },
      },
      tokenSchema,
    );
    const { id, polls } = await verifyArticle(creds, created.token);
    const outcome = input.broadcast ? await broadcast(creds, id) : undefined;
    return { externalId: id, ...(outcome ? { broadcast: outcome } : {}), details: { verifyPolls: polls } };
  }

  /**
   * create gives a token, not an id; verify answers -214 until the article is processed. Verify only
   * reads a status, so a timeout or dropped answer is polled again within the same budget.
   */
  async function verifyArticle(
    creds: ChannelCredentials,
    token: string,
  ): Promise<{ id: string; polls: number }> {
    const started = Date.now();
    let delay = polling.firstDelayMs;
    for (let polls = 1; ; polls += 1) {
      try {
        const verified = await zalo.call(
          {
            method: 'POST',
            path: '/v2.0/article/verify',
            token: creds.accessToken,
            body: { kind: 'json', value: { token } },
          },
          articleIdSchema,
        );
        return { id: verified.id, polls };
      } catch (error) {
        const retriable = error instanceof ConnectorFailure && error.failure.kind === 'transient';
        if (retriable && Date.now() - started + delay <= polling.budgetMs) {
          await pause(delay);
          delay = Math.min(delay * 2, polling.maxDelayMs);
          continue;
        }
        // The article was created: any retry must first look for it (findRecentPostByMarker).
        if (retriable) {
          const processing = error instanceof ZaloApiError && error.zaloCode === ZALO_ARTICLE_PROCESSING;
          const message = processing
            ? `Zalo was still processing the article after ${polls} checks in ${Date.now() - started} ms`
            : error.failure.message;
          throw new ConnectorFailure('zalo', { kind: 'transient', message, maybeDelivered: true });
        }
        throw error;
      }
    }
  }

  async function broadcast(creds: ChannelCredentials, articleId: string): Promise<BroadcastOutcome> {
    try {
      const sent = await zalo.call(
        {
          method: 'POST',
          path: '/v2.0/oa/message',
          token: creds.accessToken,
          body: {
            kind: 'json',
            value: {
              // An empty target means every follower (no age, gender or place filter).
              recipient: { target: {} },
              message: {
                attachment: {
                  type: 'template',
                  payload: {
                    template_type: 'media',
                    elements: [{ media_type: 'article', attachment_id: articleId }],
                  },
                },
              },
            },
          },
        },
        messageSchema,
      );
      return { status: 'sent', messageId: sent.message_id };
    } catch (error) {
      if (error instanceof ZaloApiError && error.zaloCode === ZALO_NIGHT_BAN) {
        return { status: 'not_now', retryAt: nextBroadcastWindow(now()), message: error.failure.message };
      }
      if (error instanceof ConnectorFailure) return { status: 'failed', failure: error.failure };
      throw error;
    }
  }

  async function findRecentPostByMarker(
    creds: ChannelCredentials,
    marker: string,
    since: Date,
  ): Promise<PublishResult | null> {
    const oldest = since.getTime() - RECONCILE_SLACK_MS;
    for (let page = 0; page < RECONCILE_MAX_PAGES; page += 1) {
      const slice = await zalo.call(
        {
          method: 'GET',
          path: '/v2.0/article/getslice',
          token: creds.accessToken,
          query: { offset: String(page * SLICE_LIMIT), limit: String(SLICE_LIMIT), type: 'normal' },
        },
        sliceSchema,
      );
      for (const media of slice.medias) {
        // Newest first: once older than the attempt, nothing further down can be ours.
        if (media.create_date !== undefined && media.create_date < oldest) return null;
        const detail = await zalo.call(
          {
            method: 'GET',
            path: '/v2.0/article/getdetail',
            token: creds.accessToken,
            query: { id: media.id },
          },
          detailSchema,
        );
        if (containsText(detail, marker)) {
          return {
            externalId: media.id,
            ...(detail.link ? { permalink: detail.link } : {}),
            details: { reconciled: true },
          };
        }
      }
      if (slice.medias.length < SLICE_LIMIT) return null;
    }
    return null;
  }

  async function deletePost(creds: ChannelCredentials, externalId: string): Promise<void> {
    try {
      await zalo.call(
        {
          method: 'POST',
          path: '/v2.0/article/remove',
          token: creds.accessToken,
          body: { kind: 'json', value: { id: externalId } },
        },
        anySchema,
      );
    } catch (error) {
      if (
        error instanceof ConnectorFailure &&
        error.failure.kind === 'rejected' &&
        (await isGone(creds, externalId))
      )
        return;
      throw error;
    }
  }

  /** Zalo has no "not found" code of its own: an article whose detail is refused is gone. */
  async function isGone(creds: ChannelCredentials, externalId: string): Promise<boolean> {
    try {
      await zalo.call(
        {
          method: 'GET',
          path: '/v2.0/article/getdetail',
          token: creds.accessToken,
          query: { id: externalId },
        },
        detailSchema,
      );
      return false;
    } catch (error) {
      return error instanceof ConnectorFailure && error.failure.kind === 'rejected';
    }
  }

  /** Zalo has no article statistics API; tracked-link clicks (counted by Loa) are the measure. */
  async function fetchMetrics(
    _creds: ChannelCredentials,
    externalIds: string[],
  ): Promise<Map<string, PostMetrics>> {
    const nothing: PostMetrics = {
      impressions: null,
      reactions: null,
      comments: null,
      shares: null,
      clicks: null,
    };
    return new Map(externalIds.map((id) => [id, { ...nothing }]));
  }

  async function followerCount(creds: ChannelCredentials): Promise<number> {
    const oa = await zalo.call(
      { method: 'GET', path: '/v2.0/oa/getoa', token: creds.accessToken },
      followersSchema,
    );
    return oa.num_follower;
  }

  function refreshCredentials(creds: ChannelCredentials): Promise<ChannelCredentials> {
    return refreshZaloCredentials(
      {
        http: options.http,
        oauthUrl: options.oauthUrl,
        appId: options.appId,
        appSecret: options.appSecret,
        rateLimitWaitMs,
        now,
      },
      creds,
    );
  }

  return {
    platform: 'zalo',
    validateCredentials,
    publish,
    findRecentPostByMarker,
    deletePost,
    fetchMetrics,
    followerCount,
    refreshCredentials,
    broadcast,
  };
}

function containsText(value: unknown, needle: string): boolean {
  if (typeof value === 'string') return value.includes(needle);
  if (Array.isArray(value)) return value.some((item) => containsText(item, needle));
  if (value && typeof value === 'object')
    return Object.values(value).some((item) => containsText(item, needle));
  return false;
}
