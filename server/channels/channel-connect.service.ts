// Connecting channels through the platform's own login instead of pasting tokens.
// 1. start: a random `state` (and, for Zalo, a PKCE verifier) is stored hashed, bound to the
//    admin's browser session, for 10 minutes; the browser goes to the platform's dialog.
// 2. finish: the callback takes that state once (a replay, another session's state or an
//    expired one is refused), exchanges the code (Facebook: user token → long-lived token →
//    the Pages and their tokens; Zalo: code + verifier → the OA's tokens) and keeps the
//    accounts, encrypted, behind a second single-use key for 30 minutes.
// 3. complete: the admin picks the accounts and their units; each goes through the channels
//    service's own connect (token checked with the platform, stored encrypted, audited), which
//    also turns a channel waiting for reconnection active again with its new tokens.
// Every refusal is a ConnectFlowError (400) and leaves no channel behind.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { ConnectorFailure, type Connectors, type PlatformLogin } from '../connectors/index.ts';
import type { Platform } from '../db/schema.ts';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { ChannelConnectRepo } from './channel-connect.repo.ts';
import type { ChannelRow } from './channels.repo.ts';
import type { ChannelsService } from './channels.service.ts';
import { flowSecretContext, type TokenCrypto } from './token-crypto.ts';

export const CONNECT_FLOW_ERRORS = [
  'connect_state_invalid',
  'connect_state_expired',
  'connect_refused',
  'connect_code_refused',
  'connect_no_accounts',
  'connect_choice_invalid',
] as const;
export type ConnectFlowErrorCode = (typeof CONNECT_FLOW_ERRORS)[number];

/** A step of the login flow that cannot go on; the page says which, in the person's language. */
export class ConnectFlowError extends AppError {
  constructor(
    readonly flowCode: ConnectFlowErrorCode,
    message: string,
    /** The platform's own words, when it was the platform that refused. */
    readonly platformMessage?: string,
  ) {
    super(400, flowCode, message);
  }
}

const accountSchema = z.object({
  externalId: z.string(),
  name: z.string(),
  accessToken: z.string(),
  refreshToken: z.string().optional(),
  expiresIn: z.number().int().positive().optional(),
});
type PendingAccount = z.infer<typeof accountSchema>;
const pendingSchema = z.array(accountSchema);

export interface CallbackInput {
  state?: string | undefined;
  code?: string | undefined;
  error?: string | undefined;
  oaId?: string | undefined;
}

export interface ConnectChoice {
  platform: Platform;
  reconnecting: { id: string; externalId: string; name: string; unitId: string | null } | null;
  accounts: Array<{
    externalId: string;
    name: string;
    existing: { id: string; status: ChannelRow['status']; unitId: string | null } | null;
  }>;
}

export interface ConnectPick {
  externalId: string;
  unitId: string | null;
}

interface Deps {
  repo: ChannelConnectRepo;
  crypto: TokenCrypto;
  login: PlatformLogin;
  connectors: Pick<Connectors, 'zalo'>;
  channels: Pick<ChannelsService, 'connect' | 'get' | 'list'>;
  /** The ids of the units that exist: a pick naming another is refused before anything is used up. */
  unitIds: () => Promise<Set<string>>;
  settings: {
    publicUrl: string;
    stateTtlMs?: number;
    choiceTtlMs?: number;
  };
  now?: () => Date;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomKey = () => randomBytes(32).toString('base64url');

export function createChannelConnectService(deps: Deps) {
  const { repo, crypto, login } = deps;
  const now = deps.now ?? (() => new Date());
  const stateTtlMs = deps.settings.stateTtlMs ?? 10 * 60_000;
  const choiceTtlMs = deps.settings.choiceTtlMs ?? 30 * 60_000;

  function requireAdmin(actor: Actor) {
    if (actor.role !== 'admin' || actor.via === 'system') {
      throw new ForbiddenError('Only an admin can connect channels');
    }
  }

  function callbackUrl(platform: Platform): string {
    return `${deps.settings.publicUrl}/admin/channels/connect/${platform}/callback`;
  }

  /** Where to send the browser: the platform's dialog, with a fresh state bound to this session. */
  async function start(
    actor: Actor,
    input: { platform: Platform; sessionId: string; reconnectChannelId?: string | undefined },
  ): Promise<string> {
    requireAdmin(actor);
    if (input.reconnectChannelId !== undefined) {
      const channel = await deps.channels.get(input.reconnectChannelId);
      if (channel.platform !== input.platform) throw new NotFoundError('Channel');
    }
    const at = now();
    await repo.deleteExpired(at);
    const state = randomKey();
    const stateHash = sha256(state);
    const verifier = input.platform === 'zalo' ? randomKey() : undefined;
    await repo.insert({
      keyHash: stateHash,
      stage: 'authorize',
      sessionHash: sha256(input.sessionId),
      platform: input.platform,
      userId: actor.id,
      channelId: input.reconnectChannelId ?? null,
      secretEnc: verifier === undefined ? null : crypto.encrypt(verifier, flowSecretContext(stateHash)),
      expiresAt: new Date(at.getTime() + stateTtlMs),
    });
    if (verifier === undefined) {
      return login.facebook.authorizeUrl({ redirectUri: callbackUrl('facebook'), state });
    }
    const codeChallenge = createHash('sha256').update(verifier).digest('base64url');
    return login.zalo.authorizeUrl({ redirectUri: callbackUrl('zalo'), state, codeChallenge });
  }

  /** The redirect back from the platform; returns the key of the page where the admin picks. */
  async function finish(
    actor: Actor,
    input: { platform: Platform; sessionId: string; callback: CallbackInput },
  ): Promise<string> {
    requireAdmin(actor);
    const { callback } = input;
    if (!callback.state)
      throw new ConnectFlowError('connect_state_invalid', 'The sign-in answer has no state');
    const flow = await repo.take(sha256(callback.state), sha256(input.sessionId), 'authorize');
    if (!flow || flow.platform !== input.platform || flow.userId !== actor.id) {
      throw new ConnectFlowError(
        'connect_state_invalid',
        'This sign-in answer is unknown, belongs to another session, or was already used',
      );
    }
    if (flow.expiresAt.getTime() <= now().getTime()) {
      throw new ConnectFlowError('connect_state_expired', 'This sign-in took too long; start again');
    }
    if (callback.error) {
      throw new ConnectFlowError('connect_refused', `The permission was not granted (${callback.error})`);
    }
    if (!callback.code) throw new ConnectFlowError('connect_code_refused', 'The sign-in answer has no code');

    const accounts = await platformCall(() =>
      input.platform === 'facebook'
        ? facebookAccounts(callback.code!)
        : zaloAccounts(callback.code!, callback.oaId, flow.secretEnc, flow.keyHash),
    );
    if (accounts.length === 0) {
      throw new ConnectFlowError(
        'connect_no_accounts',
        input.platform === 'facebook'
          ? 'No Page was granted, or the person manages none'
          : 'No Official Account was granted',
      );
    }
    const key = randomKey();
    const keyHash = sha256(key);
    await repo.insert({
      keyHash,
      stage: 'choose',
      sessionHash: sha256(input.sessionId),
      platform: input.platform,
      userId: actor.id,
      channelId: flow.channelId,
      secretEnc: crypto.encrypt(JSON.stringify(accounts), flowSecretContext(keyHash)),
      expiresAt: new Date(now().getTime() + choiceTtlMs),
    });
    return key;
  }

  async function facebookAccounts(code: string): Promise<PendingAccount[]> {
    const short = await login.facebook.exchangeCode({ code, redirectUri: callbackUrl('facebook') });
    const long = await login.facebook.longLivedToken(short.accessToken);
    const pages = await login.facebook.managedPages(long.accessToken);
    // A Page token derived from a long-lived user token does not expire: no expiresIn.
    return pages.map((page) => ({ externalId: page.id, name: page.name, accessToken: page.accessToken }));
  }

  async function zaloAccounts(
    code: string,
    oaId: string | undefined,
    verifierEnc: string | null,
    keyHash: string,
  ): Promise<PendingAccount[]> {
    if (!oaId) throw new ConnectFlowError('connect_code_refused', 'Zalo did not say which OA was granted');
    if (!verifierEnc)
      throw new ConnectFlowError('connect_state_invalid', 'This sign-in has no PKCE verifier');
    const tokens = await login.zalo.exchangeCode({
      code,
      codeVerifier: crypto.decrypt(verifierEnc, flowSecretContext(keyHash)),
    });
    const oa = await deps.connectors.zalo.validateCredentials({
      externalId: oaId,
      accessToken: tokens.accessToken,
    });
    return [
      {
        externalId: oa.externalId || oaId,
        name: oa.name,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        ...(tokens.expiresIn !== undefined ? { expiresIn: Math.round(tokens.expiresIn) } : {}),
      },
    ];
  }

  /** A platform that refuses the code (used, expired, PKCE mismatch) ends the flow with a 400. */
  async function platformCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof ConnectorFailure)) throw error;
      const { failure } = error;
      if (failure.kind === 'rejected' || failure.kind === 'auth_expired') {
        throw new ConnectFlowError(
          'connect_code_refused',
          `The platform refused the sign-in: ${failure.message}`,
          failure.message,
        );
      }
      throw new AppError(502, 'platform_unavailable', `The platform did not answer: ${failure.message}`);
    }
  }

  async function pending(actor: Actor, sessionId: string, key: string) {
    requireAdmin(actor);
    const flow = await repo.find(sha256(key), sha256(sessionId), 'choose');
    if (!flow || flow.userId !== actor.id || flow.expiresAt.getTime() <= now().getTime() || !flow.secretEnc) {
      throw new ConnectFlowError('connect_choice_invalid', 'This choice expired or was already made');
    }
    return {
      flow,
      accounts: pendingSchema.parse(
        JSON.parse(crypto.decrypt(flow.secretEnc, flowSecretContext(flow.keyHash))),
      ),
    };
  }

  /** What the admin picks from: the granted accounts (no tokens), with any channel they already are. */
  async function choice(actor: Actor, sessionId: string, key: string): Promise<ConnectChoice> {
    const { flow, accounts } = await pending(actor, sessionId, key);
    const live = (await deps.channels.list(actor)).filter((row) => row.platform === flow.platform);
    const reconnecting = flow.channelId ? live.find((row) => row.id === flow.channelId) : undefined;
    return {
      platform: flow.platform,
      reconnecting: reconnecting
        ? {
            id: reconnecting.id,
            externalId: reconnecting.externalId,
            name: reconnecting.name,
            unitId: reconnecting.unitId,
          }
        : null,
      accounts: accounts.map((account) => {
        const existing = live.find((row) => row.externalId === account.externalId);
        return {
          externalId: account.externalId,
          name: account.name,
          existing: existing ? { id: existing.id, status: existing.status, unitId: existing.unitId } : null,
        };
      }),
    };
  }

  /** Connects the picked accounts, each to its unit; the choice can be made once. */
  async function complete(
    actor: Actor,
    input: { sessionId: string; key: string; picks: ConnectPick[] },
  ): Promise<ChannelRow[]> {
    const { flow, accounts } = await pending(actor, input.sessionId, input.key);
    if (input.picks.length === 0) {
      throw new ValidationError([{ path: 'pick', message: 'Choose at least one account to connect' }]);
    }
    const chosen = input.picks.map((pick) => {
      const account = accounts.find((candidate) => candidate.externalId === pick.externalId);
      if (!account) {
        throw new ValidationError([
          { path: 'pick', message: `${pick.externalId} was not granted in this sign-in` },
        ]);
      }
      return { account, unitId: pick.unitId };
    });
    const units = await deps.unitIds();
    const unknown = input.picks.find((pick) => pick.unitId !== null && !units.has(pick.unitId));
    if (unknown) {
      throw new ValidationError([{ path: `unit_${unknown.externalId}`, message: 'is not a known unit' }]);
    }
    const taken = await repo.take(flow.keyHash, flow.sessionHash, 'choose');
    if (!taken) throw new ConnectFlowError('connect_choice_invalid', 'This choice was already made');
    const rows: ChannelRow[] = [];
    for (const { account, unitId } of chosen) {
      rows.push(
        await deps.channels.connect(actor, {
          platform: flow.platform,
          externalId: account.externalId,
          name: account.name,
          accessToken: account.accessToken,
          ...(account.refreshToken ? { refreshToken: account.refreshToken } : {}),
          ...(account.expiresIn ? { expiresIn: account.expiresIn } : {}),
          unitId,
        }),
      );
    }
    return rows;
  }

  return { start, finish, choice, complete };
}

export type ChannelConnectService = ReturnType<typeof createChannelConnectService>;
