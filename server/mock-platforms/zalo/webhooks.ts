// Zalo webhooks: POSTs signed with X-ZEvent-Signature: mac=sha256(app_id + raw body +
// timestamp + secret), a plain SHA-256 of the concatenation (not an HMAC). Which id prefixes it
// and which secret signs are settings, because sources disagree.
import { createHash } from 'node:crypto';
import type { WebhookSender } from '../shared/webhook-sender.ts';
import type { ZaloState } from './state.ts';

export interface ZaloSecrets {
  appId: string;
  appSecret: string;
  oaSecretKey: string;
}

export function zaloSignature(prefixId: string, body: string, timestamp: string, secret: string): string {
  return `mac=${createHash('sha256')
    .update(prefixId + body + timestamp + secret)
    .digest('hex')}`;
}

export interface ZaloEventInput {
  event_name: string;
  oa_id: string;
  user_id?: string | undefined;
  text?: string | undefined;
}

export function emitZaloEvent(
  state: ZaloState,
  sender: WebhookSender,
  secrets: ZaloSecrets,
  input: ZaloEventInput,
): boolean {
  const url = state.webhookUrl;
  if (!url) return false;
  const timestamp = String(state.clock.now());
  const userId = input.user_id ?? state.ids.next('55', 19);
  const base = { app_id: secrets.appId, user_id_by_app: userId, event_name: input.event_name, timestamp };
  const payload =
    input.event_name === 'follow' || input.event_name === 'unfollow'
      ? { ...base, oa_id: input.oa_id, follower: { id: userId }, source: 'oa_profile' }
      : {
          ...base,
          sender: { id: userId },
          recipient: { id: input.oa_id },
          message: { text: input.text ?? '', msg_id: state.ids.token('', 12) },
        };
  const body = JSON.stringify(payload);
  const prefix = state.settings.webhookSignaturePrefix === 'oa_id' ? input.oa_id : secrets.appId;
  const secret =
    state.settings.webhookSignatureSecret === 'app_secret' ? secrets.appSecret : secrets.oaSecretKey;
  const signature = zaloSignature(prefix, body, timestamp, secret);
  sender.send(url, body, (attempt) => ({
    'X-ZEvent-Signature': signature,
    ...(attempt > 0 ? { num_retry: String(attempt) } : {}),
  }));
  return true;
}
