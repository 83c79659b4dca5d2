// All SQL on post_templates and post_template_versions (custom templates; built-ins are files).
import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { postTemplates, postTemplateVersions } from '../db/schema.ts';

export type TemplateRow = typeof postTemplates.$inferSelect;
export type TemplateVersionRow = typeof postTemplateVersions.$inferSelect;

export function createTemplatesRepo(db: Executor) {
  return {
    /** The template, archived or not: old posts still refer to archived ones. */
    async findById(id: string, tx: Executor = db): Promise<TemplateRow | undefined> {
      const [row] = await tx.select().from(postTemplates).where(eq(postTemplates.id, id));
      return row;
    },
    /** Locks the row for the rest of the transaction: edits of one template run one at a time. */
    async lockById(id: string, tx: Executor): Promise<TemplateRow | undefined> {
      const [row] = await tx.select().from(postTemplates).where(eq(postTemplates.id, id)).for('update');
      return row;
    },
    async findVersion(
      id: string,
      version: number,
      tx: Executor = db,
    ): Promise<TemplateVersionRow | undefined> {
      const [row] = await tx
        .select()
        .from(postTemplateVersions)
        .where(and(eq(postTemplateVersions.templateId, id), eq(postTemplateVersions.version, version)));
      return row;
    },
    async list(options: { includeArchived: boolean }, tx: Executor = db): Promise<TemplateRow[]> {
      return tx
        .select()
        .from(postTemplates)
        .where(options.includeArchived ? undefined : isNull(postTemplates.archivedAt))
        .orderBy(asc(postTemplates.name));
    },
    async nameTaken(name: string, tx: Executor = db): Promise<boolean> {
      const [row] = await tx
        .select({ id: postTemplates.id })
        .from(postTemplates)
        .where(and(eq(postTemplates.name, name), isNull(postTemplates.archivedAt)));
      return row !== undefined;
    },
    async insert(
      values: { id: string; name: string; description: string; source: string; createdBy: string | null },
      tx: Executor = db,
    ): Promise<TemplateRow> {
      const [row] = await tx.insert(postTemplates).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async insertVersion(
      values: { templateId: string; version: number; name: string; source: string; createdBy: string | null },
      tx: Executor = db,
    ): Promise<TemplateVersionRow> {
      const [row] = await tx.insert(postTemplateVersions).values(values).returning();
      if (!row) throw new Error('insert returned no row');
      return row;
    },
    async update(
      id: string,
      values: Partial<Pick<TemplateRow, 'name' | 'description' | 'source' | 'version' | 'archivedAt'>>,
      tx: Executor = db,
    ): Promise<TemplateRow> {
      const [row] = await tx
        .update(postTemplates)
        .set({ ...values, updatedAt: new Date() })
        .where(eq(postTemplates.id, id))
        .returning();
      if (!row) throw new Error(`template ${id} vanished`);
      return row;
    },
  };
}

export type TemplatesRepo = ReturnType<typeof createTemplatesRepo>;
