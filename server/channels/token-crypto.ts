// Platform tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the container's
// secret key. The stored text names its format version, so the key or cipher can change later
// without guessing what an old row holds: `v1.<iv>.<tag>.<ciphertext>` (base64url parts).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const INFO = 'loa/channels/token-encryption/v1';
const SALT = 'loa-channel-tokens';
// Binds every ciphertext to its purpose: a value copied into another column or table fails to open.
const AAD = Buffer.from('loa:channel-token');

export interface TokenCrypto {
  encrypt(plain: string): string;
  decrypt(stored: string): string;
}

export class TokenDecryptError extends Error {
  constructor(reason: string) {
    super(`cannot decrypt a stored platform token: ${reason}`);
    this.name = 'TokenDecryptError';
  }
}

export function createTokenCrypto(secretKey: string): TokenCrypto {
  if (secretKey.length < 16) throw new Error('the secret key is too short to derive a token key');
  const key = Buffer.from(hkdfSync('sha256', secretKey, SALT, INFO, 32));
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(AAD);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join(
        '.',
      );
    },
    decrypt(stored) {
      const [version, iv, tag, body, ...rest] = stored.split('.');
      if (version !== VERSION || !iv || !tag || body === undefined || rest.length > 0) {
        throw new TokenDecryptError('unknown format');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(AAD);
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
          'utf8',
        );
      } catch {
        throw new TokenDecryptError('wrong key or altered value');
      }
    },
  };
}
