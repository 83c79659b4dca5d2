// Units as organisations: their profile (short name, hotline, area, address, website) and logo,
// moving a unit in the tree (never under itself), deleting an unused one, and the values a
// template variable declaring `from: unit.<field>` takes. Creating units is users.service.ts.
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { uniqueOrConflict } from '../db/pg-errors.ts';
import type { UnitProfile } from '../db/schema.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import type { UnitRow, UnitsRepo } from './users.repo.ts';
import { UNIT_PROFILE_FIELDS, type UnitProfileInput, type UpdateUnitInput } from './users.schemas.ts';

/** The unit values a template variable can take (`from: unit.name`, `unit.hotline`, ...). */
export interface UnitValues {
  name: string;
  shortName?: string;
  hotline?: string;
  area?: string;
  address?: string;
  website?: string;
}

/** A unit's profile with the logo's bytes and address, for cards and public pages. */
export interface UnitBrand {
  values: UnitValues;
  logo: { mediaId: string; url: string; localUrl: string } | null;
}

/** What the units service needs from the media library. */
export interface LogoSource {
  find(mediaId: string): Promise<{ url: string; localUrl: string } | null>;
  bytes(mediaId: string): Promise<Buffer | null>;
}

interface Deps {
  db: Database;
  units: UnitsRepo;
  audit: AuditRecorder;
  logos: LogoSource;
  /** Called after a committed rename, move or deletion: unit scopes of signed-in actors change. */
  identityChanged: () => void;
}

/** Merges a profile change into the stored profile: null or empty clears a field. */
export function mergeProfile(
  stored: UnitProfile,
  change: Partial<UnitProfileInput> | undefined,
): UnitProfile {
  const next: UnitProfile = { ...stored };
  for (const field of UNIT_PROFILE_FIELDS) {
    if (change === undefined || !(field in change)) continue;
    const value = change[field];
    if (value) next[field] = value;
    else delete next[field];
  }
  return next;
}

export function unitValues(row: Pick<UnitRow, 'name' | 'profile'>): UnitValues {
  return { name: row.name, ...row.profile };
}

export function createUnitsService({ db, units, audit, logos, identityChanged }: Deps) {
  async function get(id: string): Promise<UnitRow> {
    const row = await units.findById(id);
    if (!row) throw new NotFoundError('Unit');
    return row;
  }

  /** True when `ancestorId` is the unit itself or one of the units above it. */
  async function isWithin(unitId: string, ancestorId: string): Promise<boolean> {
    if (unitId === ancestorId) return true;
    return (await units.ancestry(unitId)).some((u) => u.id === ancestorId);
  }

  /** Admins everywhere; a reviewer for the profile of their own unit and the units below it. */
  async function requireProfileEditor(actor: Actor, unitId: string) {
    if (actor.role === 'admin') return;
    if (actor.role === 'reviewer' && actor.unitId && (await isWithin(unitId, actor.unitId))) return;
    throw new ForbiddenError(
      "Only an admin, or a reviewer of this unit, can change the unit's profile",
      actor.role === 'reviewer' && actor.unitId ? 'out_of_scope' : 'forbidden',
    );
  }

  async function update(actor: Actor, id: string, input: UpdateUnitInput): Promise<UnitRow> {
    const movesOrRenames = input.name !== undefined || input.parentId !== undefined;
    if (movesOrRenames && actor.role !== 'admin')
      throw new ForbiddenError('Only an admin can rename or move a unit');
    if (!(await units.findById(id))) throw new NotFoundError('Unit');
    await requireProfileEditor(actor, id);
    const updated = await db.transaction(async (tx) => {
      const before = await units.lockById(id, tx);
      if (!before) throw new NotFoundError('Unit');
      if (input.parentId) {
        const chain = await units.ancestry(input.parentId, tx);
        if (chain.length === 0)
          throw new ValidationError([{ path: 'parentId', message: 'parent unit does not exist' }]);
        if (chain.some((u) => u.id === id)) {
          throw new ValidationError([
            { path: 'parentId', message: 'a unit cannot be placed under itself or one of its own units' },
          ]);
        }
      }
      const after = await uniqueOrConflict(
        () =>
          units.update(
            id,
            {
              ...(input.name !== undefined && { name: input.name }),
              ...(input.parentId !== undefined && { parentId: input.parentId }),
              ...(input.profile !== undefined && { profile: mergeProfile(before.profile, input.profile) }),
            },
            tx,
          ),
        'units_parent_name_uq',
        'A unit with this name already exists under the same parent',
      );
      if (!after) throw new NotFoundError('Unit');
      await audit(
        {
          ...actorAudit(actor),
          action: 'unit.updated',
          targetType: 'unit',
          targetId: id,
          details: { name: after.name, parentId: after.parentId, profile: after.profile },
        },
        tx,
      );
      return after;
    });
    identityChanged();
    return updated;
  }

  async function setLogo(actor: Actor, id: string, mediaId: string | null): Promise<UnitRow> {
    if (!(await units.findById(id))) throw new NotFoundError('Unit');
    await requireProfileEditor(actor, id);
    if (mediaId && !(await logos.find(mediaId)))
      throw new ValidationError([{ path: 'mediaId', message: 'no such image in the media library' }]);
    return db.transaction(async (tx) => {
      const after = await units.update(id, { logoMediaId: mediaId }, tx);
      if (!after) throw new NotFoundError('Unit');
      await audit(
        {
          ...actorAudit(actor),
          action: 'unit.logo_set',
          targetType: 'unit',
          targetId: id,
          details: { mediaId },
        },
        tx,
      );
      return after;
    });
  }

  /** 409 naming what still holds the unit: people, channels, posts, child units. */
  async function remove(actor: Actor, id: string): Promise<void> {
    if (actor.role !== 'admin') throw new ForbiddenError('Only an admin can delete a unit');
    await db.transaction(async (tx) => {
      const row = await units.lockById(id, tx);
      if (!row) throw new NotFoundError('Unit');
      const held = await units.dependents(id, tx);
      const holders = Object.entries(held).filter(([, n]) => n > 0);
      if (holders.length > 0) {
        const words: Record<string, string> = {
          users: 'người dùng (users)',
          channels: 'kênh (channels)',
          posts: 'bài đăng (posts)',
          units: 'đơn vị cấp dưới (child units)',
        };
        throw new ConflictError(
          `Đơn vị "${row.name}" còn ${holders.map(([k, n]) => `${n} ${words[k]}`).join(', ')}: không thể xoá (the unit is still in use)`,
          'unit_in_use',
          held,
        );
      }
      await units.remove(id, tx);
      await audit(
        {
          ...actorAudit(actor),
          action: 'unit.deleted',
          targetType: 'unit',
          targetId: id,
          details: { name: row.name },
        },
        tx,
      );
    });
    identityChanged();
  }

  async function logoOf(row: UnitRow) {
    if (!row.logoMediaId) return null;
    const found = await logos.find(row.logoMediaId);
    return found ? { mediaId: row.logoMediaId, ...found } : null;
  }

  async function present(row: UnitRow) {
    const logo = await logoOf(row);
    return {
      id: row.id,
      name: row.name,
      parentId: row.parentId,
      profile: {
        shortName: row.profile.shortName ?? null,
        hotline: row.profile.hotline ?? null,
        area: row.profile.area ?? null,
        address: row.profile.address ?? null,
        website: row.profile.website ?? null,
      },
      logo: logo && { mediaId: logo.mediaId, url: logo.url },
    };
  }

  /** The unit's values and logo, or null when there is no such unit. */
  async function brand(unitId: string | null | undefined): Promise<UnitBrand | null> {
    if (!unitId) return null;
    const row = await units.findById(unitId);
    if (!row) return null;
    const logo = await logoOf(row);
    return { values: unitValues(row), logo };
  }

  return {
    get,
    update,
    setLogo,
    remove,
    present,
    brand,
    isWithin,
    /** The logo's image bytes (for cards), or null. */
    logoBytes: async (unitId: string | null | undefined): Promise<Buffer | null> => {
      if (!unitId) return null;
      const row = await units.findById(unitId);
      return row?.logoMediaId ? logos.bytes(row.logoMediaId) : null;
    },
    /** Values and logo bytes of many units at once (a cascade renders hundreds of cards). */
    forRender: async (ids: string[]): Promise<Map<string, { values: UnitValues; logo: Buffer | null }>> => {
      const rows = await units.findMany(ids);
      const logoIds = [...new Set(rows.flatMap((r) => (r.logoMediaId ? [r.logoMediaId] : [])))];
      const bytes = new Map(await Promise.all(logoIds.map(async (m) => [m, await logos.bytes(m)] as const)));
      return new Map(
        rows.map((r) => [
          r.id,
          { values: unitValues(r), logo: r.logoMediaId ? (bytes.get(r.logoMediaId) ?? null) : null },
        ]),
      );
    },
    children: (unitId: string) => units.children(unitId),
    findMany: (ids: string[]) => units.findMany(ids),
  };
}

export type UnitsService = ReturnType<typeof createUnitsService>;
