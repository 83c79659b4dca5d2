// How a Graph API failure maps to the publisher's four kinds. Pure functions, table-driven, unit-tested.
// Branch on `code` (and a few subcodes), never on `type`: Graph sends type "OAuthException" for rate
// limits and invalid metrics too (research/platform-apis.md A4).
import { z } from 'zod';
import { retryAfterHeaderMs } from '../failures.ts';
import type { ConnectorError } from '../types.ts';

export const graphErrorSchema = z.object({
  message: z.string(),
  type: z.string().optional(),
  code: z.number(),
  error_subcode: z.number().optional(),
  error_user_title: z.string().optional(),
  error_user_msg: z.string().optional(),
  is_transient: z.boolean().optional(),
  fbtrace_id: z.string().optional(),
});
export type GraphError = z.infer<typeof graphErrorSchema>;
export const graphErrorEnvelopeSchema = z.object({ error: graphErrorSchema });

export interface RateLimitDefaults {
  /** Wait when a rate-limit error comes without a usable estimate. */
  rateLimitWaitMs: number;
  /** Wait when X-App-Usage says the app's hourly budget is spent (rolling one-hour window). */
  appUsageWaitMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitDefaults = { rateLimitWaitMs: 60_000, appUsageWaitMs: 15 * 60_000 };

/** 4 app, 17 user, 32 page, 341 feed actions, 613 custom, 80000–80009 and 80014 business use case. */
export function isRateLimitCode(code: number): boolean {
  return [4, 17, 32, 341, 613, 80014].includes(code) || (code >= 80000 && code <= 80009);
}
const TRANSIENT_CODES = new Set([1, 2]);
/** 190 invalid/expired token (every subcode), 102 session invalid. */
const AUTH_CODES = new Set([190, 102]);
/** Subcodes that override the code: Page publishing authorization required → reconnect. */
const AUTH_SUBCODES = new Set([1404078]);
/** "You are posting too fast" comes as a content error but is a throttle. */
const RATE_LIMIT_SUBCODES = new Set([1390008]);
/** "Service temporarily unavailable" during publishing. */
const TRANSIENT_SUBCODES = new Set([1363047, 1609010]);

export interface GraphFailureInput {
  status: number;
  headers: Headers;
  /** The parsed `error` object, when the body had the Graph envelope. */
  error?: GraphError;
  /** A write (POST/DELETE): a 5xx may then have been carried out. */
  isWrite: boolean;
}

export function classifyGraphFailure(
  input: GraphFailureInput,
  defaults: RateLimitDefaults = DEFAULT_RATE_LIMIT,
): ConnectorError {
  const { status, error, headers, isWrite } = input;
  // A 5xx may come after the platform did the work (a gateway gave up waiting); the caller reconciles.
  const maybeDelivered = isWrite && status >= 500;
  if (!error) {
    if (status >= 500 || status === 408) {
      return { kind: 'transient', message: `HTTP ${status} without a Graph error body`, maybeDelivered };
    }
    if (status === 429) {
      return { kind: 'rate_limited', message: 'HTTP 429', retryAfterMs: rateLimitWaitMs(headers, defaults) };
    }
    return { kind: 'rejected', message: `HTTP ${status} without a Graph error body` };
  }
  const { code, error_subcode: subcode, message } = error;
  if (subcode !== undefined && AUTH_SUBCODES.has(subcode))
    return { kind: 'auth_expired', message, platformCode: code };
  if (subcode !== undefined && RATE_LIMIT_SUBCODES.has(subcode)) {
    return { kind: 'rate_limited', message, retryAfterMs: rateLimitWaitMs(headers, defaults) };
  }
  if (subcode !== undefined && TRANSIENT_SUBCODES.has(subcode)) {
    return { kind: 'transient', message, maybeDelivered };
  }
  if (AUTH_CODES.has(code)) return { kind: 'auth_expired', message, platformCode: code };
  if (isRateLimitCode(code))
    return { kind: 'rate_limited', message, retryAfterMs: rateLimitWaitMs(headers, defaults) };
  if (TRANSIENT_CODES.has(code) || error.is_transient === true) {
    return { kind: 'transient', message, maybeDelivered };
  }
  // 100 invalid parameter, 10 and 200–299 permissions, 368 blocked, 506 duplicate, 1609005 link
  // scrape, and any code we do not know at a 4xx: permanent, with the platform's own message.
  if (status >= 500) return { kind: 'transient', message, maybeDelivered };
  return {
    kind: 'rejected',
    message,
    platformCode: code,
    ...(subcode !== undefined ? { platformSubcode: subcode } : {}),
  };
}

const bucEntrySchema = z.object({ estimated_time_to_regain_access: z.number().optional() }).loose();
const bucHeaderSchema = z.record(z.string(), z.array(bucEntrySchema));
const usageHeaderSchema = z.record(z.string(), z.unknown());

/**
 * How long to wait after a Graph rate limit: a standard Retry-After if present; else the largest
 * `estimated_time_to_regain_access` (minutes) of X-Business-Use-Case-Usage; else, when X-App-Usage
 * (or X-Page-Usage) shows a spent budget, the app-level wait; else the default.
 */
export function rateLimitWaitMs(headers: Headers, defaults: RateLimitDefaults = DEFAULT_RATE_LIMIT): number {
  const retryAfter = retryAfterHeaderMs(headers);
  if (retryAfter !== undefined && retryAfter > 0) return retryAfter;
  const buc = parseJsonHeader(headers.get('x-business-use-case-usage'), bucHeaderSchema);
  if (buc) {
    const minutes = Math.max(
      0,
      ...Object.values(buc).flatMap((entries) => entries.map((e) => e.estimated_time_to_regain_access ?? 0)),
    );
    if (minutes > 0) return minutes * 60_000;
  }
  for (const name of ['x-app-usage', 'x-page-usage']) {
    const usage = parseJsonHeader(headers.get(name), usageHeaderSchema);
    const spent = usage && Object.values(usage).some((v) => typeof v === 'number' && v >= 100);
    if (spent) return defaults.appUsageWaitMs;
  }
  return defaults.rateLimitWaitMs;
}

function parseJsonHeader<T>(value: string | null, schema: z.ZodType<T>): T | undefined {
  if (!value) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const appUsageSchema = z
  .object({
    call_count: z.number().optional(),
    total_cputime: z.number().optional(),
    total_time: z.number().optional(),
  })
  .loose();
const bucUsageSchema = z.record(
  z.string(),
  z.array(
    z
      .object({
        call_count: z.number().optional(),
        total_cputime: z.number().optional(),
        total_time: z.number().optional(),
        estimated_time_to_regain_access: z.number().optional(),
      })
      .loose(),
  ),
);

function highest(usage: { call_count?: number; total_cputime?: number; total_time?: number }): number {
  return Math.max(0, usage.call_count ?? 0, usage.total_cputime ?? 0, usage.total_time ?? 0);
}

/**
 * The usage headers of a successful answer: `X-App-Usage` (app-wide) and
 * `X-Business-Use-Case-Usage` (per Page). A missing header is no reading, never "0 % used".
 */
export function readUsage(headers: Headers): UsageReadingOut[] {
  const out: UsageReadingOut[] = [];
  const app = parseJsonHeader(headers.get('x-app-usage'), appUsageSchema);
  if (app) out.push({ scope: 'app', key: 'app', percent: highest(app), regainMs: 0 });
  const buc = parseJsonHeader(headers.get('x-business-use-case-usage'), bucUsageSchema);
  for (const [key, entries] of Object.entries(buc ?? {})) {
    for (const entry of entries) {
      out.push({
        scope: 'page',
        key,
        percent: highest(entry),
        regainMs: (entry.estimated_time_to_regain_access ?? 0) * 60_000,
      });
    }
  }
  return out;
}

interface UsageReadingOut {
  scope: 'app' | 'page';
  key: string;
  percent: number;
  regainMs: number;
}
