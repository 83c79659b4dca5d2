// The one small interface every platform connector implements, and the typed failures it throws.
// Connectors know nothing of posts or channels rows: they take plain values and return plain values.

export type Platform = 'facebook' | 'zalo';

/**
 * Why a platform call failed, in the four words the publisher acts on:
 * - transient: try again later (with backoff). `maybeDelivered` says the platform may have carried
 *   out the write although we never heard back (timeout, dropped connection, 5xx on a write):
 *   the caller must look for the post (`findRecentPostByMarker`) before sending it again.
 * - rate_limited: try again after `retryAfterMs` (from the platform's usage headers when it sends them).
 * - auth_expired: the token is dead; retrying is pointless until someone reconnects the channel
 *   (Zalo: try `refreshCredentials` once first).
 * - rejected: the platform refused this content or request for good; `message` is the platform's own.
 */
export type ConnectorError =
  | { kind: 'transient'; message: string; maybeDelivered: boolean }
  | { kind: 'rate_limited'; message: string; retryAfterMs: number }
  | { kind: 'auth_expired'; message: string; platformCode?: string | number }
  | { kind: 'rejected'; message: string; platformCode?: string | number; platformSubcode?: number };

export type ConnectorErrorKind = ConnectorError['kind'];

export class ConnectorFailure extends Error {
  constructor(
    readonly platform: Platform,
    readonly failure: ConnectorError,
  ) {
    super(`${platform}: ${failure.kind}: ${failure.message}`);
    this.name = 'ConnectorFailure';
  }

  get kind(): ConnectorErrorKind {
    return this.failure.kind;
  }
}

export function isConnectorFailure(error: unknown): error is ConnectorFailure {
  return error instanceof ConnectorFailure;
}

/** What a connected channel holds (decrypted). Facebook: the Page id and a Page access token. */
export interface ChannelCredentials {
  /** Facebook Page id or Zalo OA id; empty when connecting and the id is not known yet. */
  externalId: string;
  accessToken: string;
  /** Zalo only: single-use, rotated by every refresh. */
  refreshToken?: string;
  tokenExpiresAt?: Date;
}

export interface ImageInput {
  data: Buffer;
  /** image/jpeg or image/png (what both platforms accept). */
  mime: string;
  altText?: string;
  /**
   * A public URL where Loa serves the same image. Zalo takes article covers and body images by URL
   * only (the platform fetches them); without a URL the Zalo article has no cover.
   */
  url?: string;
}

export interface PublishInput {
  /** The post text, already rendered; it contains the tracked link. */
  text: string;
  /** Zalo article title (1–149 characters); derived from the text's first line when absent. */
  title?: string;
  /** The tracked link `/l/<code>` as an absolute URL: Facebook link preview, Zalo `tracking_link`. */
  link?: string;
  images?: ImageInput[];
  /** Zalo cover; defaults to the first image. Ignored by Facebook. */
  coverImage?: ImageInput;
  /** A string that appears verbatim in `text` (the tracked-link code): how reconciliation finds the post. */
  trackingMarker: string;
  /** Zalo: also send the article to followers (never at night, see BroadcastOutcome). */
  broadcast?: boolean;
}

/**
 * What happened to a requested Zalo broadcast. It never fails the publish: the article is live
 * by then, and failing would make the caller publish it again.
 * - not_now: Zalo refuses promotional messages 22:00–06:00 Asia/Ho_Chi_Minh (-234); retry at `retryAt`.
 */
export type BroadcastOutcome =
  | { status: 'sent'; messageId: string }
  | { status: 'not_now'; retryAt: Date; message: string }
  | { status: 'failed'; failure: ConnectorError };

export interface PublishResult {
  /** Facebook: `{page-id}_{post-id}`; Zalo: the article id. */
  externalId: string;
  permalink?: string;
  broadcast?: BroadcastOutcome;
  details?: Record<string, unknown>;
}

/** null: the platform does not provide this figure (Zalo has no article statistics API). */
export interface PostMetrics {
  impressions: number | null;
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  clicks: number | null;
}

/** A usage header's reading: the highest of call count, CPU time and total time, in percent. */
export interface UsageReading {
  scope: 'app' | 'page';
  /** 'app', or the Page id the business-use-case header names. */
  key: string;
  percent: number;
  /** `estimated_time_to_regain_access` in ms (0 when the platform names none). */
  regainMs: number;
}

export interface CollectedFigures {
  reactions: number | null;
  comments: number | null;
  shares: number | null;
  /** Insights metric name → value; a metric missing here was not provided. */
  metrics: Record<string, number>;
}

/** One batched engagement read: figures per post id, metrics the platform refused, usage seen. */
export interface EngagementBatch {
  items: Map<string, CollectedFigures>;
  /** Metrics refused on their own (code 100): retired or unknown for this Page. */
  refusedMetrics: Array<{ metric: string; message: string }>;
  usage: UsageReading[];
}

export interface PlatformConnector {
  readonly platform: Platform;
  /** Checks the token works for this page/OA; rejected (wrong account) or auth_expired (dead token) otherwise. */
  validateCredentials(creds: ChannelCredentials): Promise<{ externalId: string; name: string }>;
  publish(creds: ChannelCredentials, input: PublishInput): Promise<PublishResult>;
  /** Reconciliation: the newest post since `since` whose text contains `marker`, or null. */
  findRecentPostByMarker(
    creds: ChannelCredentials,
    marker: string,
    since: Date,
  ): Promise<PublishResult | null>;
  /** Retraction. Idempotent: a post that is already gone counts as deleted. */
  deletePost(creds: ChannelCredentials, externalId: string): Promise<void>;
  /** Ids the platform no longer knows (deleted posts) are left out of the map. */
  fetchMetrics(creds: ChannelCredentials, externalIds: string[]): Promise<Map<string, PostMetrics>>;
  /**
   * Facebook: engagement of up to 50 posts in two calls (`?ids=` with fields, then insights). A
   * metric that fails the batch is retried alone and reported in `refusedMetrics`, never thrown.
   */
  collectEngagement?(
    creds: ChannelCredentials,
    externalIds: string[],
    metrics: readonly string[],
  ): Promise<EngagementBatch>;
  /** Zalo: the OA's follower count (`getoa` num_follower). */
  followerCount?(creds: ChannelCredentials): Promise<number>;
  /**
   * Zalo: rotates the tokens. The returned refresh token replaces the stored one at once (the old
   * one is dead). Never returns an empty refresh token: that case throws auth_expired.
   */
  refreshCredentials?(creds: ChannelCredentials): Promise<ChannelCredentials>;
  /** Zalo: (re)send a published article to followers, e.g. after a `not_now` outcome. */
  broadcast?(creds: ChannelCredentials, externalId: string): Promise<BroadcastOutcome>;
}
