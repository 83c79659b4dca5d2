// zod schemas for the members' API, forms and query strings.
import { z } from 'zod';
import { MEMBER_DIGESTS, SHARE_PLATFORMS } from '../db/schema.ts';
import { emailSchema, passwordSchema } from '../users/users.schemas.ts';
import { INVITATION_MAX_DAYS } from './members.service.ts';

export const acceptConsentSchema = z.strictObject({
  accepted: z.literal(true, { message: 'must be true: consent is given by accepting the text' }),
  version: z.int().min(1),
});

export const consentResponseSchema = z.object({
  required: z.boolean(),
  version: z.number(),
  text: z.string(),
  acceptedAt: z.string().nullable(),
});

export const invitationSchema = z.strictObject({
  unitId: z.uuid({ message: 'must be a valid id' }),
  role: z.literal('member').default('member'),
  expiresInDays: z.int().min(1).max(INVITATION_MAX_DAYS).optional(),
});

export const invitationResponseSchema = z.object({ id: z.string(), url: z.string(), expiresAt: z.string() });

const nfcName = z
  .string()
  .trim()
  .min(1, 'write your name')
  .max(120)
  .transform((s) => s.normalize('NFC'));

/** The form a person fills in on /join/:token. */
export const joinFormSchema = z.object({
  name: nfcName,
  email: emailSchema,
  password: passwordSchema,
});

export const memberSettingsSchema = z.strictObject({
  name: nfcName.optional(),
  language: z.enum(['vi', 'en']).optional(),
  digest: z.enum(MEMBER_DIGESTS).optional(),
  listedInStats: z.boolean().optional(),
});

export const settingsFormSchema = z.object({
  digest: z.enum(MEMBER_DIGESTS),
  listedInStats: z.literal('on').optional(),
});

export const pushSubscriptionSchema = z.object({
  endpoint: z.url({ protocol: /^https?$/, message: 'must be the push service URL' }).max(2000),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: z.string().min(16).max(200),
    auth: z.string().min(8).max(100),
  }),
});

export const sharePlatformSchema = z.enum(SHARE_PLATFORMS);

export const shareIntentSchema = z.strictObject({ platform: sharePlatformSchema });

export const shareRulesSchema = z.strictObject({
  dailyCap: z.int().min(1).max(1000).nullable(),
  hoursFrom: z.int().min(0).max(23).nullable(),
  hoursTo: z.int().min(1).max(24).nullable(),
});

export const feedQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(100).optional(),
});

export const statsQuerySchema = z.object({
  unitId: z.uuid().optional(),
  from: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
  to: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .optional(),
});

export const shareDoneQuerySchema = z.object({
  error_code: z.string().max(20).optional(),
  error_message: z.string().max(500).optional(),
});

export const feedItemSchema = z.object({
  postId: z.string(),
  title: z.string(),
  text: z.string(),
  card: z.object({ url: z.string(), width: z.number(), height: z.number(), altText: z.string() }).nullable(),
  publicUrl: z.string(),
  suggestedCaptions: z.array(z.string()),
  publishedAt: z.string(),
  urgent: z.boolean(),
  shared: z.array(z.object({ platform: sharePlatformSchema, at: z.string() })),
  shareLinks: z.array(z.object({ platform: sharePlatformSchema, url: z.string() })),
  supersededBy: z.object({ postId: z.string(), publicUrl: z.string().nullable() }).nullable(),
});

export const shareItemSchema = z.object({
  shareId: z.string(),
  postId: z.string(),
  title: z.string(),
  platform: sharePlatformSchema,
  status: z.enum(['opened', 'shared', 'cancelled']),
  openedAt: z.string(),
  completedAt: z.string().nullable(),
  link: z.string().nullable(),
  clicks: z.number(),
  uniqueVisitors: z.number(),
  source: z.literal('loa'),
});
