// Campaigns group posts ("Tháng cao điểm phòng chống lừa đảo qua mạng").
import { asc, eq } from 'drizzle-orm';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { campaigns } from '../db/schema.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { CreateCampaignInput } from '../posts/posts.schemas.ts';

export type CampaignRow = typeof campaigns.$inferSelect;

export function presentCampaign(row: CampaignRow) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    startsAt: row.startsAt?.toISOString() ?? null,
    endsAt: row.endsAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

export function createCampaignsService(deps: { db: Database; audit: AuditRecorder }) {
  const { db, audit } = deps;
  return {
    async create(actor: Actor, input: CreateCampaignInput): Promise<CampaignRow> {
      if (actor.role !== 'editor' && actor.role !== 'admin')
        throw new ForbiddenError('Only editors and admins create campaigns');
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(campaigns)
          .values({
            name: input.name,
            description: input.description ?? '',
            startsAt: input.startsAt ?? null,
            endsAt: input.endsAt ?? null,
            createdBy: actor.id,
          })
          .returning();
        if (!row) throw new Error('insert returned no row');
        await audit(
          {
            ...actorAudit(actor),
            action: 'campaign.created',
            targetType: 'campaign',
            targetId: row.id,
            details: { name: row.name },
          },
          tx,
        );
        return row;
      });
    },
    list: (): Promise<CampaignRow[]> => db.select().from(campaigns).orderBy(asc(campaigns.name)),
    async get(id: string): Promise<CampaignRow> {
      const [row] = await db.select().from(campaigns).where(eq(campaigns.id, id));
      if (!row) throw new NotFoundError('Campaign');
      return row;
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;
