// Query strings and forms of the connect-through-login pages.
import { z } from 'zod';
import { PLATFORMS } from '../db/schema.ts';

export const connectPlatformSchema = z.enum(PLATFORMS);

/** `?channel=` names the channel to reconnect. */
export const connectStartSchema = z.object({ channel: z.uuid().optional() });

/** What the platform's redirect carries; anything else it adds is ignored. */
export const connectCallbackSchema = z.object({
  state: z.string().max(200).optional(),
  code: z.string().max(2000).optional(),
  error: z.string().max(200).optional(),
  oa_id: z
    .string()
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/)
    .optional(),
});

export const connectChoiceKeySchema = z.string().regex(/^[A-Za-z0-9_-]{20,100}$/, 'is not a valid link');

const externalId = z
  .string()
  .max(100)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be a Page or OA id');
const asList = (value: unknown) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

const unitIdSchema = z.uuid();

/**
 * The choice form: `pick` (the ticked accounts' ids) and `unit_<id>` (each one's unit, blank for
 * none), read into `[{externalId, unitId}]`.
 */
export const connectPicksSchema = z
  .looseObject({ pick: z.preprocess(asList, z.array(externalId).max(200)) })
  .transform((body, ctx) =>
    [...new Set(body.pick)].map((id) => {
      const raw = body[`unit_${id}`];
      if (raw === undefined || raw === '') return { externalId: id, unitId: null };
      const unit = unitIdSchema.safeParse(raw);
      if (!unit.success) ctx.addIssue({ code: 'custom', path: [`unit_${id}`], message: 'must be a unit' });
      return { externalId: id, unitId: unit.success ? unit.data : null };
    }),
  );
