// Unit scope: a user with a unit (other than an admin) works within that unit and the units below
// it. Repositories filter lists and single reads by the actor's scope (server/db/unit-scope.ts);
// a service that acts on one item it has locked checks it here, so an action on an item of
// another unit is refused with 403 while a read of it answers 404.
import type { UserRole } from '../db/schema.ts';
import { ForbiddenError } from '../errors.ts';
import type { Actor, UnitScope } from './actor.ts';

/** Whether a user of this role and unit is limited to a subtree of units. */
export function isScoped(user: { role: UserRole; unitId: string | null }): boolean {
  return user.role !== 'admin' && user.unitId !== null;
}

/** Whether the scope reaches an item of `unitId`; an item without a unit is reached only unscoped. */
export function scopeCovers(scope: UnitScope, unitId: string | null): boolean {
  if (scope === null) return true;
  return unitId !== null && scope.includes(unitId);
}

/** 403 when the actor acts on an item of a unit outside their scope. */
export function requireInScope(actor: Actor, unitId: string | null, what: string): void {
  if (!scopeCovers(actor.scope, unitId)) {
    throw new ForbiddenError(`This ${what} belongs to a unit outside yours`, 'out_of_scope');
  }
}
