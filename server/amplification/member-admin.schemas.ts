// zod schemas of the members area (admins and unit reviewers): API bodies, queries and responses,
// and the HTML forms and query strings of its pages.
import { z } from 'zod';
import { emailSchema, passwordSchema } from '../users/users.schemas.ts';
import { INVITATION_STATUSES } from '../db/schema.ts';

export { INVITATION_STATUSES };
import { INVITATION_MAX_DAYS } from './members.service.ts';

/** A form's empty choice ("every unit", "any status") reads as no value. */
const blankToUndefined = (value: unknown) => (value === '' ? undefined : value);
/** A form's empty number field reads as null (no limit). */
const blankToNull = (value: unknown) => (value === '' || value === undefined ? null : value);

const optionalUnitId = z.preprocess(blankToUndefined, z.uuid({ message: 'must be a valid id' }).optional());
const search = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .max(100)
    .transform((s) => s.normalize('NFC'))
    .optional(),
);
const cursor = z.preprocess(blankToUndefined, z.string().max(200).optional());

export const directoryQuerySchema = z.object({
  unitId: optionalUnitId,
  q: search,
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor,
});

export const invitationsQuerySchema = z.object({
  unitId: optionalUnitId,
  status: z.preprocess(blankToUndefined, z.enum(INVITATION_STATUSES).optional()),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor,
});

const memberName = z
  .string()
  .trim()
  .min(1, 'write the member’s name')
  .max(120)
  .transform((s) => s.normalize('NFC'));

export const createMemberSchema = z.strictObject({
  name: memberName,
  email: emailSchema,
  password: passwordSchema,
  unitId: z.uuid({ message: 'choose a unit' }),
});

/** The invitation form: the unit and how many days the link stays valid. */
export const invitationFormSchema = z.object({
  unitId: z.uuid({ message: 'choose a unit' }),
  expiresInDays: z.coerce.number().int().min(1).max(INVITATION_MAX_DAYS),
});

/** The share rules form: empty fields mean no limit. */
export const shareRulesFormSchema = z.object({
  unitId: z.uuid({ message: 'choose a unit' }),
  dailyCap: z.preprocess(blankToNull, z.coerce.number().int().min(1).max(1000).nullable()),
  hoursFrom: z.preprocess(blankToNull, z.coerce.number().int().min(0).max(23).nullable()),
  hoursTo: z.preprocess(blankToNull, z.coerce.number().int().min(1).max(24).nullable()),
});

export const participationQuerySchema = z.object({
  unitId: optionalUnitId,
  days: z.preprocess(blankToUndefined, z.enum(['7', '30', '90', 'all']).default('30')),
});

const unitRef = z.object({ id: z.string().nullable(), name: z.string().nullable() });

export const directoryResponseSchema = z.object({
  unit: z.object({ id: z.string(), name: z.string() }).nullable(),
  items: z.array(
    z.object({
      userId: z.string(),
      name: z.string().nullable(),
      listed: z.boolean(),
      unit: unitRef,
      consent: z.object({
        state: z.enum(['current', 'outdated', 'withdrawn', 'pending']),
        version: z.number().nullable(),
        acceptedAt: z.string().nullable(),
      }),
      joinedAt: z.string(),
      shares: z.number().nullable(),
      clicks: z.number().nullable(),
      reach: z.number().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
  counts: z.object({
    members: z.number(),
    consentCurrent: z.number(),
    consentOutdated: z.number(),
    withdrawn: z.number(),
    pending: z.number(),
  }),
  anonymous: z.object({ members: z.number(), shares: z.number(), clicks: z.number(), reach: z.number() }),
  consentVersion: z.number(),
  source: z.literal('loa'),
  fetchedAt: z.string(),
});

export const invitationItemSchema = z.object({
  id: z.string(),
  unit: z.object({ id: z.string(), name: z.string() }),
  status: z.enum(INVITATION_STATUSES),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const rulesValues = {
  dailyCap: z.number().nullable(),
  hoursFrom: z.number().nullable(),
  hoursTo: z.number().nullable(),
};

export const shareRulesResponseSchema = z.object({
  unitId: z.string(),
  name: z.string(),
  rules: z.object(rulesValues).nullable(),
  effective: z.object({ ...rulesValues, unit: z.object({ id: z.string(), name: z.string() }) }).nullable(),
  updatedAt: z.string().nullable(),
});
