// The Zalo mock's in-memory world: OAs, their OAuth tokens, articles (the ledger keeps
// removed ones), broadcasts, uploads, people and the rate-limit window.
import { z } from 'zod';
import type { MockClock } from '../shared/clock.ts';
import type { IdSource } from '../shared/ids.ts';
import type { MemberStore } from '../shared/members.ts';

export const zaloSettingsSchema = z.object({
  accessTokenLifetimeSeconds: z.number().int().positive().default(90_000),
  refreshTokenLifetimeSeconds: z
    .number()
    .int()
    .positive()
    .default(90 * 86_400),
  /** What an expired access token answers; real reports show both. */
  expiredTokenError: z.union([z.literal(-216), z.literal(-220)]).default(-216),
  memberTokenLifetimeSeconds: z
    .number()
    .int()
    .positive()
    .default(90 * 86_400),
  articleVerifyPolls: z.number().int().min(0).default(2),
  broadcastMonthlyQuota: z.number().int().min(0).default(30),
  nightStartHour: z.number().int().min(0).max(23).default(22),
  nightEndHour: z.number().int().min(0).max(23).default(6),
  rateLimitPerMinute: z.number().int().positive().default(4000),
  uploadMaxBytes: z
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  attachmentLifetimeSeconds: z
    .number()
    .int()
    .positive()
    .default(7 * 86_400),
  webhookSignaturePrefix: z.enum(['app_id', 'oa_id']).default('app_id'),
  webhookSignatureSecret: z.enum(['oa_secret_key', 'app_secret']).default('oa_secret_key'),
  webhookRetryDelaysMs: z.array(z.number().int().min(0)).default([200, 1000, 5000, 15_000, 60_000]),
  webhookTimeoutMs: z.number().int().positive().default(2000),
});
export type ZaloSettings = z.infer<typeof zaloSettingsSchema>;

export interface ZaloOa {
  id: string;
  name: string;
  followers: number;
  broadcastQuota: number | undefined;
  /** The person (POST /_mock/users) who administers the OA: the permission page offers it to them. */
  adminUserId: string | undefined;
  createdMs: number;
}

export interface ZaloAccessToken {
  token: string;
  oaId: string;
  expiresMs: number;
}

export interface ZaloRefreshToken {
  token: string;
  oaId: string;
  expiresMs: number;
  used: boolean;
}

export interface ZaloAuthCode {
  code: string;
  oaId: string;
  codeChallenge: string | undefined;
  expiresMs: number;
  used: boolean;
}

export interface ZaloBroadcast {
  messageId: string;
  sentMs: number;
  target: unknown;
}

export interface ZaloArticle {
  id: string;
  token: string;
  oaId: string;
  type: 'normal' | 'video';
  title: string;
  author: string | undefined;
  description: string | undefined;
  cover: unknown;
  body: Array<{ type: string; content?: string; url?: string }>;
  trackingLink: string | undefined;
  status: 'show' | 'hide';
  comment: 'show' | 'hide';
  createdMs: number;
  pollsLeft: number;
  verifiedMs: number | undefined;
  deletedMs?: number;
  broadcasts: ZaloBroadcast[];
}

export interface ZaloUpload {
  attachmentId: string;
  oaId: string;
  bytes: number;
  type: string;
  createdMs: number;
}

export interface ZaloState {
  settings: ZaloSettings;
  seed: number;
  clock: MockClock;
  ids: IdSource;
  members: MemberStore;
  oas: Map<string, ZaloOa>;
  accessTokens: Map<string, ZaloAccessToken>;
  refreshTokens: Map<string, ZaloRefreshToken>;
  codes: Map<string, ZaloAuthCode>;
  articles: Map<string, ZaloArticle>;
  articleByToken: Map<string, ZaloArticle>;
  uploads: Map<string, ZaloUpload>;
  broadcastsByMonth: Map<string, number>;
  rate: { windowStart: number; calls: number };
  webhookUrl: string | undefined;
}

export function resetZaloState(state: ZaloState): void {
  state.oas.clear();
  state.accessTokens.clear();
  state.refreshTokens.clear();
  state.codes.clear();
  state.articles.clear();
  state.articleByToken.clear();
  state.uploads.clear();
  state.broadcastsByMonth.clear();
  state.rate = { windowStart: 0, calls: 0 };
  state.webhookUrl = undefined;
  state.members.reset();
}

/** Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving), so a fixed offset is exact. */
export function vietnamTime(ms: number): { hour: number; month: string } {
  const shifted = new Date(ms + 7 * 3_600_000);
  return {
    hour: shifted.getUTCHours(),
    month: `${shifted.getUTCFullYear()}-${String(shifted.getUTCMonth() + 1).padStart(2, '0')}`,
  };
}

export function addOa(
  state: ZaloState,
  input: {
    name: string;
    followers: number;
    broadcastQuota: number | undefined;
    adminUserId: string | undefined;
  },
): ZaloOa {
  const oa: ZaloOa = {
    id: state.ids.next('4', 19),
    name: input.name,
    followers: input.followers,
    broadcastQuota: input.broadcastQuota,
    adminUserId: input.adminUserId,
    createdMs: state.clock.now(),
  };
  state.oas.set(oa.id, oa);
  return oa;
}

export function issueTokens(
  state: ZaloState,
  oaId: string,
): { access_token: string; refresh_token: string; expires_in: string } {
  const now = state.clock.now();
  const access: ZaloAccessToken = {
    token: state.ids.token('zat_', 48),
    oaId,
    expiresMs: now + state.settings.accessTokenLifetimeSeconds * 1000,
  };
  const refresh: ZaloRefreshToken = {
    token: state.ids.token('zrt_', 48),
    oaId,
    expiresMs: now + state.settings.refreshTokenLifetimeSeconds * 1000,
    used: false,
  };
  state.accessTokens.set(access.token, access);
  state.refreshTokens.set(refresh.token, refresh);
  return {
    access_token: access.token,
    refresh_token: refresh.token,
    expires_in: String(state.settings.accessTokenLifetimeSeconds),
  };
}
