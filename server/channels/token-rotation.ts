// Re-encrypts every secret the channels module stores (channel tokens, the pending sign-in
// steps' secrets) under the current key and format: after a key rotation, and at start to move
// rows still in the old unbound format. One transaction with the rows locked, so a token refresh
// running at the same moment waits and then writes under the current key itself. A ciphertext
// no key opens is left as it is and counted: its channel asks to be reconnected when it is used,
// and one bad row must not stop Loa from starting.
import type { Database } from '../db/database.ts';
import type { ChannelConnectRepo } from './channel-connect.repo.ts';
import type { ChannelsRepo } from './channels.repo.ts';
import {
  channelTokenContext,
  flowSecretContext,
  TokenDecryptError,
  type TokenCrypto,
} from './token-crypto.ts';

export interface ReencryptResult {
  /** Ciphertexts rewritten; 0 when everything was already under the current key. */
  rewritten: number;
  /** Ciphertexts looked at. */
  total: number;
  /** Ciphertexts no key opens, left as they are: the channels (or sign-in steps) they belong to. */
  unreadable: string[];
}

export function createTokenRotation(deps: {
  db: Database;
  crypto: TokenCrypto;
  channels: Pick<ChannelsRepo, 'lockAllTokens' | 'setTokenCiphertexts'>;
  flows: Pick<ChannelConnectRepo, 'lockSecrets' | 'setSecret'>;
}) {
  const { crypto } = deps;
  /** The ciphertext under the current key, or null when no key opens it. */
  const renew = (stored: string, context: string): string | null => {
    if (crypto.isCurrent(stored)) return stored;
    try {
      return crypto.reencrypt(stored, context);
    } catch (error) {
      if (error instanceof TokenDecryptError) return null;
      throw error;
    }
  };

  async function reencryptAll(): Promise<ReencryptResult> {
    return deps.db.transaction(async (tx) => {
      let rewritten = 0;
      let total = 0;
      const unreadable: string[] = [];
      for (const row of await deps.channels.lockAllTokens(tx)) {
        const access = renew(row.accessTokenEnc, channelTokenContext(row.id, 'access_token'));
        const refresh =
          row.refreshTokenEnc === null
            ? null
            : renew(row.refreshTokenEnc, channelTokenContext(row.id, 'refresh_token'));
        total += row.refreshTokenEnc === null ? 1 : 2;
        if (access === null || (row.refreshTokenEnc !== null && refresh === null)) unreadable.push(row.id);
        const accessTokenEnc = access ?? row.accessTokenEnc;
        const refreshTokenEnc = refresh ?? row.refreshTokenEnc;
        const changed =
          Number(accessTokenEnc !== row.accessTokenEnc) + Number(refreshTokenEnc !== row.refreshTokenEnc);
        if (changed === 0) continue;
        rewritten += changed;
        await deps.channels.setTokenCiphertexts(row.id, { accessTokenEnc, refreshTokenEnc }, tx);
      }
      for (const row of await deps.flows.lockSecrets(tx)) {
        if (row.secretEnc === null) continue;
        total += 1;
        const secretEnc = renew(row.secretEnc, flowSecretContext(row.keyHash));
        if (secretEnc === null) unreadable.push(row.id);
        if (secretEnc === null || secretEnc === row.secretEnc) continue;
        rewritten += 1;
        await deps.flows.setSecret(row.id, secretEnc, tx);
      }
      return { rewritten, total, unreadable };
    });
  }

  return { reencryptAll };
}
