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

export const createUnitSchema = z.strictObject({
  name: nfcText(160),
  parentId: idSchema.nullish(),
});
export type CreateUnitInput = z.infer<typeof createUnitSchema>;

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
});
