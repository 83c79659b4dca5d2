import { z } from 'zod';
import { USER_ROLES } from '../db/schema.ts';

const nfcText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .transform((s) => s.normalize('NFC'));

export const idSchema = z.uuid({ message: 'must be a valid id' });
export const emailSchema = z
  .email({ message: 'must be a valid email address' })
  .max(254)
  .transform((s) => s.toLowerCase());
export const passwordSchema = z.string().min(10, 'must be at least 10 characters').max(200);
export const roleSchema = z.enum(USER_ROLES);

export const createUserSchema = z.strictObject({
  email: emailSchema,
  name: nfcText(120),
  password: passwordSchema,
  role: roleSchema,
  unitId: idSchema.nullish(),
});
export type CreateUserInput = z.infer<typeof createUserSchema>;

export const updateUserSchema = z.strictObject({
  name: nfcText(120).optional(),
  role: roleSchema.optional(),
  unitId: idSchema.nullish(),
  active: z.boolean().optional(),
});
export type UpdateUserInput = z.infer<typeof updateUserSchema>;

/** One profile field: trimmed NFC text; empty or null clears it. */
const profileText = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => s.normalize('NFC').replace(/\s+/g, ' ').trim())
    .nullish()
    .transform((s) => (s ? s : null));

export const UNIT_PROFILE_FIELDS = ['shortName', 'hotline', 'area', 'address', 'website'] as const;
export type UnitProfileField = (typeof UNIT_PROFILE_FIELDS)[number];

export const unitProfileSchema = z.strictObject({
  shortName: profileText(60),
  hotline: profileText(40).refine(
    (s) => s === null || (/^\+?[0-9][0-9 .\-()]*$/.test(s) && /^(?:\D*\d){3,15}\D*$/.test(s)),
    'must be a phone number (3–15 digits, e.g. 0235 3822 123)',
  ),
  area: profileText(80),
  address: profileText(200),
  website: profileText(300).refine((s) => {
    if (s === null) return true;
    try {
      const url = new URL(s);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, 'must be an http(s):// address'),
});
export type UnitProfileInput = z.infer<typeof unitProfileSchema>;

export const createUnitSchema = z.strictObject({
  name: nfcText(160),
  parentId: idSchema.nullish(),
  profile: unitProfileSchema.partial().optional(),
});
export type CreateUnitInput = z.infer<typeof createUnitSchema>;

export const updateUnitSchema = z.strictObject({
  name: nfcText(160).optional(),
  parentId: idSchema.nullish(),
  profile: unitProfileSchema.partial().optional(),
});
export type UpdateUnitInput = z.infer<typeof updateUnitSchema>;

export const unitLogoSchema = z.strictObject({ mediaId: idSchema.nullable() });

export const userResponseSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  unitId: z.string().nullable(),
  active: z.boolean(),
  createdAt: z.string(),
});

export const unitResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  profile: z.object({
    shortName: z.string().nullable(),
    hotline: z.string().nullable(),
    area: z.string().nullable(),
    address: z.string().nullable(),
    website: z.string().nullable(),
  }),
  logo: z.object({ mediaId: z.string(), url: z.string() }).nullable(),
});
