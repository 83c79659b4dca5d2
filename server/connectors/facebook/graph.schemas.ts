// The shapes of the Graph API answers the Facebook connector reads (research/platform-apis.md A3, A6, A7).
// Only the fields used are declared; anything else Graph sends is ignored.
import { z } from 'zod';

export const meSchema = z.object({ id: z.string(), name: z.string() });
export const createdPostSchema = z.object({ id: z.string(), permalink_url: z.string().optional() });
export const photoSchema = z.object({ id: z.string(), post_id: z.string().optional() });
export const permalinkSchema = z.object({ id: z.string(), permalink_url: z.string().optional() });
export const successSchema = z.object({ success: z.boolean() });
export const postListSchema = z.object({
  data: z.array(
    z.object({
      id: z.string(),
      message: z.string().optional(),
      created_time: z.string().optional(),
      permalink_url: z.string().optional(),
    }),
  ),
  paging: z
    .object({ cursors: z.object({ after: z.string().optional() }).optional(), next: z.string().optional() })
    .optional(),
});
export const countSummary = z.object({ summary: z.object({ total_count: z.number() }) });
export const engagementSchema = z.object({
  id: z.string(),
  shares: z.object({ count: z.number() }).optional(),
  reactions: countSummary.optional(),
  comments: countSummary.optional(),
});
export const insightsSchema = z.object({
  data: z.array(
    z.object({
      name: z.string(),
      values: z.array(z.object({ value: z.union([z.number(), z.record(z.string(), z.number())]) })),
    }),
  ),
});

export const engagementByIdSchema = z.record(z.string(), engagementSchema);
export const insightsByIdSchema = z.record(z.string(), insightsSchema);

export type Engagement = z.infer<typeof engagementSchema>;
