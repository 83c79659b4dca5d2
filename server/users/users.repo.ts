// All SQL on users and units.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { channels, posts, units, users, type UnitProfile, type UserRole } from '../db/schema.ts';

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
    async insert(
      values: { name: string; parentId: string | null; profile?: UnitProfile },
      tx: Executor = db,
    ): Promise<UnitRow> {
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
    async findMany(ids: string[], tx: Executor = db): Promise<UnitRow[]> {
      if (ids.length === 0) return [];
      return tx.select().from(units).where(inArray(units.id, ids));
    },
    async lockById(id: string, tx: Executor): Promise<UnitRow | undefined> {
      const [row] = await tx.select().from(units).where(eq(units.id, id)).for('update');
      return row;
    },
    async update(
      id: string,
      values: Partial<Pick<UnitRow, 'name' | 'parentId' | 'profile' | 'logoMediaId'>>,
      tx: Executor = db,
    ): Promise<UnitRow | undefined> {
      const [row] = await tx.update(units).set(values).where(eq(units.id, id)).returning();
      return row;
    },
    async remove(id: string, tx: Executor = db): Promise<void> {
      await tx.delete(units).where(eq(units.id, id));
    },
    async children(parentId: string, tx: Executor = db): Promise<UnitRow[]> {
      return tx.select().from(units).where(eq(units.parentId, parentId)).orderBy(asc(units.name));
    },
    /** What keeps a unit from being deleted: its people, channels, posts and child units. */
    async dependents(
      id: string,
      tx: Executor = db,
    ): Promise<{ users: number; channels: number; posts: number; units: number }> {
      // One statement: a transaction's client runs one query at a time.
      const result = await tx.execute<{ users: number; channels: number; posts: number; units: number }>(sql`
        SELECT
          (SELECT count(*)::int FROM ${users} WHERE unit_id = ${id}) AS users,
          (SELECT count(*)::int FROM ${channels} WHERE unit_id = ${id} AND deleted_at IS NULL) AS channels,
          (SELECT count(*)::int FROM ${posts} WHERE unit_id = ${id}) AS posts,
          (SELECT count(*)::int FROM ${units} WHERE parent_id = ${id}) AS units`);
      const row = result.rows[0];
      return {
        users: row?.users ?? 0,
        channels: row?.channels ?? 0,
        posts: row?.posts ?? 0,
        units: row?.units ?? 0,
      };
    },
    /** The unit and every unit above it, nearest first. */
    async ancestry(id: string, tx: Executor = db): Promise<UnitRow[]> {
      // No depth limit on the tree itself; the bound only stops a corrupt cycle from looping.
      const result = await tx.execute<{ id: string }>(sql`
        WITH RECURSIVE chain AS (
          SELECT u.id, u.parent_id, 0 AS depth FROM ${units} u WHERE u.id = ${id}
          UNION ALL
          SELECT p.id, p.parent_id, c.depth + 1 FROM ${units} p JOIN chain c ON p.id = c.parent_id
          WHERE c.depth < 1000
        ) SELECT id FROM chain ORDER BY depth`);
      const ids = result.rows.map((r) => r.id);
      if (ids.length === 0) return [];
      const found = await tx.select().from(units).where(inArray(units.id, ids));
      const rows = new Map(found.map((r) => [r.id, r]));
      return ids.map((i) => rows.get(i)).filter((r): r is UnitRow => r !== undefined);
    },
  };
}

export type UsersRepo = ReturnType<typeof createUsersRepo>;
export type UnitsRepo = ReturnType<typeof createUnitsRepo>;
