// All SQL on post_templates (custom templates; built-ins are files).
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { postTemplates } from '../db/schema.ts';

export type TemplateRow = typeof postTemplates.$inferSelect;

export function createTemplatesRepo(db: Executor) {
  return {
    async findById(id: string, tx: Executor = db): Promise<TemplateRow | undefined> {
      const [row] = await tx
        .select()
        .from(postTemplates)
        .where(and(eq(postTemplates.id, id), isNull(postTemplates.archivedAt)));
      return row;
    },
    async listActive(tx: Executor = db): Promise<TemplateRow[]> {
      return tx.select().from(postTemplates).where(isNull(postTemplates.archivedAt)).orderBy(asc(postTemplates.name));
    },
    async insert(
      values: { id: string; name: string; description: string; source: string; createdBy: string | null },
      tx: Executor = db,
    ): Promise<TemplateRow> {
      const [row] = await tx.insert(postTemplates).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
  };
}

export type TemplatesRepo = ReturnType<typeof createTemplatesRepo>;
