import { z } from 'zod';
import { POST_STATUSES, PUBLICATION_STATUSES } from '../db/schema.ts';

export { POST_STATUSES };

const id = z.uuid({ message: 'must be a valid id' });
/** ISO 8601 with an offset (API.md): `2026-12-01T08:00:00+07:00`. */
const instant = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO 8601 time with an offset, e.g. 2026-12-01T08:00:00+07:00',
  })
  .transform((value) => new Date(value));
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2000);
const variables = z.record(z.string().max(64), z.string().max(5000));

const recurrenceSchema = z.strictObject({
  rule: z.string().trim().min(1).max(500),
  until: instant,
});

/** The warning's title (Zalo article title, public page heading); empty: derived. */
const title = z
  .string()
  .max(500)
  .transform((value) => value.normalize('NFC').replace(/\s+/g, ' ').trim());

const postFields = {
  templateId: z.string().trim().min(1).max(100).optional(),
  title: title.optional(),
  variables: variables.optional(),
  // A bound against abuse only: each platform's own limit is checked per channel (post-checks.ts).
  text: z.string().max(100_000).optional(),
  link: httpUrl.nullish(),
  mediaIds: z.array(id).max(10).optional(),
  withCard: z.boolean().optional(),
  cardSize: z.enum(['feed', 'square', 'zalo-cover']).optional(),
  /** A library image behind the card's text. */
  backgroundMediaId: id.nullish(),
  channelIds: z.array(id).max(20),
  scheduledAt: instant,
  notAfter: instant.nullish(),
  urgent: z.boolean().optional(),
  recurrence: recurrenceSchema.nullish(),
  campaignId: id.nullish(),
  unitIds: z.array(id).max(200).optional(),
};

export const createPostSchema = z.strictObject(postFields).superRefine((input, ctx) => {
  const hasTemplate = input.templateId !== undefined;
  const hasText = input.text !== undefined && input.text.trim() !== '';
  if (hasTemplate === hasText) {
    ctx.addIssue({
      code: 'custom',
      path: [hasTemplate ? 'text' : 'templateId'],
      message: 'give either a templateId (with its variables) or a text, not both',
    });
  }
  if (input.variables && !hasTemplate) {
    ctx.addIssue({ code: 'custom', path: ['variables'], message: 'variables need a templateId' });
  }
});
export type CreatePostInput = z.infer<typeof createPostSchema>;

export const updatePostSchema = z
  .strictObject({
    ...postFields,
    /** null or empty: back to the derived title. */
    title: title.nullish(),
    channelIds: postFields.channelIds.optional(),
    scheduledAt: postFields.scheduledAt.optional(),
    version: z.number().int().positive().optional(),
  })
  .refine((input) => !(input.templateId !== undefined && input.text !== undefined), {
    path: ['text'],
    message: 'give either a templateId or a text, not both',
  });
export type UpdatePostInput = z.infer<typeof updatePostSchema>;

export const approveSchema = z.strictObject({
  comment: z.string().trim().max(2000).optional(),
  /** The version the reviewer looked at: approving fails with 409 if the post changed since. */
  version: z.number().int().positive().optional(),
});
export const rejectSchema = z.strictObject({
  comment: z.string().trim().min(1, 'say what must change').max(2000),
  version: z.number().int().positive().optional(),
});
export const commentSchema = z.strictObject({ comment: z.string().trim().max(2000).optional() });

const statusList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.enum(POST_STATUSES)));

export const listPostsQuery = z.strictObject({
  status: statusList.optional(),
  from: instant.optional(),
  to: instant.optional(),
  campaignId: id.optional(),
  channelId: id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const createCampaignSchema = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(160)
      .transform((s) => s.normalize('NFC')),
    description: z
      .string()
      .trim()
      .max(2000)
      .transform((s) => s.normalize('NFC'))
      .optional(),
    startsAt: instant.nullish(),
    endsAt: instant.nullish(),
  })
  .refine((c) => !(c.startsAt && c.endsAt && c.endsAt < c.startsAt), {
    path: ['endsAt'],
    message: 'must be after startsAt',
  });
export type CreateCampaignInput = z.infer<typeof createCampaignSchema>;

export const publicationSchema = z.object({
  id: z.string(),
  channelId: z.string(),
  /** null when the channel row is gone. */
  platform: z.enum(['facebook', 'zalo']).nullable(),
  channelName: z.string().nullable(),
  status: z.enum(PUBLICATION_STATUSES),
  externalId: z.string().nullable(),
  /** The post's address on the platform, once published. */
  permalink: z.string().nullable(),
  publishedAt: z.string().nullable(),
  scheduledAt: z.string(),
  attempts: z.number(),
  lastError: z.string().nullable(),
  late: z.boolean(),
});

export const postResponseSchema = z.object({
  id: z.string(),
  status: z.enum(POST_STATUSES),
  version: z.number(),
  title: z.string(),
  customTitle: z.string().nullable(),
  text: z.string(),
  link: z.string().nullable(),
  card: z.object({ url: z.string(), width: z.number(), height: z.number(), altText: z.string() }).nullable(),
  zaloCover: z
    .object({ url: z.string(), width: z.number(), height: z.number(), altText: z.string() })
    .nullable(),
  mediaIds: z.array(z.string()),
  channelIds: z.array(z.string()),
  unitIds: z.array(z.string()),
  templateId: z.string().nullable(),
  /** The custom template's version the text was written from; null for a built-in or free text. */
  templateVersion: z.number().nullable(),
  variables: z.record(z.string(), z.string()),
  scheduledAt: z.string(),
  notAfter: z.string().nullable(),
  urgent: z.boolean(),
  recurrence: z.object({ rule: z.string(), until: z.string() }).nullable(),
  seriesId: z.string().nullable(),
  campaignId: z.string().nullable(),
  authorId: z.string(),
  approvedBy: z.string().nullable(),
  approvedAt: z.string().nullable(),
  publishedAt: z.string().nullable(),
  retractedAt: z.string().nullable(),
  retractReason: z.string().nullable(),
  supersededBy: z.string().nullable(),
  unitId: z.string().nullable(),
  /** Cascade: the higher unit's post this one was handed down from. */
  parentPostId: z.string().nullable(),
  publicUrl: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  publications: z.array(publicationSchema).optional(),
  /** Cascade: the draft each child unit got from this post, and where it stands. */
  cascade: z
    .array(z.object({ unitId: z.string(), postId: z.string(), status: z.enum(POST_STATUSES) }))
    .optional(),
  /** Per channel, the removal of a retracted post (server/retraction). */
  retractions: z.array(z.record(z.string(), z.unknown())).optional(),
  history: z
    .array(
      z.object({
        at: z.string(),
        actor: z.string().nullable(),
        action: z.string(),
        comment: z.string().nullable(),
        version: z.number(),
      }),
    )
    .optional(),
});

export const cascadeSchema = z.strictObject({
  /** Child units to send the post to; default: every child unit that has an active channel. */
  unitIds: z.array(z.uuid()).min(1).max(2000).optional(),
});
export type CascadeInput = z.infer<typeof cascadeSchema>;

export const cascadeResponseSchema = z.object({
  items: z.array(z.object({ unitId: z.string(), postId: z.string() })),
  skipped: z.array(z.object({ unitId: z.string(), postId: z.string() })),
});
