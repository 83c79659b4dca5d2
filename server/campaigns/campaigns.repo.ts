// SQL on campaigns.
import { asc, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { campaigns } from '../db/schema.ts';

export type CampaignRow = typeof campaigns.$inferSelect;

export function createCampaignsRepo(db: Executor) {
  return {
    async insert(values: typeof campaigns.$inferInsert, tx: Executor = db): Promise<CampaignRow> {
      const [row] = await tx.insert(campaigns).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    list: (): Promise<CampaignRow[]> => db.select().from(campaigns).orderBy(asc(campaigns.name)),
    async findById(id: string): Promise<CampaignRow | undefined> {
      const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
      return row;
    },
    /** Which of these ids are campaigns. */
    async existingIds(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db
        .select({ id: campaigns.id })
        .from(campaigns)
        .where(inArray(campaigns.id, [...ids]));
      return rows.map((row) => row.id);
    },
  };
}

export type CampaignsRepo = ReturnType<typeof createCampaignsRepo>;
