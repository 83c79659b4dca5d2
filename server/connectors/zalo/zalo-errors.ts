// How a Zalo OA failure maps to the publisher's four kinds. Zalo answers HTTP 200 with
// {error, message, data}; `error != 0` is the failure (research/platform-apis.md B1, B6).
import { z } from 'zod';
import { retryAfterHeaderMs } from '../failures.ts';
import type { ConnectorError } from '../types.ts';

export const zaloEnvelopeSchema = z.object({
  error: z.coerce.number(),
  message: z.string().optional(),
  data: z.unknown().optional(),
});

/** The OAuth host adds `error_name` / `error_reason` / `error_description` instead of `message`. */
export const zaloOAuthErrorSchema = z.object({
  error: z.coerce.number(),
  message: z.string().optional(),
  error_name: z.string().optional(),
  error_reason: z.string().optional(),
  error_description: z.string().optional(),
});

export const ZALO_ARTICLE_PROCESSING = -214;
export const ZALO_NIGHT_BAN = -234;

/** -216 invalid, -220 expired or removed, -124 (ZNS) invalid; -14xxx come from the OAuth host (-14014 bad refresh token). */
export function isZaloAuthCode(code: number): boolean {
  return code === -216 || code === -220 || code === -124 || (code <= -14000 && code > -15000);
}

export interface ZaloFailureInput {
  status: number;
  headers: Headers;
  /** The error code and message, when the body had the Zalo envelope with error != 0. */
  error?: { code: number; message: string };
  isWrite: boolean;
}

export const DEFAULT_ZALO_RATE_LIMIT_WAIT_MS = 60_000;

export function classifyZaloFailure(
  input: ZaloFailureInput,
  rateLimitWaitMs = DEFAULT_ZALO_RATE_LIMIT_WAIT_MS,
): ConnectorError {
  const { status, headers, error, isWrite } = input;
  if (!error) {
    if (status >= 500 || status === 408) {
      return {
        kind: 'transient',
        message: `HTTP ${status} from Zalo`,
        maybeDelivered: isWrite && status >= 500,
      };
    }
    if (status === 429) {
      return {
        kind: 'rate_limited',
        message: 'HTTP 429 from Zalo',
        retryAfterMs: retryAfterHeaderMs(headers) ?? rateLimitWaitMs,
      };
    }
    return { kind: 'rejected', message: `HTTP ${status} from Zalo without an error body` };
  }
  const { code, message } = error;
  if (isZaloAuthCode(code)) return { kind: 'auth_expired', message, platformCode: code };
  // -32: the 4,000 calls a minute bucket (app or OA); the headers carry no reset time, so a minute.
  if (code === -32)
    return { kind: 'rate_limited', message, retryAfterMs: retryAfterHeaderMs(headers) ?? rateLimitWaitMs };
  // Still processing: only reaches here when a poll gave up; the article may well appear later.
  if (code === ZALO_ARTICLE_PROCESSING) return { kind: 'transient', message, maybeDelivered: isWrite };
  // -201 invalid field, -200 upload failed, -210 over a limit, -211 out of quota, -223 quota or not
  // authorised, -234 night ban (broadcast handles it itself), and anything unknown: permanent.
  return { kind: 'rejected', message, platformCode: code };
}

/**
 * When Zalo will accept promotional messages again: the next 06:00 in Asia/Ho_Chi_Minh (UTC+7, no
 * daylight saving), strictly after `now`.
 */
export function nextBroadcastWindow(now: Date): Date {
  const offsetMs = 7 * 3_600_000;
  const local = new Date(now.getTime() + offsetMs);
  const sixAm = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate(), 6, 0, 0, 0);
  const next = sixAm > local.getTime() ? sixAm : sixAm + 24 * 3_600_000;
  return new Date(next - offsetMs);
}
