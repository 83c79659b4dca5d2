// Platform tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the secret key.
//
// Every ciphertext is bound to the row and column it belongs to (the additional authenticated
// data names them: `channels:<id>:access_token`), so a value copied into another channel's row
// or another column fails to open instead of handing that channel someone else's token. The
// stored text names its format and the key it was made with, `v2.<keyId>.<iv>.<tag>.<ciphertext>`,
// so a key can be rotated (`npm run rotate-key`): the previous keys still open what they made
// until every row is re-encrypted under the current one.
//
// `v1.<iv>.<tag>.<ciphertext>` (before the binding: one constant AAD for every token) is read
// only to rewrite it as v2, which happens at start and in rotate-key.
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const INFO = 'loa/channels/token-encryption/v1';
const SALT = 'loa-channel-tokens';
const LEGACY_AAD = Buffer.from('loa:channel-token');

export interface TokenCrypto {
  /** `context` names the row and column the value is stored in, e.g. `channels:<id>:access_token`. */
  encrypt(plain: string, context: string): string;
  decrypt(stored: string, context: string): string;
  /** True when `stored` is made with the current key and format (nothing to re-encrypt). */
  isCurrent(stored: string): boolean;
  /**
   * The same value under the current key and format. Also opens the old unbound v1 format, which
   * `decrypt` refuses (a v1 value could be copied between rows): only the re-encryption of
   * stored rows, at start and by rotate-key, reads it.
   */
  reencrypt(stored: string, context: string): string;
}

export class TokenDecryptError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt a stored platform token: ${reason}`);
    this.name = 'TokenDecryptError';
  }
}

interface DerivedKey {
  id: string;
  key: Buffer;
}

function derive(secretKey: string): DerivedKey {
  if (secretKey.length < 16) throw new Error('the secret key is too short to derive a token key');
  const key = Buffer.from(hkdfSync('sha256', secretKey, SALT, INFO, 32));
  // The key's name in every ciphertext: a digest of the derived key, which says which key made
  // a value without telling anything about it.
  const id = createHash('sha256').update(key).update('loa:key-id').digest('base64url').slice(0, 10);
  return { id, key };
}

function open(key: Buffer, aad: Buffer, iv: string, tag: string, body: string): string {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(aad);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new TokenDecryptError('wrong key, altered value, or a value moved from another row');
  }
}

/** `previousKeys`: keys being rotated away from, still accepted for reading. */
export function createTokenCrypto(secretKey: string, previousKeys: readonly string[] = []): TokenCrypto {
  const current = derive(secretKey);
  const keys = new Map<string, DerivedKey>(
    [current, ...previousKeys.map(derive)].map((k) => [k.id, k] as const),
  );
  return {
    encrypt(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      cipher.setAAD(Buffer.from(`loa:${context}`));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [
        'v2',
        current.id,
        iv.toString('base64url'),
        tag.toString('base64url'),
        body.toString('base64url'),
      ].join('.');
    },
    decrypt(stored, context) {
      const parts = stored.split('.');
      if (parts[0] !== 'v2' || parts.length !== 5) throw new TokenDecryptError('unknown format');
      const [, keyId, iv, tag, body] = parts as [string, string, string, string, string];
      const key = keys.get(keyId);
      if (!key) throw new TokenDecryptError(`made with a key this install does not have (${keyId})`);
      return open(key.key, Buffer.from(`loa:${context}`), iv, tag, body);
    },
    isCurrent(stored) {
      return stored.startsWith(`v2.${current.id}.`);
    },
    reencrypt(stored, context) {
      const parts = stored.split('.');
      if (parts[0] === 'v1' && parts.length === 4) {
        const [, iv, tag, body] = parts as [string, string, string, string];
        for (const key of keys.values()) {
          try {
            return this.encrypt(open(key.key, LEGACY_AAD, iv, tag, body), context);
          } catch {
            // made with another of the keys, if any
          }
        }
        throw new TokenDecryptError('wrong key or altered value');
      }
      return this.encrypt(this.decrypt(stored, context), context);
    },
  };
}

/** Where a channel's token is stored: the binding its ciphertext carries. */
export const channelTokenContext = (channelId: string, column: 'access_token' | 'refresh_token') =>
  `channels:${channelId}:${column}`;

/** Where a pending sign-in step's secret is stored: its key hash, unique and fixed for the row's life. */
export const flowSecretContext = (keyHash: string) => `channel_connect_flows:${keyHash}:secret`;
