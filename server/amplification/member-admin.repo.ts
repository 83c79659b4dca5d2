// SQL for the members area of admins and unit reviewers: the directory of a unit's members with
// their consent state, a unit's invitations (open, used, expired, revoked) and share rules.
import { and, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { UnitScope } from '../auth/actor.ts';
import type { Executor } from '../db/database.ts';
import { memberInvitations, unitShareRules, type InvitationStatus } from '../db/schema.ts';

export type { InvitationStatus };

/** A position in a list ordered newest first: the row's creation time and id. */
export interface Position {
  at: Date;
  id: string;
}

export interface DirectoryRow {
  userId: string;
  /** Only where the member agreed to be listed by name (listedInStats); never otherwise. */
  name: string | null;
  listed: boolean;
  unitId: string | null;
  unitName: string | null;
  consentVersion: number | null;
  consentedAt: Date | null;
  /** Whether the member ever gave consent (tells "withdrawn" from "not yet"). */
  everConsented: boolean;
  joinedAt: Date;
}

export interface DirectoryCounts {
  members: number;
  consentCurrent: number;
  consentOutdated: number;
  withdrawn: number;
  pending: number;
}

export interface InvitationListRow {
  id: string;
  unitId: string;
  unitName: string;
  createdByName: string | null;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
  status: InvitationStatus;
}

/** `column` in the subtree of `root` (the unit and every unit below it); no condition without one. */
const inSubtree = (column: SQL, root: string | null): SQL =>
  root === null
    ? sql`TRUE`
    : sql`${column} IN (
        WITH RECURSIVE sub AS (SELECT id FROM units WHERE id = ${root}
          UNION ALL SELECT c.id FROM units c JOIN sub ON c.parent_id = sub.id)
        SELECT id FROM sub)`;

/** The scope as SQL on a unit column: everything unscoped, nothing for an empty scope. */
const scopeSql = (column: SQL, scope: UnitScope): SQL =>
  scope === null
    ? sql`TRUE`
    : scope.length === 0
      ? sql`FALSE`
      : sql`${column} IN (${sql.join(
          scope.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`;

/** `%`, `_` and `\` taken literally in an ILIKE pattern. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const statusSql = (now: Date) => sql<InvitationStatus>`CASE
  WHEN i.revoked_at IS NOT NULL THEN 'revoked'
  WHEN i.used_at IS NOT NULL THEN 'used'
  WHEN i.expires_at <= ${now.toISOString()}::timestamptz THEN 'expired'
  ELSE 'open' END`;

export function createMemberAdminRepo(db: Executor) {
  return {
    /**
     * Active members within `scope` and under `root`, newest first, after `after`. A name search
     * matches only members listed by name: an unlisted member is never found by their name.
     */
    async directory(
      input: {
        scope: UnitScope;
        root: string | null;
        search?: string | undefined;
        limit: number;
        after?: Position | undefined;
      },
      tx: Executor = db,
    ): Promise<DirectoryRow[]> {
      const conditions = [
        sql`u.role = 'member'`,
        sql`u.active`,
        scopeSql(sql`u.unit_id`, input.scope),
        inSubtree(sql`u.unit_id`, input.root),
      ];
      if (input.search) {
        conditions.push(
          sql`coalesce(mp.listed_in_stats, false) AND u.name ILIKE ${likePattern(input.search)}`,
        );
      }
      if (input.after) {
        conditions.push(
          sql`(u.created_at, u.id) < (${input.after.at.toISOString()}::timestamptz, ${input.after.id}::uuid)`,
        );
      }
      const result = await tx.execute<{
        id: string;
        name: string;
        listed: boolean;
        unit_id: string | null;
        unit_name: string | null;
        consent_version: number | null;
        consented_at: string | Date | null;
        ever_consented: boolean;
        created_at: string | Date;
      }>(sql`
        SELECT u.id, u.name, coalesce(mp.listed_in_stats, false) AS listed, u.unit_id, un.name AS unit_name,
               mp.consent_version, mp.consented_at,
               EXISTS (SELECT 1 FROM member_consents mc WHERE mc.user_id = u.id) AS ever_consented,
               u.created_at
          FROM users u
          LEFT JOIN units un ON un.id = u.unit_id
          LEFT JOIN member_profiles mp ON mp.user_id = u.id
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY u.created_at DESC, u.id DESC
         LIMIT ${input.limit}`);
      return result.rows.map((r) => ({
        userId: r.id,
        name: r.listed ? r.name : null,
        listed: r.listed,
        unitId: r.unit_id,
        unitName: r.unit_name,
        consentVersion: r.consent_version === null ? null : Number(r.consent_version),
        consentedAt: r.consented_at === null ? null : new Date(r.consented_at),
        everConsented: r.ever_consented,
        joinedAt: new Date(r.created_at),
      }));
    },

    /** How many active members within scope and under `root`, by consent state. */
    async directoryCounts(
      input: { scope: UnitScope; root: string | null; currentVersion: number },
      tx: Executor = db,
    ): Promise<DirectoryCounts> {
      const result = await tx.execute<{
        members: number;
        current: number;
        outdated: number;
        withdrawn: number;
      }>(sql`
        SELECT count(*)::int AS members,
               count(*) FILTER (WHERE mp.consent_version = ${input.currentVersion})::int AS current,
               count(*) FILTER (WHERE mp.consent_version IS NOT NULL
                                  AND mp.consent_version <> ${input.currentVersion})::int AS outdated,
               count(*) FILTER (WHERE mp.consent_version IS NULL AND EXISTS (
                 SELECT 1 FROM member_consents mc WHERE mc.user_id = u.id))::int AS withdrawn
          FROM users u
          LEFT JOIN member_profiles mp ON mp.user_id = u.id
         WHERE u.role = 'member' AND u.active AND ${scopeSql(sql`u.unit_id`, input.scope)}
           AND ${inSubtree(sql`u.unit_id`, input.root)}`);
      const row = result.rows[0];
      const members = Number(row?.members ?? 0);
      const current = Number(row?.current ?? 0);
      const outdated = Number(row?.outdated ?? 0);
      const withdrawn = Number(row?.withdrawn ?? 0);
      return {
        members,
        consentCurrent: current,
        consentOutdated: outdated,
        withdrawn,
        pending: members - current - outdated - withdrawn,
      };
    },

    /** Invitations within scope and under `root`, newest first, optionally of one status. */
    async invitations(
      input: {
        scope: UnitScope;
        root: string | null;
        status?: InvitationStatus | undefined;
        now: Date;
        limit: number;
        after?: Position | undefined;
      },
      tx: Executor = db,
    ): Promise<InvitationListRow[]> {
      const conditions = [scopeSql(sql`i.unit_id`, input.scope), inSubtree(sql`i.unit_id`, input.root)];
      if (input.status) conditions.push(sql`${statusSql(input.now)} = ${input.status}`);
      if (input.after) {
        conditions.push(
          sql`(i.created_at, i.id) < (${input.after.at.toISOString()}::timestamptz, ${input.after.id}::uuid)`,
        );
      }
      const result = await tx.execute<{
        id: string;
        unit_id: string;
        unit_name: string;
        created_by_name: string | null;
        created_at: string | Date;
        expires_at: string | Date;
        used_at: string | Date | null;
        revoked_at: string | Date | null;
        status: InvitationStatus;
      }>(sql`
        SELECT i.id, i.unit_id, un.name AS unit_name, cb.name AS created_by_name, i.created_at,
               i.expires_at, i.used_at, i.revoked_at, ${statusSql(input.now)} AS status
          FROM member_invitations i
          JOIN units un ON un.id = i.unit_id
          LEFT JOIN users cb ON cb.id = i.created_by
         WHERE ${sql.join(conditions, sql` AND `)}
         ORDER BY i.created_at DESC, i.id DESC
         LIMIT ${input.limit}`);
      const date = (v: string | Date | null) => (v === null ? null : new Date(v));
      return result.rows.map((r) => ({
        id: r.id,
        unitId: r.unit_id,
        unitName: r.unit_name,
        createdByName: r.created_by_name,
        createdAt: new Date(r.created_at),
        expiresAt: new Date(r.expires_at),
        usedAt: date(r.used_at),
        revokedAt: date(r.revoked_at),
        status: r.status,
      }));
    },

    /** One invitation, locked for the rest of the transaction (revoking it). */
    async lockInvitation(id: string, tx: Executor) {
      const [row] = await tx
        .select()
        .from(memberInvitations)
        .where(eq(memberInvitations.id, id))
        .for('update');
      return row;
    },

    /** Revokes the invitation if nobody used or revoked it yet: false otherwise. */
    async revokeInvitation(id: string, by: string | null, at: Date, tx: Executor): Promise<boolean> {
      const rows = await tx
        .update(memberInvitations)
        .set({ revokedAt: at, revokedBy: by })
        .where(
          and(
            eq(memberInvitations.id, id),
            isNull(memberInvitations.usedAt),
            isNull(memberInvitations.revokedAt),
          ),
        )
        .returning({ id: memberInvitations.id });
      return rows.length === 1;
    },

    /** The share rules set on these units (those without any are absent). */
    async shareRules(unitIds: string[], tx: Executor = db) {
      if (unitIds.length === 0) return [];
      return tx.select().from(unitShareRules).where(inArray(unitShareRules.unitId, unitIds));
    },
  };
}

export type MemberAdminRepo = ReturnType<typeof createMemberAdminRepo>;
