// Participation and reach for reviewers and admins: per child unit, and per member only where
// the member agreed to be listed. Never a ranking or points: figures, by unit.
import type { Actor } from '../auth/actor.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { UnitsRepo } from '../users/users.repo.ts';
import type { StatsRepo } from './stats.repo.ts';

export interface StatsRange {
  unitId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : Math.round((a / b) * 100) / 100);

export function createStatsService(deps: {
  repo: StatsRepo;
  units: Pick<UnitsRepo, 'findById' | 'ancestry'>;
  now?: () => Date;
}) {
  const now = deps.now ?? (() => new Date());

  /** The unit asked for, kept within a scoped reviewer's own unit and its descendants. */
  async function scopeRoot(actor: Actor, unitId: string | undefined): Promise<string | null> {
    if (actor.role !== 'admin' && actor.role !== 'reviewer') {
      throw new ForbiddenError('Only reviewers and admins see members’ figures');
    }
    const scoped = actor.role === 'reviewer' && actor.unitId !== null;
    if (!unitId) return scoped ? actor.unitId : null;
    const chain = await deps.units.ancestry(unitId);
    if (chain.length === 0) throw new NotFoundError('Unit');
    if (scoped && !chain.some((u) => u.id === actor.unitId)) throw new NotFoundError('Unit');
    return unitId;
  }

  const rangeOf = (input: StatsRange) => ({
    from: input.from ?? new Date(0),
    to: input.to ?? new Date(now().getTime() + 86_400_000),
  });

  async function units(actor: Actor, input: StatsRange) {
    const root = await scopeRoot(actor, input.unitId);
    const rows = await deps.repo.unitStats(root, rangeOf(input));
    return {
      unitId: root,
      items: rows.map((r) => ({
        ...r,
        sharesPerMember: ratio(r.shares, r.members),
        clicksPerShare: ratio(r.clicks, r.shares),
      })),
      unitsWithoutShares: rows.filter((r) => r.shares === 0).map((r) => ({ unitId: r.unitId, name: r.name })),
      source: 'loa' as const,
      fetchedAt: now().toISOString(),
    };
  }

  async function members(actor: Actor, input: StatsRange) {
    const root = await scopeRoot(actor, input.unitId);
    const rows = await deps.repo.memberStats(root, rangeOf(input));
    const unlisted = new Map<
      string,
      {
        unit: { id: string | null; name: string | null };
        members: number;
        shares: number;
        clicks: number;
        reach: number;
      }
    >();
    for (const row of rows.filter((r) => !r.listed)) {
      const key = row.unitId ?? '';
      const entry = unlisted.get(key) ?? {
        unit: { id: row.unitId, name: row.unitName },
        members: 0,
        shares: 0,
        clicks: 0,
        reach: 0,
      };
      entry.members += 1;
      entry.shares += row.shares;
      entry.clicks += row.clicks;
      entry.reach += row.reach;
      unlisted.set(key, entry);
    }
    return {
      items: rows
        .filter((r) => r.listed)
        .map((r) => ({
          userId: r.userId,
          name: r.name,
          unit: { id: r.unitId, name: r.unitName },
          shares: r.shares,
          clicks: r.clicks,
          reach: r.reach,
        })),
      unlisted: [...unlisted.values()],
      source: 'loa' as const,
      fetchedAt: now().toISOString(),
    };
  }

  return { units, members };
}

export type StatsService = ReturnType<typeof createStatsService>;
