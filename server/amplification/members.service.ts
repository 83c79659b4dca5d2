// Members: invitations, consent (versioned, withdrawable), their own settings, push
// subscriptions and the export of everything Loa keeps about them (Decree 13/2023/NĐ-CP).
import { createHash, randomBytes } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import type { MemberDigest } from '../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { UnitsRepo, UserRow, UsersRepo } from '../users/users.repo.ts';
import type { UsersService } from '../users/users.service.ts';
import { consentText, type ConsentDocument, type Translate } from './consent.ts';
import type { MemberProfileRow, MembersRepo } from './members.repo.ts';
import type { MemberStateCache } from './member-state-cache.ts';
import type { SharesRepo } from './shares.repo.ts';

export const INVITATION_DEFAULT_DAYS = 14;
export const INVITATION_MAX_DAYS = 90;

export const hashInvitationToken = (token: string) => createHash('sha256').update(token).digest('hex');

export class ConsentRequiredError extends ForbiddenError {
  constructor() {
    super('Read and accept the members’ consent first (GET /api/v1/me/consent)', 'consent_required');
  }
}

export interface MembersDeps {
  db: Database;
  repo: MembersRepo;
  shares: Pick<SharesRepo, 'memberShares'>;
  users: Pick<UsersRepo, 'findById'>;
  units: Pick<UnitsRepo, 'findById' | 'ancestry'>;
  registerMember: UsersService['registerMember'];
  audit: AuditRecorder;
  notifications: { listForUser(userId: string, options: { limit?: number }): Promise<unknown[]> };
  consent: ConsentDocument;
  /** Translation in a language, for the consent text. */
  translator: (language: 'vi' | 'en') => Translate;
  settings: { publicUrl: string };
  /** The feed's memory of members' consent: told after every committed consent change. */
  memberStates: Pick<MemberStateCache, 'forget'>;
  now?: () => Date;
}

export function presentProfile(row: MemberProfileRow, currentVersion: number) {
  return {
    listedInStats: row.listedInStats,
    digest: row.digest,
    consentVersion: row.consentVersion,
    consentedAt: row.consentedAt?.toISOString() ?? null,
    consentCurrent: row.consentVersion === currentVersion,
  };
}

export function createMembersService(deps: MembersDeps) {
  const { db, repo, audit } = deps;
  const now = deps.now ?? (() => new Date());

  function requireMember(actor: Actor) {
    if (actor.role !== 'member') throw new ForbiddenError('Only members have a share feed and consent');
  }

  /** Throws consent_required unless the member accepted the current consent text. */
  async function requireConsent(actor: Actor): Promise<MemberProfileRow> {
    requireMember(actor);
    const profile = await repo.profile(actor.id);
    if (!profile || profile.consentVersion !== deps.consent.version) throw new ConsentRequiredError();
    return profile;
  }

  async function consentStatus(actor: Actor, language: 'vi' | 'en') {
    const profile = actor.role === 'member' ? await repo.profile(actor.id) : undefined;
    const current = profile?.consentVersion === deps.consent.version;
    return {
      required: actor.role === 'member' && !current,
      version: deps.consent.version,
      text: consentText(deps.consent, deps.translator(language)),
      acceptedAt: current ? (profile?.consentedAt?.toISOString() ?? null) : null,
    };
  }

  async function acceptConsent(actor: Actor, version: number): Promise<void> {
    requireMember(actor);
    if (version !== deps.consent.version) {
      throw new ValidationError([
        { path: 'version', message: `the current consent text is version ${deps.consent.version}` },
      ]);
    }
    const at = now();
    await db.transaction(async (tx) => {
      const profile = await repo.ensureProfile(actor.id, tx);
      if (profile.consentVersion === version) return;
      await repo.withdrawConsents(actor.id, at, tx);
      await repo.insertConsent(actor.id, version, at, tx);
      await repo.updateProfile(actor.id, { consentVersion: version, consentedAt: at }, tx);
      await audit(
        {
          ...actorAudit(actor),
          action: 'member.consented',
          targetType: 'user',
          targetId: actor.id,
          details: { version },
        },
        tx,
      );
    });
    deps.memberStates.forget(actor.id);
  }

  /** Opt-out: no feed, no notifications, push subscriptions deleted; past shares stay audited. */
  async function withdrawConsent(actor: Actor): Promise<{ pushSubscriptionsDeleted: number }> {
    requireMember(actor);
    const at = now();
    const withdrawn = await db.transaction(async (tx) => {
      await repo.ensureProfile(actor.id, tx);
      await repo.withdrawConsents(actor.id, at, tx);
      await repo.updateProfile(actor.id, { consentVersion: null, consentedAt: null }, tx);
      const deleted = await repo.deletePushSubscriptions(actor.id, tx);
      await audit(
        {
          ...actorAudit(actor),
          action: 'member.consent_withdrawn',
          targetType: 'user',
          targetId: actor.id,
          details: { pushSubscriptionsDeleted: deleted },
        },
        tx,
      );
      return { pushSubscriptionsDeleted: deleted };
    });
    // Committed: the feed refuses this member from their next request on.
    deps.memberStates.forget(actor.id);
    return withdrawn;
  }

  async function canInvite(actor: Actor, unitId: string): Promise<void> {
    if (actor.role === 'admin') return;
    if (actor.role !== 'reviewer' || !actor.unitId) {
      throw new ForbiddenError('Only an admin or a reviewer of the unit can invite members');
    }
    const chain = await deps.units.ancestry(unitId);
    if (!chain.some((u) => u.id === actor.unitId)) {
      throw new ForbiddenError(
        'You can invite members only to your unit and the units under it',
        'out_of_scope',
      );
    }
  }

  async function createInvitation(
    actor: Actor,
    input: { unitId: string; expiresInDays?: number | undefined },
  ) {
    const unit = await deps.units.findById(input.unitId);
    if (!unit) throw new ValidationError([{ path: 'unitId', message: 'unit does not exist' }]);
    await canInvite(actor, input.unitId);
    const token = randomBytes(24).toString('base64url');
    const days = input.expiresInDays ?? INVITATION_DEFAULT_DAYS;
    const expiresAt = new Date(now().getTime() + days * 86_400_000);
    const row = await db.transaction(async (tx) => {
      const created = await repo.insertInvitation(
        {
          tokenHash: hashInvitationToken(token),
          unitId: unit.id,
          createdBy: actor.via === 'system' ? null : actor.id,
          expiresAt,
        },
        tx,
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'member.invitation_created',
          targetType: 'unit',
          targetId: unit.id,
          details: { invitationId: created.id, expiresAt: expiresAt.toISOString() },
        },
        tx,
      );
      return created;
    });
    return {
      id: row.id,
      url: `${deps.settings.publicUrl}/join/${token}`,
      expiresAt: row.expiresAt,
      unitId: unit.id,
      unitName: unit.name,
    };
  }

  /** The invitation behind a link, if it can still be used. */
  async function openInvitation(token: string) {
    const row = token.length <= 100 ? await repo.invitationByHash(hashInvitationToken(token)) : undefined;
    if (!row) throw new NotFoundError('Invitation');
    if (row.revokedAt) {
      throw new ConflictError('This invitation was withdrawn: ask for a new one', 'invitation_revoked');
    }
    if (row.usedAt) throw new ConflictError('This invitation has already been used', 'invitation_used');
    if (row.expiresAt.getTime() <= now().getTime()) {
      throw new ConflictError('This invitation has expired: ask for a new one', 'invitation_expired');
    }
    const unit = await deps.units.findById(row.unitId);
    return { invitation: row, unitName: unit?.name ?? '' };
  }

  /** Creates the person's member account in the invitation's unit and spends the invitation. */
  async function acceptInvitation(
    token: string,
    input: { email: string; name: string; password: string },
  ): Promise<UserRow> {
    const { invitation } = await openInvitation(token);
    return db.transaction(async (tx) => {
      const user = await deps.registerMember(
        { ...input, unitId: invitation.unitId, source: { invitationId: invitation.id } },
        tx,
      );
      if (!(await repo.useInvitation(invitation.id, user.id, now(), tx))) {
        throw new ConflictError('This invitation has already been used', 'invitation_used');
      }
      await repo.ensureProfile(user.id, tx);
      return user;
    });
  }

  async function updateSettings(
    actor: Actor,
    input: { listedInStats?: boolean | undefined; digest?: MemberDigest | undefined },
  ): Promise<MemberProfileRow> {
    requireMember(actor);
    return db.transaction(async (tx) => {
      await repo.ensureProfile(actor.id, tx);
      const row = await repo.updateProfile(
        actor.id,
        {
          ...(input.listedInStats !== undefined && { listedInStats: input.listedInStats }),
          ...(input.digest !== undefined && { digest: input.digest }),
        },
        tx,
      );
      if (!row) throw new NotFoundError('Member');
      await audit(
        {
          ...actorAudit(actor),
          action: 'member.settings_changed',
          targetType: 'user',
          targetId: actor.id,
          details: { listedInStats: row.listedInStats, digest: row.digest },
        },
        tx,
      );
      return row;
    });
  }

  async function addPushSubscription(
    actor: Actor,
    input: { endpoint: string; keys: { p256dh: string; auth: string } },
  ) {
    await requireConsent(actor);
    return repo.upsertPushSubscription({
      userId: actor.id,
      endpoint: input.endpoint,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
    });
  }

  /** Everything Loa stores about this member, and nothing about anyone else. */
  async function exportData(actor: Actor) {
    const user = await deps.users.findById(actor.id);
    if (!user) throw new NotFoundError('User');
    const [profile, consents, shares, notifications, push] = await Promise.all([
      repo.profile(actor.id),
      repo.consents(actor.id),
      deps.shares.memberShares(actor.id),
      deps.notifications.listForUser(actor.id, { limit: 1000 }),
      repo.pushSubscriptions([actor.id]),
    ]);
    const unit = user.unitId ? await deps.units.findById(user.unitId) : undefined;
    return {
      exportedAt: now().toISOString(),
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        role: user.role,
        unit: unit ? { id: unit.id, name: unit.name } : null,
        language: user.language,
        createdAt: user.createdAt.toISOString(),
      },
      settings: profile ? presentProfile(profile, deps.consent.version) : null,
      consents: consents.map((c) => ({
        version: c.version,
        acceptedAt: c.acceptedAt.toISOString(),
        withdrawnAt: c.withdrawnAt?.toISOString() ?? null,
      })),
      shares: shares.map((s) => ({
        postId: s.postId,
        title: s.title,
        platform: s.platform,
        status: s.status,
        openedAt: s.openedAt.toISOString(),
        completedAt: s.completedAt?.toISOString() ?? null,
        link: s.linkCode ? `${deps.settings.publicUrl}/l/${s.linkCode}` : null,
        clicks: s.clicks,
        uniqueVisitors: s.uniqueVisitors,
      })),
      pushSubscriptions: push.map((p) => ({ endpoint: p.endpoint, createdAt: p.createdAt.toISOString() })),
      notifications,
    };
  }

  return {
    requireConsent,
    consentStatus,
    acceptConsent,
    withdrawConsent,
    createInvitation,
    openInvitation,
    acceptInvitation,
    updateSettings,
    profile: (actor: Actor) => repo.ensureProfile(actor.id),
    addPushSubscription,
    exportData,
    consent: deps.consent,
  };
}

export type MembersService = ReturnType<typeof createMembersService>;
