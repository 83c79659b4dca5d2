// Inputs and outputs of the retraction API (API.md: Posts: retract, retract-request, supersede).
import { z } from 'zod';
import { RETRACTION_STATUSES } from '../db/schema.ts';
import { postResponseSchema } from '../posts/posts.schemas.ts';

const reason = z.string().trim().min(1, 'say why').max(2000);

export const retractSchema = z.strictObject({
  reason,
  /** Cascade: also retract (or, not out yet, cancel) every child post handed down from this one. */
  withChildren: z.boolean().optional(),
});
export const retractRequestSchema = z.strictObject({ reason });
export const supersedeSchema = z.strictObject({
  byPostId: z.uuid({ message: 'must be a valid id' }),
  reason: z.string().trim().max(2000).optional(),
});

export const retractionStateSchema = z.object({
  publicationId: z.string(),
  channelId: z.string().nullable(),
  channelName: z.string().nullable(),
  platform: z.enum(['facebook', 'zalo']).nullable(),
  externalId: z.string().nullable(),
  status: z.enum(RETRACTION_STATUSES),
  attempts: z.number(),
  lastError: z.string().nullable(),
  lastErrorKind: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  requestedAt: z.string(),
  retractedAt: z.string().nullable(),
});

export const retractedPostSchema = postResponseSchema.extend({
  retractedAt: z.string().nullable(),
  retractReason: z.string().nullable(),
  supersededBy: z.string().nullable(),
  retractions: z.array(retractionStateSchema),
});
