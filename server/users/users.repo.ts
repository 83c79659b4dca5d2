// All SQL on users and units.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { units, users, type UserRole } from '../db/schema.ts';

export type UserRow = typeof users.$inferSelect;
export type UnitRow = typeof units.$inferSelect;

export function createUsersRepo(db: Executor) {
  return {
    async findById(id: string, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx.select().from(users).where(eq(users.id, id));
      return row;
    },
    async findByEmail(email: string, tx: Executor = db): Promise<UserRow | undefined> {
      const [row] = await tx
        .select()
        .from(users)
        .where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
      return row;
    },
    async insert(
      values: { email: string; name: string; role: UserRole; unitId: string | null; passwordHash: string },
      tx: Executor = db,
    ): Promise<UserRow> {
      const [row] = await tx.insert(users).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async update(
      id: string,
      values: Partial<Pick<UserRow, 'name' | 'role' | 'unitId' | 'active' | 'passwordHash' | 'language'>>,
      tx: Executor = db,
    ): Promise<UserRow | undefined> {
      const [row] = await tx
        .update(users)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning();
      return row;
    },
    async list(options: { limit: number; after?: string }, tx: Executor = db): Promise<UserRow[]> {
      return tx
        .select()
        .from(users)
        .where(options.after ? gt(users.id, options.after) : undefined)
        .orderBy(asc(users.id))
        .limit(options.limit);
    },
    /** id → name, for showing who did what. */
    async namesByIds(ids: string[], tx: Executor = db): Promise<Map<string, string>> {
      if (ids.length === 0) return new Map();
      const rows = await tx
        .select({ id: users.id, name: users.name })
        .from(users)
        .where(inArray(users.id, ids));
      return new Map(rows.map((r) => [r.id, r.name]));
    },
    async countActiveAdmins(tx: Executor = db): Promise<number> {
      const [row] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.active, true)));
      return row?.n ?? 0;
    },
  };
}

export function createUnitsRepo(db: Executor) {
  return {
    async findById(id: string, tx: Executor = db): Promise<UnitRow | undefined> {
      const [row] = await tx.select().from(units).where(eq(units.id, id));
      return row;
    },
    async insert(values: { name: string; parentId: string | null }, tx: Executor = db): Promise<UnitRow> {
      const [row] = await tx.insert(units).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async list(options: { limit: number; after?: string }, tx: Executor = db): Promise<UnitRow[]> {
      return tx
        .select()
        .from(units)
        .where(options.after ? gt(units.id, options.after) : undefined)
        .orderBy(asc(units.id))
        .limit(options.limit);
    },
    async listAll(tx: Executor = db): Promise<UnitRow[]> {
      return tx.select().from(units).orderBy(asc(units.name));
    },
    /**
     * The unit and every unit below it, at any depth: a scoped actor's scope. UNION (not UNION
     * ALL) stops at a unit already reached, so even a malformed tree cannot loop.
     */
    async subtreeIds(id: string, tx: Executor = db): Promise<string[]> {
      const result = await tx.execute<{ id: string }>(sql`
        WITH RECURSIVE tree(id) AS (
          SELECT u.id FROM ${units} u WHERE u.id = ${id}
          UNION
          SELECT c.id FROM ${units} c JOIN tree t ON c.parent_id = t.id
        ) SELECT id FROM tree`);
      return result.rows.map((r) => r.id);
    },
    /** The unit and every unit above it, nearest first. */
    async ancestry(id: string, tx: Executor = db): Promise<UnitRow[]> {
      const result = await tx.execute<{
        id: string;
        name: string;
        parent_id: string | null;
        created_at: Date;
      }>(sql`
        WITH RECURSIVE chain AS (
          SELECT u.*, 0 AS depth FROM ${units} u WHERE u.id = ${id}
          UNION ALL
          SELECT p.*, c.depth + 1 FROM ${units} p JOIN chain c ON p.id = c.parent_id WHERE c.depth < 20
        ) SELECT id, name, parent_id, created_at FROM chain ORDER BY depth`);
      return result.rows.map((r) => ({
        id: r.id,
        name: r.name,
        parentId: r.parent_id,
        createdAt: r.created_at,
      }));
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
export type UnitsRepo = ReturnType<typeof createUnitsRepo>;
