// Members: people who share Loa's posts from their own accounts. In mock mode a share is
// made with POST /_mock/users/{id}/shares, standing in for a click on the platform's share
// dialog; the ledger keeps every share accepted, in order.
import { engagementAt, type Engagement } from './engagement.ts';
import { isoTime } from './http.ts';
import type { IdSource } from './ids.ts';

export interface MemberUser {
  id: string;
  name: string;
  friends: number;
  accessToken: string;
  tokenIssuedMs: number;
  tokenExpiresMs: number;
  /** Set by /_mock/tokens/expire (or a revocation): the token fails from then on. */
  tokenRevoked?: { subcode: number };
}

export interface MemberShare {
  id: string;
  userId: string;
  link: string;
  message: string | undefined;
  createdMs: number;
  deletedMs?: number;
}

export interface MemberStore {
  users: Map<string, MemberUser>;
  shares: MemberShare[];
  addUser(input: { name: string; friends: number }, nowMs: number, tokenLifetimeMs: number): MemberUser;
  userByToken(token: string): MemberUser | undefined;
  addShare(
    user: MemberUser,
    input: { link: string; message?: string | undefined },
    nowMs: number,
  ): MemberShare;
  shareEngagement(share: MemberShare, nowMs: number): Engagement;
  presentShare(share: MemberShare, nowMs: number): Record<string, unknown>;
  /** The "www" sign-in (POST /_mock/login): a new browser session for the person, by its cookie value. */
  signIn(user: MemberUser): string;
  sessionUser(sessionId: string): MemberUser | undefined;
  signOut(sessionId: string): void;
  reset(): void;
}

export function createMemberStore(deps: {
  ids: IdSource;
  seed: number;
  userIdPrefix: string;
  tokenPrefix: string;
}): MemberStore {
  const users = new Map<string, MemberUser>();
  const byToken = new Map<string, MemberUser>();
  const shares: MemberShare[] = [];
  const sessions = new Map<string, string>();
  const store: MemberStore = {
    users,
    shares,
    addUser(input, nowMs, tokenLifetimeMs) {
      const user: MemberUser = {
        id: deps.ids.next(deps.userIdPrefix, 15),
        name: input.name,
        friends: input.friends,
        accessToken: deps.ids.token(deps.tokenPrefix),
        tokenIssuedMs: nowMs,
        tokenExpiresMs: nowMs + tokenLifetimeMs,
      };
      users.set(user.id, user);
      byToken.set(user.accessToken, user);
      return user;
    },
    userByToken: (token) => byToken.get(token),
    addShare(user, input, nowMs) {
      const share: MemberShare = {
        id: `${user.id}_${deps.ids.next('9', 17)}`,
        userId: user.id,
        link: input.link,
        message: input.message,
        createdMs: nowMs,
      };
      shares.push(share);
      return share;
    },
    shareEngagement(share, nowMs) {
      const user = users.get(share.userId);
      return engagementAt(
        deps.seed,
        {
          key: share.id,
          startMs: share.createdMs,
          audience: user?.friends ?? 0,
          hasImage: true,
          hasLink: true,
        },
        share.deletedMs === undefined ? nowMs : Math.min(nowMs, share.deletedMs),
      );
    },
    presentShare(share, nowMs) {
      const e = store.shareEngagement(share, nowMs);
      return {
        id: share.id,
        user_id: share.userId,
        link: share.link,
        message: share.message ?? null,
        created_time: isoTime(share.createdMs),
        ...(share.deletedMs !== undefined ? { deleted_time: isoTime(share.deletedMs) } : {}),
        engagement: {
          reactions: e.reactionsTotal,
          comments: e.comments,
          shares: e.shares,
          views: e.views,
          clicks: e.clicks,
        },
      };
    },
    signIn(user) {
      const sessionId = deps.ids.token('sess_', 32);
      sessions.set(sessionId, user.id);
      return sessionId;
    },
    sessionUser(sessionId) {
      const userId = sessions.get(sessionId);
      return userId === undefined ? undefined : users.get(userId);
    },
    signOut(sessionId) {
      sessions.delete(sessionId);
    },
    reset() {
      users.clear();
      byToken.clear();
      shares.length = 0;
      sessions.clear();
    },
  };
  return store;
}
