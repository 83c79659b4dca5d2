// The SQL side of unit scope (see auth/unit-scope.ts): conditions repositories add to their
// queries so a scoped actor's lists and reads never include another unit's rows.
import { inArray, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { UnitScope } from '../auth/actor.ts';
import { units } from './schema.ts';

/** `column` is one of the scope's units; no condition for an unscoped actor. */
export function withinScope(column: AnyPgColumn, scope: UnitScope): SQL | undefined {
  if (scope === null) return undefined;
  if (scope.length === 0) return sql`false`;
  return inArray(column, [...scope]);
}

/**
 * A user row (role and unit columns) whose scope reaches an item of `unitId`: every admin, every
 * user without a unit, and the users of that unit or of a unit above it.
 */
export function userScopeReaches(
  user: { role: AnyPgColumn; unitId: AnyPgColumn },
  unitId: string | null,
): SQL {
  if (unitId === null) return sql`(${user.role} = 'admin' or ${user.unitId} is null)`;
  return sql`(${user.role} = 'admin' or ${user.unitId} is null or ${user.unitId} in (
    WITH RECURSIVE up(id, parent_id) AS (
      SELECT u.id, u.parent_id FROM ${units} u WHERE u.id = ${unitId}
      UNION
      SELECT p.id, p.parent_id FROM ${units} p JOIN up ON p.id = up.parent_id
    ) SELECT id FROM up))`;
}
