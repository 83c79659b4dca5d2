// The members area of admins and unit reviewers: who the members of their units are (by name
// only where the member agreed), their consent state, invitations (made, listed, revoked),
// members created by staff, and each unit's share rules. A reviewer works within their own unit
// and the units below it (actor.scope); an admin everywhere.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import { requireInScope, scopeCovers } from '../auth/unit-scope.ts';
import type { Database } from '../db/database.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { UnitRow, UnitsRepo, UserRow } from '../users/users.repo.ts';
import type { UsersService } from '../users/users.service.ts';
import type { FeedService } from './feed.service.ts';
import type {
  DirectoryRow,
  InvitationListRow,
  InvitationStatus,
  MemberAdminRepo,
  Position,
} from './member-admin.repo.ts';
import type { MembersRepo } from './members.repo.ts';
import type { MembersService } from './members.service.ts';
import type { StatsService } from './stats.service.ts';

export type ConsentState = 'current' | 'outdated' | 'withdrawn' | 'pending';

export interface MemberAdminDeps {
  db: Database;
  repo: MemberAdminRepo;
  profiles: Pick<MembersRepo, 'ensureProfile'>;
  units: Pick<UnitsRepo, 'findById' | 'ancestry' | 'listAll'>;
  registerMember: UsersService['registerMember'];
  createInvitation: MembersService['createInvitation'];
  setRules: FeedService['setRules'];
  memberStats: Pick<StatsService, 'members'>;
  audit: AuditRecorder;
  consentVersion: number;
  now?: () => Date;
}

/** A list position as an opaque cursor: the creation time and id of the last row shown. */
export function encodeCursor(position: Position): string {
  return Buffer.from(`${position.at.toISOString()}|${position.id}`).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function decodeCursor(cursor: string | undefined): Position | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = at ? new Date(at) : undefined;
  if (!date || Number.isNaN(date.getTime()) || !id || !UUID.test(id)) {
    throw new ValidationError([{ path: 'cursor', message: 'not a cursor this list gave' }]);
  }
  return { at: date, id };
}

export function consentState(row: DirectoryRow, currentVersion: number): ConsentState {
  if (row.consentVersion === currentVersion) return 'current';
  if (row.consentVersion !== null) return 'outdated';
  return row.everConsented ? 'withdrawn' : 'pending';
}

export function presentInvitation(row: InvitationListRow) {
  return {
    id: row.id,
    unit: { id: row.unitId, name: row.unitName },
    status: row.status,
    createdBy: row.createdByName,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    usedAt: row.usedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
export type PresentedInvitation = ReturnType<typeof presentInvitation>;

export interface RulesValues {
  dailyCap: number | null;
  hoursFrom: number | null;
  hoursTo: number | null;
}

export function createMemberAdminService(deps: MemberAdminDeps) {
  const { db, repo, audit } = deps;
  const now = deps.now ?? (() => new Date());

  function requireStaff(actor: Actor): void {
    if (actor.role !== 'admin' && actor.role !== 'reviewer') {
      throw new ForbiddenError('Only admins and reviewers manage members');
    }
  }

  /** The unit a list is narrowed to, which must exist and be within the actor's scope (else 404). */
  async function unitInScope(actor: Actor, unitId: string | undefined): Promise<UnitRow | undefined> {
    if (!unitId) return undefined;
    const unit = await deps.units.findById(unitId);
    if (!unit || !scopeCovers(actor.scope, unit.id)) throw new NotFoundError('Unit');
    return unit;
  }

  /** The units the actor works in, for choosing one (every unit for an unscoped actor). */
  async function units(actor: Actor): Promise<UnitRow[]> {
    requireStaff(actor);
    return (await deps.units.listAll()).filter((u) => scopeCovers(actor.scope, u.id));
  }

  /**
   * A page of members, newest first, with their consent state and, for those listed by name,
   * their shares and clicks from the stats service; the others appear as anonymous rows and
   * their figures only summed per unit.
   */
  async function directory(
    actor: Actor,
    input: {
      unitId?: string | undefined;
      q?: string | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ) {
    requireStaff(actor);
    const unit = await unitInScope(actor, input.unitId);
    const root = unit?.id ?? null;
    const after = decodeCursor(input.cursor);
    const [rows, counts, stats] = await Promise.all([
      repo.directory({ scope: actor.scope, root, search: input.q, limit: input.limit + 1, after }),
      repo.directoryCounts({ scope: actor.scope, root, currentVersion: deps.consentVersion }),
      deps.memberStats.members(actor, { unitId: root ?? undefined }),
    ]);
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    const figures = new Map(stats.items.map((i) => [i.userId, i]));
    const anonymous = stats.unlisted.reduce(
      (sum, u) => ({
        members: sum.members + u.members,
        shares: sum.shares + u.shares,
        clicks: sum.clicks + u.clicks,
        reach: sum.reach + u.reach,
      }),
      { members: 0, shares: 0, clicks: 0, reach: 0 },
    );
    return {
      unit: unit ? { id: unit.id, name: unit.name } : null,
      items: page.map((r) => {
        const f = r.listed ? figures.get(r.userId) : undefined;
        return {
          userId: r.userId,
          name: r.name,
          listed: r.listed,
          unit: { id: r.unitId, name: r.unitName },
          consent: {
            state: consentState(r, deps.consentVersion),
            version: r.consentVersion,
            acceptedAt: r.consentedAt?.toISOString() ?? null,
          },
          joinedAt: r.joinedAt.toISOString(),
          shares: f ? f.shares : null,
          clicks: f ? f.clicks : null,
          reach: f ? f.reach : null,
        };
      }),
      nextCursor:
        rows.length > input.limit && last ? encodeCursor({ at: last.joinedAt, id: last.userId }) : null,
      counts,
      anonymous,
      consentVersion: deps.consentVersion,
      source: 'loa' as const,
      fetchedAt: stats.fetchedAt,
    };
  }

  /**
   * A member account made by an admin or a reviewer of the unit. It starts without consent: the
   * member reads and accepts the text themselves when they first sign in.
   */
  async function createMember(
    actor: Actor,
    input: { name: string; email: string; password: string; unitId: string },
  ): Promise<UserRow> {
    requireStaff(actor);
    const unit = await deps.units.findById(input.unitId);
    if (!unit) throw new ValidationError([{ path: 'unitId', message: 'unit does not exist' }]);
    requireInScope(actor, unit.id, 'unit');
    return db.transaction(async (tx) => {
      const user = await deps.registerMember({ ...input, unitId: unit.id, source: { createdBy: actor } }, tx);
      await deps.profiles.ensureProfile(user.id, tx);
      return user;
    });
  }

  async function createInvitation(
    actor: Actor,
    input: { unitId: string; expiresInDays?: number | undefined },
  ) {
    requireStaff(actor);
    return deps.createInvitation(actor, input);
  }

  async function invitations(
    actor: Actor,
    input: {
      unitId?: string | undefined;
      status?: InvitationStatus | undefined;
      limit: number;
      cursor?: string | undefined;
    },
  ) {
    requireStaff(actor);
    const unit = await unitInScope(actor, input.unitId);
    const rows = await repo.invitations({
      scope: actor.scope,
      root: unit?.id ?? null,
      status: input.status,
      now: now(),
      limit: input.limit + 1,
      after: decodeCursor(input.cursor),
    });
    const page = rows.slice(0, input.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(presentInvitation),
      nextCursor:
        rows.length > input.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
    };
  }

  /** Revokes an open invitation of a unit within the actor's scope: its link stops working. */
  async function revokeInvitation(actor: Actor, id: string): Promise<PresentedInvitation> {
    requireStaff(actor);
    const at = now();
    const row = await db.transaction(async (tx) => {
      const locked = await repo.lockInvitation(id, tx);
      if (!locked) throw new NotFoundError('Invitation');
      requireInScope(actor, locked.unitId, 'invitation');
      const status: InvitationStatus = locked.revokedAt
        ? 'revoked'
        : locked.usedAt
          ? 'used'
          : locked.expiresAt.getTime() <= at.getTime()
            ? 'expired'
            : 'open';
      if (
        status !== 'open' ||
        !(await repo.revokeInvitation(id, actor.via === 'system' ? null : actor.id, at, tx))
      ) {
        throw new ConflictError('Only an open invitation can be revoked', 'invitation_not_open', { status });
      }
      await audit(
        {
          ...actorAudit(actor),
          action: 'member.invitation_revoked',
          targetType: 'unit',
          targetId: locked.unitId,
          details: { invitationId: id },
        },
        tx,
      );
      return locked;
    });
    const unit = await deps.units.findById(row.unitId);
    return presentInvitation({
      id: row.id,
      unitId: row.unitId,
      unitName: unit?.name ?? '',
      createdByName: null,
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
      usedAt: row.usedAt,
      revokedAt: at,
      status: 'revoked',
    });
  }

  /**
   * A unit's share rules: its own, and the ones in force for its members — the nearest unit up
   * the tree that has rules, as the share feed applies them.
   */
  async function shareRules(actor: Actor, unitId: string) {
    requireStaff(actor);
    const unit = await unitInScope(actor, unitId);
    if (!unit) throw new NotFoundError('Unit');
    const chain = await deps.units.ancestry(unit.id);
    const rows = new Map((await repo.shareRules(chain.map((u) => u.id))).map((r) => [r.unitId, r]));
    const own = rows.get(unit.id);
    const from = chain.find((u) => rows.has(u.id));
    const effective = from ? rows.get(from.id) : undefined;
    const values = (r: RulesValues): RulesValues => ({
      dailyCap: r.dailyCap,
      hoursFrom: r.hoursFrom,
      hoursTo: r.hoursTo,
    });
    return {
      unitId: unit.id,
      name: unit.name,
      rules: own ? values(own) : null,
      effective: from && effective ? { ...values(effective), unit: { id: from.id, name: from.name } } : null,
      updatedAt: own?.updatedAt.toISOString() ?? null,
    };
  }

  /** Sets a unit's rules (admins only, checked by the feed service that applies them). */
  async function setShareRules(actor: Actor, unitId: string, input: RulesValues) {
    requireStaff(actor);
    await deps.setRules(actor, unitId, input);
    return shareRules(actor, unitId);
  }

  return {
    units,
    directory,
    createMember,
    createInvitation,
    invitations,
    revokeInvitation,
    shareRules,
    setShareRules,
  };
}

export type MemberAdminService = ReturnType<typeof createMemberAdminService>;
