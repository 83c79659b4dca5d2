import { z } from 'zod';
import { CHANNEL_STATUSES, PLATFORMS } from '../db/schema.ts';

const token = z.string().trim().min(8, 'is too short to be a token').max(4096);

export const channelIdSchema = z.uuid({ message: 'must be a valid id' });

export const connectChannelSchema = z.strictObject({
  platform: z.enum(PLATFORMS),
  externalId: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be the Page or OA id'),
  name: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .transform((s) => s.normalize('NFC'))
    .optional(),
  accessToken: token,
  refreshToken: token.optional(),
  /** The unit whose posts go to this channel (null: none); left as it was when not given. */
  unitId: z.uuid({ message: 'must be a valid unit id' }).nullable().optional(),
  /** Seconds until the access token expires, when the platform said (Zalo: `expires_in`). */
  expiresIn: z.coerce
    .number()
    .int()
    .positive()
    .max(10 * 365 * 86_400)
    .optional(),
});
export type ConnectChannelInput = z.infer<typeof connectChannelSchema>;

export const channelResponseSchema = z.object({
  id: z.string(),
  platform: z.enum(PLATFORMS),
  externalId: z.string(),
  name: z.string(),
  unitId: z.string().nullable(),
  status: z.enum(CHANNEL_STATUSES),
  statusReason: z.string().nullable(),
  tokenExpiresAt: z.string().nullable(),
  createdAt: z.string(),
});

export const demoPlatformSchema = z.object({ platform: z.enum(PLATFORMS) });
