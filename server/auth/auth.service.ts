// Signing in (pages and API), bearer tokens, and turning a session or token into an Actor.
import { createHash, randomBytes } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import type { Database } from '../db/database.ts';
import { NotFoundError, TooManyRequestsError, UnauthorizedError } from '../errors.ts';
import type { UnitsRepo, UserRow, UsersRepo } from '../users/users.repo.ts';
import type { Actor, UnitScope } from './actor.ts';
import { burnPasswordCheck, verifyPassword } from './passwords.ts';
import type { RateLimiter } from './rate-limits.repo.ts';
import type { ActorCache } from './actor-cache.ts';
import { createBatcher } from '../shared/batcher.ts';
import type { ApiTokenRow, TokenActorRow, TokensRepo } from './tokens.repo.ts';
import { isScoped } from './unit-scope.ts';

const TOKEN_PREFIX = 'loa_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function toActor(user: ActorUser, via: Actor['via'], scope: UnitScope, ip?: string | null): Actor {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    unitId: user.unitId,
    scope,
    via,
    ip: ip ?? null,
  };
}

export function presentToken(row: ApiTokenRow, now = new Date()) {
  const status = row.revokedAt ? 'revoked' : row.expiresAt <= now ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    status,
  };
}

/** The parts of a user an actor is made of. */
type ActorUser = Pick<UserRow, 'id' | 'email' | 'name' | 'role' | 'unitId'>;

interface Deps {
  db: Database;
  users: UsersRepo;
  units: Pick<UnitsRepo, 'subtreeIds'>;
  tokens: TokensRepo;
  limiter: RateLimiter;
  audit: AuditRecorder;
  /** Bearer token → actor for a few seconds; emptied on revocation here and by the users module. */
  actorCache: ActorCache;
  settings: { maxPerAccount: number; maxPerIp: number; windowSeconds: number; tokenTtlDays: number };
  now?: () => Date;
}

export function createAuthService({
  db,
  users,
  units,
  tokens,
  limiter,
  audit,
  actorCache,
  settings,
  now = () => new Date(),
}: Deps) {
  // Bearer requests arriving together (a crowd opening its share links) look their tokens up in
  // one statement; a lone request is looked up at once, as the batcher adds no wait.
  const tokenLookups = createBatcher<string, TokenActorRow | undefined>(
    (hashes) => tokens.findActors(hashes, now()),
    { maxBatch: 200 },
  );

  /** The actor for a user, with their unit scope read fresh on every request. */
  async function actorFor(user: UserRow, via: Actor['via'], ip: string | null): Promise<Actor> {
    const scope = isScoped(user) && user.unitId ? await units.subtreeIds(user.unitId) : null;
    return toActor(user, via, scope, ip);
  }

  /** Checks email and password under the per-account and per-IP limits; audits both outcomes. */
  async function signIn(input: {
    email: string;
    password: string;
    ip: string;
    via: 'page' | 'api';
  }): Promise<UserRow> {
    const email = input.email.trim().toLowerCase();
    const [byIp, byAccount] = await Promise.all([
      limiter.hit(`login:ip:${input.ip}`, settings.maxPerIp, settings.windowSeconds),
      limiter.hit(`login:account:${email}`, settings.maxPerAccount, settings.windowSeconds),
    ]);
    if (!byIp.allowed || !byAccount.allowed) {
      await audit({
        actorLabel: email,
        action: 'auth.login_throttled',
        ip: input.ip,
        details: { via: input.via },
      });
      throw new TooManyRequestsError(
        Math.max(
          byIp.allowed ? 0 : byIp.retryAfterSeconds,
          byAccount.allowed ? 0 : byAccount.retryAfterSeconds,
        ),
      );
    }
    const user = await users.findByEmail(email);
    const ok = user
      ? user.active && (await verifyPassword(user.passwordHash, input.password))
      : (await burnPasswordCheck(input.password), false);
    if (!user || !ok) {
      await audit({
        actorId: user?.id ?? null,
        actorLabel: email,
        action: 'auth.login_failed',
        ip: input.ip,
        details: { via: input.via },
      });
      throw new UnauthorizedError('Email or password is wrong', 'invalid_credentials');
    }
    await limiter.reset(`login:account:${email}`);
    await audit({
      actorId: user.id,
      actorLabel: user.email,
      action: 'auth.login',
      ip: input.ip,
      details: { via: input.via },
    });
    return user;
  }

  async function issueToken(
    user: UserRow,
    input: { name: string; ip: string | null },
  ): Promise<{ token: string; row: ApiTokenRow }> {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const expiresAt = new Date(now().getTime() + settings.tokenTtlDays * 86_400_000);
    return db.transaction(async (tx) => {
      const row = await tokens.insert(
        { userId: user.id, name: input.name, tokenHash: hashToken(token), expiresAt },
        tx,
      );
      await audit(
        {
          actorId: user.id,
          actorLabel: user.email,
          action: 'auth.token_issued',
          targetType: 'api_token',
          targetId: row.id,
          ip: input.ip,
          details: { name: input.name, expiresAt: expiresAt.toISOString() },
        },
        tx,
      );
      return { token, row };
    });
  }

  /**
   * The actor behind a bearer token, or 401 for unknown, expired, revoked tokens and inactive
   * users. One query (token, user and unit scope together), remembered for a few seconds in
   * `actorCache`, which every change to tokens, users and units empties in this process.
   */
  async function authenticateToken(token: string, ip: string | null): Promise<Actor> {
    if (!token.startsWith(TOKEN_PREFIX))
      throw new UnauthorizedError('Invalid or expired token', 'invalid_token');
    const at = now();
    const hash = hashToken(token);
    let row = actorCache.get(hash, at.getTime());
    if (!row) {
      const generation = actorCache.generation();
      row = await tokenLookups.push(hash);
      if (!row) throw new UnauthorizedError('Invalid or expired token', 'invalid_token');
      actorCache.set(hash, row, generation);
    }
    // At most one write a minute per token keeps reads cheap.
    if (!row.lastUsedAt || at.getTime() - row.lastUsedAt.getTime() > 60_000) {
      row.lastUsedAt = at;
      await tokens.touch(row.tokenId, at);
    }
    const { user } = row;
    return toActor(user, 'token', isScoped(user) && user.unitId ? row.subtree : null, ip);
  }

  async function sessionActor(userId: string, ip: string | null): Promise<Actor | null> {
    const user = await users.findById(userId);
    return user && user.active ? actorFor(user, 'session', ip) : null;
  }

  async function revokeToken(actor: Actor, tokenId: string): Promise<ApiTokenRow> {
    const revoked = await db.transaction(async (tx) => {
      const row = await tokens.revoke(actor.id, tokenId, now(), tx);
      if (!row) throw new NotFoundError('Active token');
      await audit(
        {
          actorId: actor.id,
          actorLabel: actor.email,
          action: 'auth.token_revoked',
          targetType: 'api_token',
          targetId: tokenId,
          ip: actor.ip ?? null,
        },
        tx,
      );
      return row;
    });
    actorCache.invalidate();
    return revoked;
  }

  return {
    signIn,
    actorFor,
    issueToken,
    authenticateToken,
    sessionActor,
    revokeToken,
    listTokens: (actor: Actor) => tokens.listForUser(actor.id),
    recordLogout: (actor: Actor) =>
      audit({ actorId: actor.id, actorLabel: actor.email, action: 'auth.logout', ip: actor.ip ?? null }),
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
