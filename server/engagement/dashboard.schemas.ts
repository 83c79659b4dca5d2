// Query strings of the dashboard pages (the API's own schemas are in engagement.schemas.ts).
import { z } from 'zod';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

/** Both dates or neither (then the last 30 days); checked further by the API's range schema. */
export const overviewPageQuerySchema = z.object({
  from: day.optional().or(z.literal('').transform(() => undefined)),
  to: day.optional().or(z.literal('').transform(() => undefined)),
});

export const reportPageQuerySchema = z.object({
  unitId: z
    .uuid()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month as YYYY-MM')
    .optional()
    .or(z.literal('').transform(() => undefined)),
});
