// Platform tokens at rest (RELIABILITY S10): each ciphertext opens only in the row and column it
// was made for, under a key this install has; an old unbound value is readable only to be
// rewritten; a key being rotated away from still opens what it made.
import assert from 'node:assert/strict';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import {
  channelTokenContext,
  createTokenCrypto,
  TokenDecryptError,
} from '../../../server/channels/token-crypto.ts';

const OLD = 'old-secret-key-that-is-long-enough-000000';
const NEW = 'new-secret-key-that-is-long-enough-111111';
const A = channelTokenContext('5f0c5a1e-0000-4000-8000-00000000000a', 'access_token');
const B = channelTokenContext('5f0c5a1e-0000-4000-8000-00000000000b', 'access_token');

/** A value as the first format stored it: one constant AAD for every token. */
function legacyV1(secretKey: string, plain: string): string {
  const key = Buffer.from(
    hkdfSync('sha256', secretKey, 'loa-channel-tokens', 'loa/channels/token-encryption/v1', 32),
  );
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from('loa:channel-token'));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), body]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

describe('token encryption at rest', () => {
  it('opens a value in the row and column it was made for', () => {
    const crypto = createTokenCrypto(NEW);
    const stored = crypto.encrypt('EAAB-page-token', A);
    assert.match(stored, /^v2\.[A-Za-z0-9_-]{10}\./);
    assert.ok(!stored.includes('EAAB-page-token'));
    assert.equal(crypto.decrypt(stored, A), 'EAAB-page-token');
  });

  it('refuses a value copied into another channel or another column', () => {
    const crypto = createTokenCrypto(NEW);
    const stored = crypto.encrypt('EAAB-page-token', A);
    assert.throws(() => crypto.decrypt(stored, B), TokenDecryptError);
    assert.throws(
      () =>
        crypto.decrypt(stored, channelTokenContext('5f0c5a1e-0000-4000-8000-00000000000a', 'refresh_token')),
      TokenDecryptError,
    );
  });

  it('refuses an altered value and one made with a key it does not have', () => {
    const crypto = createTokenCrypto(NEW);
    const stored = crypto.encrypt('EAAB-page-token', A);
    const parts = stored.split('.');
    parts[4] = Buffer.from('something else').toString('base64url');
    assert.throws(() => crypto.decrypt(parts.join('.'), A), TokenDecryptError);
    assert.throws(() => createTokenCrypto(OLD).decrypt(stored, A), /a key this install does not have/);
    assert.throws(() => crypto.decrypt('garbage', A), /unknown format/);
  });

  it('reads an old unbound v1 value only to rewrite it bound to its row', () => {
    const crypto = createTokenCrypto(NEW);
    const legacy = legacyV1(NEW, 'zalo-access-token');
    assert.throws(() => crypto.decrypt(legacy, A), /unknown format/);
    const rewritten = crypto.reencrypt(legacy, A);
    assert.equal(crypto.isCurrent(rewritten), true);
    assert.equal(crypto.decrypt(rewritten, A), 'zalo-access-token');
    assert.throws(() => crypto.decrypt(rewritten, B), TokenDecryptError);
  });

  it('opens values of a previous key and rewrites them under the current one', () => {
    const before = createTokenCrypto(OLD).encrypt('EAAB-page-token', A);
    const rotating = createTokenCrypto(NEW, [OLD]);
    assert.equal(rotating.isCurrent(before), false);
    assert.equal(rotating.decrypt(before, A), 'EAAB-page-token');
    const after = rotating.reencrypt(before, A);
    assert.equal(rotating.isCurrent(after), true);
    // Once the old key is gone, the rewritten value still opens; the old one no longer does.
    const retired = createTokenCrypto(NEW);
    assert.equal(retired.decrypt(after, A), 'EAAB-page-token');
    assert.throws(() => retired.decrypt(before, A), TokenDecryptError);
  });
});
