// The Facebook mock's in-memory world: pages, photos, posts (the ledger keeps deleted ones),
// people, usage counters and the webhook subscription.
import { z } from 'zod';
import type { MockClock } from '../shared/clock.ts';
import { engagementAt, type Engagement } from '../shared/engagement.ts';
import type { IdSource } from '../shared/ids.ts';
import type { MemberStore } from '../shared/members.ts';

export const facebookSettingsSchema = z.object({
  userTokenLifetimeSeconds: z.number().int().positive().default(5_184_000),
  scheduleMinSeconds: z.number().int().min(0).default(600),
  scheduleMaxSeconds: z
    .number()
    .int()
    .positive()
    .default(30 * 86_400),
  pageCallLimit: z.number().int().positive().default(4800),
  pageWindowSeconds: z.number().int().positive().default(86_400),
  appCallLimit: z.number().int().positive().default(2000),
  appWindowSeconds: z.number().int().positive().default(3600),
  /** The code for throttled user/app-token calls: 32 (Pages API) or 4 (app level). */
  appThrottleCode: z.union([z.literal(32), z.literal(4)]).default(32),
  requireTemporaryForScheduled: z.boolean().default(true),
  photoMaxBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  webhookRetryDelaysMs: z.array(z.number().int().min(0)).default([200, 1000, 5000, 15_000, 60_000]),
  webhookTimeoutMs: z.number().int().positive().default(5000),
  webhookScanIntervalMs: z.number().int().min(0).default(5000),
  webhookMaxChangesPerPost: z.number().int().positive().default(20),
});
export type FacebookSettings = z.infer<typeof facebookSettingsSchema>;

export interface FbPage {
  id: string;
  name: string;
  accessToken: string;
  fanCount: number;
  adminUserId: string | undefined;
  createdMs: number;
  tokenRevoked?: { subcode: number };
}

export interface FbPhoto {
  id: string;
  pageId: string;
  url: string | undefined;
  bytes: number | undefined;
  /** The uploaded file itself, so tests can look at what the Page would show. */
  data: Buffer | undefined;
  caption: string | undefined;
  published: boolean;
  temporary: boolean;
  createdMs: number;
  postId: string | undefined;
  consumedByPostId: string | undefined;
  deletedMs?: number;
}

export interface FbPost {
  id: string;
  pageId: string;
  objectId: string;
  kind: 'status' | 'photo';
  message: string | undefined;
  link: string | undefined;
  media: string[];
  createdMs: number;
  /** Explicitly published (at once, or later with is_published=true); scheduled ones fall due. */
  published: boolean;
  publishedMs: number | undefined;
  scheduledMs: number | undefined;
  deletedMs?: number;
}

/** A Facebook Login authorization code: single use, 10 minutes, bound to its redirect_uri. */
export interface FbLoginCode {
  code: string;
  userId: string;
  redirectUri: string;
  pageIds: string[];
  expiresMs: number;
  used: boolean;
}

/**
 * A user token issued through Facebook Login (short-lived from a code, long-lived from
 * fb_exchange_token). It carries the Pages the person granted: /me/accounts lists only those.
 */
export interface FbLoginToken {
  token: string;
  userId: string;
  pageIds: string[];
  expiresMs: number;
  longLived: boolean;
  revoked?: { subcode: number };
}

export interface UsageBucket {
  windowStart: number;
  calls: number;
}

export interface EmittedCounts {
  reactions: number;
  comments: number;
  shares: number;
}

export interface FacebookState {
  settings: FacebookSettings;
  seed: number;
  clock: MockClock;
  ids: IdSource;
  members: MemberStore;
  pages: Map<string, FbPage>;
  pageByToken: Map<string, FbPage>;
  photos: Map<string, FbPhoto>;
  posts: Map<string, FbPost>;
  /** Each page's posts in the order they were made (the duplicate check looks at the newest). */
  postsByPage: Map<string, FbPost[]>;
  loginCodes: Map<string, FbLoginCode>;
  loginTokens: Map<string, FbLoginToken>;
  usage: Map<string, UsageBucket>;
  webhook: { url: string; verifyToken: string } | undefined;
  emitted: Map<string, EmittedCounts>;
  /** Posts whose publication webhook was sent (scheduled ones are announced when due). */
  announced: Set<string>;
}

/** When the post became visible, or undefined while it is unpublished or scheduled ahead. */
export function publishedAt(post: FbPost, nowMs: number): number | undefined {
  if (post.published) return post.publishedMs;
  if (post.scheduledMs !== undefined && post.scheduledMs <= nowMs) return post.scheduledMs;
  return undefined;
}

export function isLive(post: FbPost, nowMs: number): boolean {
  return post.deletedMs === undefined && publishedAt(post, nowMs) !== undefined;
}

export function postEngagement(state: FacebookState, post: FbPost): Engagement {
  const now = state.clock.now();
  const start = publishedAt(post, now);
  const page = state.pages.get(post.pageId);
  const until = post.deletedMs === undefined ? now : Math.min(now, post.deletedMs);
  return engagementAt(
    state.seed,
    {
      key: post.id,
      startMs: start ?? Number.MAX_SAFE_INTEGER,
      audience: page?.fanCount ?? 0,
      hasImage: post.media.length > 0,
      hasLink: post.link !== undefined,
    },
    start === undefined ? 0 : until,
  );
}

export function addPage(
  state: FacebookState,
  input: { name: string; fanCount: number; adminUserId: string | undefined },
): FbPage {
  const page: FbPage = {
    id: state.ids.next('6150', 15),
    name: input.name,
    accessToken: state.ids.token('EAAPage'),
    fanCount: input.fanCount,
    adminUserId: input.adminUserId,
    createdMs: state.clock.now(),
  };
  state.pages.set(page.id, page);
  state.pageByToken.set(page.accessToken, page);
  return page;
}

export function resetFacebookState(state: FacebookState): void {
  state.pages.clear();
  state.pageByToken.clear();
  state.photos.clear();
  state.posts.clear();
  state.postsByPage.clear();
  state.loginCodes.clear();
  state.loginTokens.clear();
  state.usage.clear();
  state.webhook = undefined;
  state.emitted.clear();
  state.announced.clear();
  state.members.reset();
}
