// Channels: a Facebook Page or Zalo OA Loa publishes to. Tokens are checked with the platform
// before they are stored, stored encrypted, rotated (Zalo) under a row lock so two workers never
// spend the same single-use refresh token, and never replaced by an empty one.
import { randomUUID } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { SYSTEM_ACTOR, actorAudit, type Actor } from '../auth/actor.ts';
import {
  ConnectorFailure,
  zaloTokenNeedsRefresh,
  type ChannelCredentials,
  type Connectors,
} from '../connectors/index.ts';
import type { Database, Executor } from '../db/database.ts';
import { isForeignKeyViolation, uniqueOrConflict } from '../db/pg-errors.ts';
import type { Platform } from '../db/schema.ts';
import { AppError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { NotificationsService } from '../notifications/notifications.service.ts';
import type { ChannelRow, ChannelsRepo } from './channels.repo.ts';
import type { ConnectChannelInput, UpdateChannelInput } from './channels.schemas.ts';
import { channelTokenContext, type TokenCrypto } from './token-crypto.ts';

export function presentChannel(row: ChannelRow) {
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.externalId,
    name: row.name,
    unitId: row.unitId,
    status: row.status,
    statusReason: row.statusReason,
    tokenExpiresAt: row.tokenExpiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}
export type PresentedChannel = ReturnType<typeof presentChannel>;

interface Deps {
  db: Database;
  repo: ChannelsRepo;
  crypto: TokenCrypto;
  connectors: Connectors;
  audit: AuditRecorder;
  notifications: NotificationsService;
  logger: Logger;
  /** The mock platforms' base URLs when Loa runs them: enables the one-click demo channels. */
  mockPlatforms: () => { facebook: string; zalo: string } | null;
  /** Refresh Zalo tokens this long before they expire. */
  refreshMarginMs?: number;
}

export function createChannelsService(deps: Deps) {
  const { db, repo, crypto, audit } = deps;
  const refreshMarginMs = deps.refreshMarginMs ?? 2 * 3_600_000;

  function requireAdmin(actor: Actor) {
    if (actor.role !== 'admin') throw new ForbiddenError('Only an admin can manage channels');
  }

  function credentials(row: ChannelRow): ChannelCredentials {
    return {
      externalId: row.externalId,
      accessToken: crypto.decrypt(row.accessTokenEnc, channelTokenContext(row.id, 'access_token')),
      ...(row.refreshTokenEnc
        ? { refreshToken: crypto.decrypt(row.refreshTokenEnc, channelTokenContext(row.id, 'refresh_token')) }
        : {}),
      ...(row.tokenExpiresAt ? { tokenExpiresAt: row.tokenExpiresAt } : {}),
    };
  }

  /** The unit a channel is given must exist (422 on `unitId`); null takes the channel out of every unit. */
  async function checkUnit(unitId: string | null): Promise<string | null> {
    if (unitId !== null && !(await repo.unitExists(unitId)))
      throw new ValidationError([{ path: 'unitId', message: 'unit does not exist' }]);
    return unitId;
  }

  /** Checks the token with the platform first: a refused token never reaches the database. */
  async function connect(actor: Actor, input: ConnectChannelInput): Promise<ChannelRow> {
    requireAdmin(actor);
    const connector = deps.connectors[input.platform];
    let account: { externalId: string; name: string };
    try {
      account = await connector.validateCredentials({
        externalId: input.externalId,
        accessToken: input.accessToken,
      });
    } catch (error) {
      if (!(error instanceof ConnectorFailure)) throw error;
      const { failure } = error;
      if (failure.kind === 'rejected' || failure.kind === 'auth_expired') {
        throw new ValidationError(
          [{ path: 'accessToken', message: failure.message }],
          `${input.platform === 'facebook' ? 'Facebook' : 'Zalo'} refused the token: ${failure.message}`,
        );
      }
      throw new AppError(502, 'platform_unavailable', `The platform did not answer: ${failure.message}`);
    }
    // Tokens are bound to the row they are stored in, so its id is known before the write: the
    // existing channel's on a reconnection, a new one otherwise.
    const tokens = (id: string) => ({
      accessTokenEnc: crypto.encrypt(input.accessToken, channelTokenContext(id, 'access_token')),
      refreshTokenEnc: input.refreshToken
        ? crypto.encrypt(input.refreshToken, channelTokenContext(id, 'refresh_token'))
        : null,
    });
    const values = {
      name: input.name ?? account.name,
      tokenExpiresAt: input.expiresIn ? new Date(Date.now() + input.expiresIn * 1000) : null,
      ...(input.unitId !== undefined ? { unitId: input.unitId } : {}),
    };
    return withKnownUnit(() =>
      db.transaction(async (tx) => {
        const existing = await repo.findLive(input.platform, input.externalId, tx);
        if (existing) {
          // Reconnecting: new tokens, active again. A refresh token is kept unless a new one is given.
          const row = await repo.update(
            existing.id,
            {
              ...values,
              ...tokens(existing.id),
              refreshTokenEnc: tokens(existing.id).refreshTokenEnc ?? existing.refreshTokenEnc,
              status: 'active',
              statusReason: null,
            },
            tx,
          );
          if (!row) throw new NotFoundError('Channel');
          await audit(
            {
              ...actorAudit(actor),
              action: 'channel.reconnected',
              targetType: 'channel',
              targetId: row.id,
              details: {
                platform: row.platform,
                externalId: row.externalId,
                previousStatus: existing.status,
              },
            },
            tx,
          );
          return row;
        }
        const id = randomUUID();
        const row = await uniqueOrConflict(
          () =>
            repo.insert(
              {
                id,
                ...tokens(id),
                platform: input.platform,
                externalId: input.externalId,
                createdBy: actor.via === 'system' ? null : actor.id,
                ...values,
              },
              tx,
            ),
          'channels_platform_external_uq',
          'This channel is already connected',
        );
        await audit(
          {
            ...actorAudit(actor),
            action: 'channel.connected',
            targetType: 'channel',
            targetId: row.id,
            details: {
              platform: row.platform,
              externalId: row.externalId,
              name: row.name,
              unitId: row.unitId,
            },
          },
          tx,
        );
        return row;
      }),
    );
  }

  /** A unit id that names no unit is bad input (422), not a server error. */
  async function withKnownUnit<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (isForeignKeyViolation(error)) {
        throw new ValidationError([{ path: 'unitId', message: 'is not a known unit' }], 'Unknown unit');
      }
      throw error;
    }
  }

  /** The status change on a locked row, audited; the row as it is when nothing changes. */
  async function applyStatus(actor: Actor, row: ChannelRow, status: 'active' | 'disabled', tx: Executor) {
    if (row.status === status) return row;
    if (status === 'active' && row.status !== 'disabled') {
      throw new ConflictError(
        'This channel needs a new token: reconnect it instead',
        'channel_needs_reconnect',
      );
    }
    const updated = await repo.update(
      row.id,
      { status, statusReason: status === 'disabled' ? `disabled by ${actor.name}` : null },
      tx,
    );
    if (!updated) throw new NotFoundError('Channel');
    await audit(
      {
        ...actorAudit(actor),
        action: status === 'disabled' ? 'channel.disabled' : 'channel.enabled',
        targetType: 'channel',
        targetId: row.id,
      },
      tx,
    );
    return updated;
  }

  /**
   * An admin pauses a channel (its publications fail with "the channel is disabled" instead of
   * going out) or resumes it. A channel waiting for a new token is resumed by reconnecting it.
   */
  async function setStatus(actor: Actor, id: string, status: 'active' | 'disabled'): Promise<ChannelRow> {
    return update(actor, id, { status });
  }

  /**
   * An admin pauses or resumes a channel and/or moves it to another unit, whose editors and
   * reviewers then see it and post to it; one transaction, each change audited.
   */
  async function update(actor: Actor, id: string, input: UpdateChannelInput): Promise<ChannelRow> {
    requireAdmin(actor);
    const unitId = input.unitId === undefined ? undefined : await checkUnit(input.unitId);
    return db.transaction(async (tx) => {
      const before = await repo.lockById(id, tx);
      if (!before) throw new NotFoundError('Channel');
      let row = input.status === undefined ? before : await applyStatus(actor, before, input.status, tx);
      if (unitId !== undefined && unitId !== before.unitId) {
        const moved = await repo.update(id, { unitId }, tx);
        if (!moved) throw new NotFoundError('Channel');
        await audit(
          {
            ...actorAudit(actor),
            action: 'channel.unit_changed',
            targetType: 'channel',
            targetId: id,
            details: { from: before.unitId, to: unitId },
          },
          tx,
        );
        row = moved;
      }
      return row;
    });
  }

  async function remove(actor: Actor, id: string): Promise<void> {
    requireAdmin(actor);
    await db.transaction(async (tx) => {
      const row = await repo.lockById(id, tx);
      if (!row) throw new NotFoundError('Channel');
      const inFlight = await repo.countInFlightPublications(id, tx);
      if (inFlight > 0) {
        throw new ConflictError(
          `${inFlight} publication(s) on this channel are scheduled or being published; cancel or reschedule them first`,
          'channel_in_use',
        );
      }
      await repo.update(id, { deletedAt: new Date() }, tx);
      await audit(
        {
          ...actorAudit(actor),
          action: 'channel.deleted',
          targetType: 'channel',
          targetId: id,
          details: { platform: row.platform, externalId: row.externalId },
        },
        tx,
      );
    });
  }

  async function get(id: string): Promise<ChannelRow> {
    const row = await repo.findById(id);
    if (!row) throw new NotFoundError('Channel');
    return row;
  }

  /**
   * The channel stops being used until someone reconnects it; admins are told once, when it
   * changes. Returns true when this call made the change.
   */
  async function markNeedsReconnect(id: string, reason: string, tx: Executor): Promise<boolean> {
    const row = await repo.lockById(id, tx);
    if (!row || row.status === 'needs_reconnect') return false;
    await repo.update(id, { status: 'needs_reconnect', statusReason: reason }, tx);
    await audit(
      {
        ...actorAudit(SYSTEM_ACTOR),
        action: 'channel.needs_reconnect',
        targetType: 'channel',
        targetId: id,
        details: { reason, platform: row.platform },
      },
      tx,
    );
    await deps.notifications.notify(
      { roles: ['admin'] },
      {
        kind: 'channel_needs_reconnect',
        message: `Kênh "${row.name}" (${row.platform === 'facebook' ? 'Facebook' : 'Zalo'}) cần kết nối lại: ${reason}`,
        link: '/admin/channels',
      },
      tx,
    );
    return true;
  }

  /**
   * Zalo token rotation. Under the row lock: if another worker already rotated away from
   * `failedAccessToken`, its tokens are used as they are. The new pair is stored before the
   * caller does anything with it (the old refresh token is dead the moment Zalo answers).
   */
  async function refreshCredentials(id: string, failedAccessToken?: string): Promise<ChannelCredentials> {
    return db.transaction(async (tx) => {
      const row = await repo.lockById(id, tx);
      if (!row) throw new NotFoundError('Channel');
      const current = credentials(row);
      if (failedAccessToken !== undefined && current.accessToken !== failedAccessToken) return current;
      const connector = deps.connectors[row.platform];
      if (!connector.refreshCredentials) {
        throw new ConnectorFailure(row.platform, {
          kind: 'auth_expired',
          message: 'This platform has no token refresh; reconnect the channel.',
        });
      }
      const next = await connector.refreshCredentials(current);
      if (!next.accessToken || !next.refreshToken) {
        throw new ConnectorFailure(row.platform, {
          kind: 'auth_expired',
          message: 'The platform returned an empty token; the stored ones were kept.',
        });
      }
      await repo.update(
        id,
        {
          accessTokenEnc: crypto.encrypt(next.accessToken, channelTokenContext(id, 'access_token')),
          refreshTokenEnc: crypto.encrypt(next.refreshToken, channelTokenContext(id, 'refresh_token')),
          tokenExpiresAt: next.tokenExpiresAt ?? null,
        },
        tx,
      );
      await audit(
        {
          ...actorAudit(SYSTEM_ACTOR),
          action: 'channel.tokens_refreshed',
          targetType: 'channel',
          targetId: id,
          details: { expiresAt: next.tokenExpiresAt?.toISOString() ?? null },
        },
        tx,
      );
      return next;
    });
  }

  /** The recurring job: Zalo tokens refreshed ahead of expiry. A refused refresh marks the channel. */
  async function refreshDueTokens(now = new Date()): Promise<{ refreshed: number; failed: number }> {
    const due = await repo.listNeedingRefresh(new Date(now.getTime() + refreshMarginMs));
    let refreshed = 0;
    let failed = 0;
    for (const row of due) {
      const creds = credentials(row);
      if (creds.tokenExpiresAt && !zaloTokenNeedsRefresh(creds, now, refreshMarginMs)) continue;
      try {
        await refreshCredentials(row.id, creds.accessToken);
        refreshed += 1;
      } catch (error) {
        failed += 1;
        if (error instanceof ConnectorFailure && error.failure.kind === 'auth_expired') {
          await db.transaction((tx) => markNeedsReconnect(row.id, error.failure.message, tx));
        } else {
          deps.logger.warn({ err: error, channelId: row.id }, 'token refresh failed; will try again');
        }
      }
    }
    return { refreshed, failed };
  }

  /** Mock mode only: creates a Page / OA on the mock platform and connects it, as OAuth would. */
  async function connectDemo(actor: Actor, platform: Platform): Promise<ChannelRow> {
    requireAdmin(actor);
    const mocks = deps.mockPlatforms();
    if (!mocks) throw new ConflictError('The mock platforms are not running', 'mocks_off');
    const suffix = new Date().toISOString().slice(11, 19);
    if (platform === 'facebook') {
      const page = await mockControl<{ id: string; name: string; access_token: string }>(
        mocks.facebook,
        '/_mock/pages',
        { name: `Trang demo Công an ${suffix}` },
      );
      return connect(actor, {
        platform,
        externalId: page.id,
        name: page.name,
        accessToken: page.access_token,
      });
    }
    const oa = await mockControl<{
      oa_id: string;
      name: string;
      access_token: string;
      refresh_token: string;
      expires_in: string;
    }>(mocks.zalo, '/_mock/oas', { name: `Zalo OA demo ${suffix}` });
    return connect(actor, {
      platform,
      externalId: oa.oa_id,
      name: oa.name,
      accessToken: oa.access_token,
      refreshToken: oa.refresh_token,
      expiresIn: Number(oa.expires_in) || 90_000,
    });
  }

  return {
    setStatus,
    update,
    connect,
    connectDemo,
    remove,
    get,
    /** Channels of the actor's units (every channel for an unscoped actor). */
    list: (actor: Actor) => repo.list(actor.scope),
    findMany: (ids: string[], tx?: Executor) => repo.findMany(ids, tx),
    namesIncludingRemoved: (ids: readonly string[], tx?: Executor) => repo.namesIncludingRemoved(ids, tx),
    credentials,
    markNeedsReconnect,
    refreshCredentials,
    refreshDueTokens,
    demoAvailable: () => deps.mockPlatforms() !== null,
  };
}

export type ChannelsService = ReturnType<typeof createChannelsService>;

async function mockControl<T>(base: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new AppError(502, 'platform_unavailable', `The mock platform answered ${res.status}`);
  return (await res.json()) as T;
}
