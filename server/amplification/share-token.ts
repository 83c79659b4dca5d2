// `/s/:token`: one token per member × post × platform, signed so nobody can make one for
// another person, and stable so the feed needs no row before the member taps.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SharePlatform } from '../db/schema.ts';

const PLATFORM_CODES: Record<SharePlatform, string> = { facebook: 'f', zalo: 'z', other: 'o' };
const HEX32 = /^[0-9a-f]{32}$/;

export interface ShareTokenParts {
  userId: string;
  postId: string;
  platform: SharePlatform;
}

const compact = (uuid: string) => uuid.replace(/-/g, '');
const expand = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

function mac(secret: string, body: string): Buffer {
  return createHmac('sha256', `share-token:${secret}`).update(body).digest().subarray(0, 12);
}

export function shareToken(secret: string, parts: ShareTokenParts): string {
  const body = `${PLATFORM_CODES[parts.platform]}${compact(parts.postId)}${compact(parts.userId)}`;
  return `${body}${mac(secret, body).toString('base64url')}`;
}

export function readShareToken(secret: string, token: string): ShareTokenParts | undefined {
  if (token.length !== 81) return undefined;
  const body = token.slice(0, 65);
  const given = Buffer.from(token.slice(65), 'base64url');
  const expected = mac(secret, body);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const platform = (Object.keys(PLATFORM_CODES) as SharePlatform[]).find(
    (p) => PLATFORM_CODES[p] === body[0],
  );
  const postHex = body.slice(1, 33);
  const userHex = body.slice(33, 65);
  if (!platform || !HEX32.test(postHex) || !HEX32.test(userHex)) return undefined;
  return { platform, postId: expand(postHex), userId: expand(userHex) };
}
