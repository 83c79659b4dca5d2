// Campaigns group posts ("Tháng cao điểm phòng chống lừa đảo qua mạng").
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { CreateCampaignInput } from '../posts/posts.schemas.ts';
import { createCampaignsRepo, type CampaignRow } from './campaigns.repo.ts';

export type { CampaignRow } from './campaigns.repo.ts';

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
  const repo = createCampaignsRepo(db);
  return {
    async create(actor: Actor, input: CreateCampaignInput): Promise<CampaignRow> {
      if (actor.role !== 'editor' && actor.role !== 'admin')
        throw new ForbiddenError('Only editors and admins create campaigns');
      return db.transaction(async (tx) => {
        const row = await repo.insert(
          {
            name: input.name,
            description: input.description ?? '',
            startsAt: input.startsAt ?? null,
            endsAt: input.endsAt ?? null,
            createdBy: actor.id,
          },
          tx,
        );
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
    list: (): Promise<CampaignRow[]> => repo.list(),
    /** Which of these ids are campaigns (the posts module checks its references with it). */
    existingIds: (ids: readonly string[]): Promise<string[]> => repo.existingIds(ids),
    async get(id: string): Promise<CampaignRow> {
      const row = await repo.findById(id);
      if (!row) throw new NotFoundError('Campaign');
      return row;
    },
  };
}

export type CampaignsService = ReturnType<typeof createCampaignsService>;
