// Zod schemas of the engagement API and of the webhook bodies Loa reads (after the signature check).
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const rangeQuerySchema = z
  .object({ from: day, to: day })
  .refine((range) => range.from <= range.to, { message: 'from must not be after to', path: ['from'] })
  .refine((range) => (Date.parse(range.to) - Date.parse(range.from)) / 86_400_000 <= 731, {
    message: 'at most two years at a time',
    path: ['to'],
  });

export const facebookVerifyQuerySchema = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().max(200).optional(),
});

export const facebookWebhookSchema = z.object({
  object: z.string(),
  entry: z.array(
    z
      .object({
        id: z.string().optional(),
        changes: z
          .array(
            z
              .object({
                field: z.string(),
                value: z.object({ post_id: z.string().optional(), item: z.string().optional() }).loose(),
              })
              .loose(),
          )
          .optional(),
      })
      .loose(),
  ),
});

export const zaloWebhookSchema = z
  .object({
    app_id: z.string().optional(),
    event_name: z.string(),
    timestamp: z.coerce.string(),
    oa_id: z.string().optional(),
    recipient: z.object({ id: z.string() }).loose().optional(),
  })
  .loose();

const source = z.enum(['platform', 'loa', 'estimate']);

/** Every figure says where it comes from and when it was fetched; null: not provided. */
export const figureSchema = z.object({
  value: z.number().nullable(),
  source,
  fetchedAt: z.string().nullable(),
  /** Why the value is null, when it is: the platform has no such figure, or refused the metric. */
  unavailable: z.enum(['not_provided', 'refused', 'not_collected']).optional(),
});

const figureSet = {
  impressions: figureSchema,
  reactions: figureSchema,
  comments: figureSchema,
  shares: figureSchema,
  clicks: figureSchema,
};

/** A post's members' shares: Loa's counts; the platform figures of a share are never provided. */
const memberSharesSchema = z.object({
  count: figureSchema,
  clicks: figureSchema,
  uniqueVisitors: figureSchema,
  botClicks: figureSchema,
  firstShareAt: z.string().nullable(),
  /** Minutes from the post's first publication to its first member share. */
  firstShareMinutes: z.number().nullable(),
  byUnit: z.array(
    z.object({
      unitId: z.string().nullable(),
      name: z.string().nullable(),
      shares: figureSchema,
      clicks: figureSchema,
      uniqueVisitors: figureSchema,
    }),
  ),
  items: z.array(
    z.object({
      shareId: z.string(),
      platform: z.enum(['facebook', 'zalo', 'other']),
      unitId: z.string().nullable(),
      unitName: z.string().nullable(),
      sharedAt: z.string(),
      /** When the collector last snapshotted this share (null: not yet). */
      fetchedAt: z.string().nullable(),
      clicks: figureSchema,
      uniqueVisitors: figureSchema,
      impressions: figureSchema,
      reactions: figureSchema,
      comments: figureSchema,
      shares: figureSchema,
    }),
  ),
});

export const postStatsSchema = z.object({
  totals: z.object({ ...figureSet, memberShares: figureSchema, memberClicks: figureSchema }),
  byChannel: z.array(
    z.object({
      channelId: z.string(),
      platform: z.enum(['facebook', 'zalo']),
      name: z.string(),
      ...figureSet,
      platformClicks: figureSchema,
      followers: figureSchema.optional(),
      fetchedAt: z.string().nullable(),
    }),
  ),
  memberShares: memberSharesSchema,
  series: z.array(
    z.object({
      at: z.string(),
      channelId: z.string(),
      impressions: z.number().nullable(),
      reactions: z.number().nullable(),
      comments: z.number().nullable(),
      shares: z.number().nullable(),
      clicks: z.number().nullable(),
    }),
  ),
});

const changeSchema = z.object({
  value: z.number(),
  previous: z.number(),
  /** Percent change against the previous period of the same length; null when it had nothing. */
  changePercent: z.number().nullable(),
  source,
  fetchedAt: z.string().nullable(),
});

const overviewFigures = {
  impressions: changeSchema,
  reactions: changeSchema,
  comments: changeSchema,
  shares: changeSchema,
  clicks: changeSchema,
  /** Shares recorded by members, and the people's clicks on their tracked links (source loa). */
  memberShares: changeSchema,
  memberClicks: changeSchema,
};

const groupFigures = {
  impressions: figureSchema,
  reactions: figureSchema,
  comments: figureSchema,
  shares: figureSchema,
  clicks: figureSchema,
};

export const overviewSchema = z.object({
  from: z.string(),
  to: z.string(),
  previous: z.object({ from: z.string(), to: z.string() }),
  totals: z.object(overviewFigures),
  byChannel: z.array(
    z.object({
      channelId: z.string(),
      name: z.string(),
      platform: z.enum(['facebook', 'zalo']),
      ...groupFigures,
    }),
  ),
  byCampaign: z.array(
    z.object({ campaignId: z.string().nullable(), name: z.string().nullable(), ...groupFigures }),
  ),
  byDay: z.array(
    z.object({ day: z.string(), ...groupFigures, memberShares: figureSchema, memberClicks: figureSchema }),
  ),
  byUnit: z.array(
    z.object({
      unitId: z.string().nullable(),
      name: z.string().nullable(),
      memberShares: figureSchema,
      memberClicks: figureSchema,
      memberUniqueVisitors: figureSchema,
    }),
  ),
});

export const refreshResultSchema = z.object({ publications: z.number(), memberShares: z.number() });
export const webhookResultSchema = z.object({ received: z.boolean(), replay: z.boolean() });
