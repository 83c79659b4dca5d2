import type { UserRole } from '../db/schema.ts';

/**
 * The units an actor works in: their own unit and every unit below it, or null for an unscoped
 * actor (every admin, and anyone without a unit). Computed once, when the actor is authenticated
 * (units repository `subtreeIds`), so every repository filters by the same set.
 */
export type UnitScope = readonly string[] | null;

/** Who is doing something: every service call that changes state takes one. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  unitId: string | null;
  scope: UnitScope;
  via: 'session' | 'token' | 'system';
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  email: 'system@loa',
  name: 'Loa',
  role: 'admin',
  unitId: null,
  scope: null,
  via: 'system',
};

/** Who an audit entry names when Loa itself acted (a job, a sweep, a follow-on change). */
export const SYSTEM_AUDIT = { actorId: null, actorLabel: 'system' } as const;

export function actorAudit(actor: Actor) {
  return actor.via === 'system'
    ? { ...SYSTEM_AUDIT, ip: null }
    : { actorId: actor.id, actorLabel: actor.email, ip: actor.ip ?? null };
}
