// People and units: creating accounts, changing roles, deactivating, and the unit tree.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Database, Executor } from '../db/database.ts';
import { uniqueOrConflict } from '../db/pg-errors.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { UnitRow, UnitsRepo, UserRow, UsersRepo } from './users.repo.ts';
import type { CreateUnitInput, CreateUserInput, UpdateUserInput } from './users.schemas.ts';
import { mergeProfile } from './units.service.ts';

export function presentUser(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    unitId: row.unitId,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
  };
}
export type PresentedUser = ReturnType<typeof presentUser>;

interface Deps {
  db: Database;
  users: UsersRepo;
  units: UnitsRepo;
  audit: AuditRecorder;
  /**
   * Called after a committed change that can alter who an authenticated actor is (role, unit,
   * name, active flag, the unit tree): the auth module forgets the actors it remembers.
   */
  identityChanged: () => void;
}

export function createUsersService({ db, users, units, audit, identityChanged }: Deps) {
  function requireAdmin(actor: Actor) {
    if (actor.role !== 'admin') throw new ForbiddenError('Only an admin can manage people and units');
  }

  async function checkUnit(unitId: string | null | undefined, path: string) {
    if (!unitId) return;
    if (!(await units.findById(unitId)))
      throw new ValidationError([{ path, message: 'unit does not exist' }]);
  }

  async function createUser(actor: Actor, input: CreateUserInput): Promise<UserRow> {
    requireAdmin(actor);
    await checkUnit(input.unitId, 'unitId');
    const passwordHash = await hashPassword(input.password);
    return db.transaction(async (tx) => {
      const row = await uniqueOrConflict(
        () =>
          users.insert(
            {
              email: input.email,
              name: input.name,
              role: input.role,
              unitId: input.unitId ?? null,
              passwordHash,
            },
            tx,
          ),
        'users_email_uq',
        'A user with this email already exists',
        'email_taken',
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          details: { email: row.email, role: row.role },
        },
        tx,
      );
      return row;
    });
  }

  async function updateUser(actor: Actor, id: string, input: UpdateUserInput): Promise<UserRow> {
    requireAdmin(actor);
    await checkUnit(input.unitId, 'unitId');
    const updated = await db.transaction(async (tx) => {
      const before = await users.findById(id, tx);
      if (!before) throw new NotFoundError('User');
      const losesAdmin =
        before.role === 'admin' &&
        before.active &&
        ((input.role && input.role !== 'admin') || input.active === false);
      if (losesAdmin && id === actor.id) {
        throw new ConflictError(
          'You cannot remove your own admin rights or deactivate yourself',
          'self_lockout',
        );
      }
      if (losesAdmin && (await users.countActiveAdmins(tx)) <= 1) {
        throw new ConflictError('This is the last active admin', 'last_admin');
      }
      const after = await users.update(
        id,
        {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.role !== undefined && { role: input.role }),
          ...(input.unitId !== undefined && { unitId: input.unitId }),
          ...(input.active !== undefined && { active: input.active }),
        },
        tx,
      );
      if (!after) throw new NotFoundError('User');
      const who = actorAudit(actor);
      if (before.role !== after.role) {
        await audit(
          {
            ...who,
            action: 'user.role_changed',
            targetType: 'user',
            targetId: id,
            details: { from: before.role, to: after.role },
          },
          tx,
        );
      }
      if (before.active !== after.active) {
        await audit(
          {
            ...who,
            action: after.active ? 'user.reactivated' : 'user.deactivated',
            targetType: 'user',
            targetId: id,
          },
          tx,
        );
      }
      if (before.name !== after.name || before.unitId !== after.unitId) {
        await audit(
          {
            ...who,
            action: 'user.updated',
            targetType: 'user',
            targetId: id,
            details: { name: after.name, unitId: after.unitId },
          },
          tx,
        );
      }
      return after;
    });
    identityChanged();
    return updated;
  }

  async function createUnit(actor: Actor, input: CreateUnitInput): Promise<UnitRow> {
    requireAdmin(actor);
    // Any depth: since July 2025 communes sit right under the province, departments beside them.
    if (input.parentId && !(await units.findById(input.parentId)))
      throw new ValidationError([{ path: 'parentId', message: 'parent unit does not exist' }]);
    const created = await db.transaction(async (tx) => {
      const row = await uniqueOrConflict(
        () =>
          units.insert(
            { name: input.name, parentId: input.parentId ?? null, profile: mergeProfile({}, input.profile) },
            tx,
          ),
        'units_parent_name_uq',
        'A unit with this name already exists under the same parent',
      );
      await audit(
        {
          ...actorAudit(actor),
          action: 'unit.created',
          targetType: 'unit',
          targetId: row.id,
          details: { name: row.name, parentId: row.parentId, profile: row.profile },
        },
        tx,
      );
      return row;
    });
    identityChanged();
    return created;
  }

  /**
   * A member account: made by the person from an invitation (amplification checks the invitation
   * and spends it in the same transaction `tx`), or by an admin or reviewer of the unit
   * (amplification decides who may). Either way the member gives consent themselves later.
   */
  async function registerMember(
    input: {
      email: string;
      name: string;
      password: string;
      unitId: string;
      source: { invitationId: string } | { createdBy: Actor };
    },
    tx: Executor,
  ): Promise<UserRow> {
    const passwordHash = await hashPassword(input.password);
    const row = await uniqueOrConflict(
      () =>
        users.insert(
          { email: input.email, name: input.name, role: 'member', unitId: input.unitId, passwordHash },
          tx,
        ),
      'users_email_uq',
      'A user with this email already exists',
      'email_taken',
    );
    const who =
      'createdBy' in input.source
        ? actorAudit(input.source.createdBy)
        : { actorId: row.id, actorLabel: row.email, ip: null };
    await audit(
      {
        ...who,
        action: 'user.created',
        targetType: 'user',
        targetId: row.id,
        details:
          'createdBy' in input.source
            ? { email: row.email, role: 'member', source: 'staff', unitId: input.unitId }
            : {
                email: row.email,
                role: 'member',
                source: 'invitation',
                invitationId: input.source.invitationId,
              },
      },
      tx,
    );
    return row;
  }

  /** A person changing their own name or interface language. */
  async function updateOwn(
    actor: Actor,
    input: { name?: string | undefined; language?: 'vi' | 'en' | undefined },
  ): Promise<UserRow> {
    const updated = await db.transaction(async (tx) => {
      const row = await users.update(
        actor.id,
        {
          ...(input.name !== undefined && { name: input.name }),
          ...(input.language !== undefined && { language: input.language }),
        },
        tx,
      );
      if (!row) throw new NotFoundError('User');
      if (input.name !== undefined || input.language !== undefined) {
        await audit(
          {
            ...actorAudit(actor),
            action: 'user.updated',
            targetType: 'user',
            targetId: actor.id,
            details: { name: row.name, language: row.language },
          },
          tx,
        );
      }
      return row;
    });
    identityChanged();
    return updated;
  }

  /** Creates the first admin from settings, only when no admin exists at all. */
  async function ensureInitialAdmin(email: string, password: string): Promise<UserRow | null> {
    if ((await users.countActiveAdmins()) > 0) return null;
    const existing = await users.findByEmail(email);
    if (existing) return null;
    const passwordHash = await hashPassword(password);
    return db.transaction(async (tx) => {
      const row = await users.insert(
        { email, name: 'Quản trị viên', role: 'admin', unitId: null, passwordHash },
        tx,
      );
      await audit(
        {
          actorLabel: 'system',
          action: 'user.created',
          targetType: 'user',
          targetId: row.id,
          details: { email, role: 'admin', source: 'settings' },
        },
        tx,
      );
      return row;
    });
  }

  return {
    createUser,
    updateUser,
    createUnit,
    registerMember,
    updateOwn,
    ensureInitialAdmin,
    getUser: async (actor: Actor, id: string) => {
      requireAdmin(actor);
      const row = await users.findById(id);
      if (!row) throw new NotFoundError('User');
      return row;
    },
    listUsers: (actor: Actor, page: { limit: number; after?: string }) => {
      requireAdmin(actor);
      return users.list(page);
    },
    listUnits: (page: { limit: number; after?: string }) => units.list(page),
    listAllUnits: () => units.listAll(),
  };
}

export type UsersService = ReturnType<typeof createUsersService>;
