// Web Push through the `web-push` library: the payload is encrypted for each browser
// subscription (RFC 8291) and signed with Loa's VAPID key. A subscription the push service
// says is gone (404/410) is deleted.
import type { Agent } from 'node:https';
import webpush from 'web-push';
import type { Logger } from '../logger.ts';
import type { VapidKeys } from './vapid-keys.ts';

export interface PushMessage {
  title: string;
  body: string;
  url: string;
  urgent: boolean;
}

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export function createPushSender(deps: {
  keys: () => VapidKeys;
  publicUrl: string;
  logger: Logger;
  forget: (endpoint: string) => Promise<void>;
  /** The HTTPS agent for the push services (a private CA, a proxy); Node's default otherwise. */
  agent?: Agent;
}) {
  const subject = deps.publicUrl.startsWith('https://')
    ? deps.publicUrl
    : `mailto:loa@${new URL(deps.publicUrl).hostname.replace(/^localhost$/, 'loa.invalid')}`;

  /** Sends to every target; answers how many push services accepted it. */
  async function send(targets: readonly PushTarget[], message: PushMessage): Promise<number> {
    const keys = deps.keys();
    const payload = JSON.stringify(message);
    const results = await Promise.all(
      targets.map(async (target) => {
        try {
          await webpush.sendNotification(
            { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
            payload,
            {
              vapidDetails: { subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
              TTL: 12 * 3600,
              urgency: message.urgent ? 'high' : 'normal',
              timeout: 10_000,
              ...(deps.agent && { agent: deps.agent }),
            },
          );
          return true;
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          if (status === 404 || status === 410) await deps.forget(target.endpoint);
          else deps.logger.warn({ err: error, status }, 'web push failed');
          return false;
        }
      }),
    );
    return results.filter(Boolean).length;
  }

  return { send, publicKey: () => deps.keys().publicKey };
}

export type PushSender = ReturnType<typeof createPushSender>;
