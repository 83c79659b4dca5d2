import type { UserRole } from '../db/schema.ts';

/** Who is doing something: every service call that changes state takes one. */
export interface Actor {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  unitId: string | null;
  via: 'session' | 'token' | 'system';
  ip?: string | null;
}

export const SYSTEM_ACTOR: Actor = {
  id: '00000000-0000-0000-0000-000000000000',
  email: 'system@loa',
  name: 'Loa',
  role: 'admin',
  unitId: null,
  via: 'system',
};

export function actorAudit(actor: Actor) {
  return actor.via === 'system'
    ? { actorId: null, actorLabel: 'system', ip: null }
    : { actorId: actor.id, actorLabel: actor.email, ip: actor.ip ?? null };
}
