// Page `feed` webhooks: the subscribe handshake (hub.mode/hub.challenge/hub.verify_token),
// then signed POSTs of feed changes: the page's own posts (add/remove) and new reactions,
// comments and shares as the engagement simulation produces them.
import { createHmac, randomBytes } from 'node:crypto';
import type { WebhookSender } from '../shared/webhook-sender.ts';
import { isLive, postEngagement, publishedAt, type FacebookState, type FbPost } from './state.ts';

type Change = { field: 'feed'; value: Record<string, unknown> };

/** Meta signs the escaped-unicode serialisation (ä → \u00e4); receivers must use raw bytes. */
export function escapeUnicodeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function signFacebookBody(appSecret: string, body: string): { sha256: string; sha1: string } {
  return {
    sha256: `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    sha1: `sha1=${createHmac('sha1', appSecret).update(body).digest('hex')}`,
  };
}

export async function verifySubscription(
  url: string,
  verifyToken: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const challenge = randomBytes(8).readUInt32BE(0).toString();
  const target = new URL(url);
  target.searchParams.set('hub.mode', 'subscribe');
  target.searchParams.set('hub.challenge', challenge);
  target.searchParams.set('hub.verify_token', verifyToken);
  try {
    const response = await fetch(target, { signal: AbortSignal.timeout(5000) });
    const text = (await response.text()).trim();
    if (response.status !== 200) return { ok: false, reason: `callback answered HTTP ${response.status}` };
    if (text !== challenge) return { ok: false, reason: 'callback did not echo hub.challenge' };
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export interface FacebookWebhooks {
  onLive(post: FbPost): void;
  onDeleted(post: FbPost): void;
  /** Announces scheduled posts that fell due and engagement that grew since the last scan. */
  scan(): void;
}

export function createFacebookWebhooks(
  state: FacebookState,
  sender: WebhookSender,
  appSecret: string,
): FacebookWebhooks {
  function deliver(pageId: string, changes: Change[]): void {
    const webhook = state.webhook;
    if (!webhook || changes.length === 0) return;
    const time = Math.floor(state.clock.now() / 1000);
    const body = escapeUnicodeJson({ object: 'page', entry: [{ id: pageId, time, changes }] });
    const signature = signFacebookBody(appSecret, body);
    sender.send(webhook.url, body, () => ({
      'X-Hub-Signature-256': signature.sha256,
      'X-Hub-Signature': signature.sha1,
    }));
  }

  function from(post: FbPost) {
    return { id: post.pageId, name: state.pages.get(post.pageId)?.name ?? '' };
  }

  function announce(post: FbPost): Change {
    state.announced.add(post.id);
    const e = postEngagement(state, post);
    state.emitted.set(post.id, { reactions: e.reactionsTotal, comments: e.comments, shares: e.shares });
    return {
      field: 'feed',
      value: {
        item: post.kind === 'photo' ? 'photo' : 'status',
        verb: 'add',
        post_id: post.id,
        published: 1,
        created_time: Math.floor((publishedAt(post, state.clock.now()) ?? post.createdMs) / 1000),
        ...(post.message !== undefined ? { message: post.message } : {}),
        ...(post.link !== undefined ? { link: post.link } : {}),
        from: from(post),
      },
    };
  }

  function engagementChanges(post: FbPost): Change[] {
    const e = postEngagement(state, post);
    const seen = state.emitted.get(post.id) ?? { reactions: 0, comments: 0, shares: 0 };
    state.emitted.set(post.id, { reactions: e.reactionsTotal, comments: e.comments, shares: e.shares });
    const changes: Change[] = [];
    const created = Math.floor(state.clock.now() / 1000);
    const cap = state.settings.webhookMaxChangesPerPost;
    const person = (n: number) => ({ id: `10009${String(n).padStart(10, '0')}`, name: `Mock Person ${n}` });
    // Real Graph sends one change per reaction; the mock caps how many it spells out per scan.
    for (let n = seen.reactions; n < e.reactionsTotal && changes.length < cap; n++) {
      changes.push({
        field: 'feed',
        value: {
          item: 'reaction',
          verb: 'add',
          reaction_type: n % 5 === 4 ? 'love' : 'like',
          post_id: post.id,
          parent_id: post.id,
          from: person(n),
          created_time: created,
        },
      });
    }
    for (let n = seen.comments; n < e.comments && changes.length < cap * 2; n++) {
      changes.push({
        field: 'feed',
        value: {
          item: 'comment',
          verb: 'add',
          post_id: post.id,
          parent_id: post.id,
          comment_id: `${post.objectId}_${9_000_000 + n}`,
          message: 'Cảm ơn thông tin!',
          from: person(100_000 + n),
          created_time: created,
        },
      });
    }
    for (let n = seen.shares; n < e.shares && changes.length < cap * 3; n++) {
      changes.push({
        field: 'feed',
        value: {
          item: 'share',
          verb: 'add',
          post_id: post.id,
          share_id: `${200_000 + n}_${post.objectId}`,
          from: person(200_000 + n),
          created_time: created,
        },
      });
    }
    return changes;
  }

  return {
    onLive(post) {
      deliver(post.pageId, [announce(post)]);
    },
    onDeleted(post) {
      deliver(post.pageId, [
        {
          field: 'feed',
          value: {
            item: post.kind === 'photo' ? 'photo' : 'status',
            verb: 'remove',
            post_id: post.id,
            created_time: Math.floor(state.clock.now() / 1000),
            from: from(post),
          },
        },
      ]);
    },
    scan() {
      const now = state.clock.now();
      const byPage = new Map<string, Change[]>();
      for (const post of state.posts.values()) {
        if (!isLive(post, now)) continue;
        const changes = state.announced.has(post.id) ? engagementChanges(post) : [announce(post)];
        if (changes.length) byPage.set(post.pageId, [...(byPage.get(post.pageId) ?? []), ...changes]);
      }
      for (const [pageId, changes] of byPage) deliver(pageId, changes);
    },
  };
}
