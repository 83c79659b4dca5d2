// zod schemas for the templates API: what a client sends to save or render a template, and
// what it gets back.
import { z } from 'zod';
import { CARD_SIZE_NAMES } from '../rendering/index.ts';
import { templateVariableSchema, UNIT_SOURCES, VARIABLE_TYPES } from './template-format.ts';

/** A built-in id (kebab-case file name) or a custom template's uuid. */
export const templateIdSchema = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'is not a template id');

export const cardSizeSchema = z.enum(CARD_SIZE_NAMES);

export const DEFAULT_CARD_LAYOUT = 'canh-bao';

export const createTemplateSchema = z.strictObject({
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().max(500).optional(),
  /** The post text, Handlebars. */
  body: z.string().min(1).max(10_000),
  /** Handlebars for the Zalo article title; default: the first line of the text. */
  title: z.string().trim().min(1).max(300).optional(),
  card: z
    .strictObject({
      layout: z.string().min(1).max(64).default(DEFAULT_CARD_LAYOUT),
      headline: z.string().trim().min(1).max(300),
      body: z.string().max(600).default(''),
    })
    .nullable()
    .optional(),
  variables: z.array(templateVariableSchema).min(1).max(40),
  hashtags: z.array(z.string()).max(10).optional(),
  captions: z.array(z.string()).max(5).optional(),
});
export type CreateTemplateInput = z.infer<typeof createTemplateSchema>;

/** An edit of a custom template: the fields that change; the rest is kept from the current version. */
export const updateTemplateSchema = z
  .strictObject({
    /** The version the editor opened; a newer one → 409, so no one overwrites an edit unseen. */
    version: z.int().min(1).optional(),
    name: createTemplateSchema.shape.name.optional(),
    description: createTemplateSchema.shape.description,
    body: createTemplateSchema.shape.body.optional(),
    title: createTemplateSchema.shape.title.unwrap().nullable().optional(),
    card: createTemplateSchema.shape.card,
    variables: createTemplateSchema.shape.variables.optional(),
    hashtags: createTemplateSchema.shape.hashtags,
    captions: createTemplateSchema.shape.captions,
  })
  .refine((input) => Object.keys(input).some((key) => key !== 'version'), {
    message: 'give at least one field to change',
  });
export type UpdateTemplateInput = z.infer<typeof updateTemplateSchema>;

export const copyTemplateSchema = z
  .strictObject({ name: createTemplateSchema.shape.name.optional() })
  .default({});
export type CopyTemplateInput = z.infer<typeof copyTemplateSchema>;

export const listTemplatesQuerySchema = z.object({
  /** `true`: archived custom templates too (they are hidden by default, as in the composer). */
  archived: z.enum(['true', 'false']).default('false'),
});

export const getTemplateQuerySchema = z.object({
  /** A past version of a custom template (the one an old post was written from). */
  version: z.coerce.number().int().min(1).optional(),
});

export const renderTemplateSchema = z.strictObject({
  // Values are checked per variable by the template itself (names every missing or wrong one).
  variables: z.record(z.string(), z.union([z.string(), z.number()])).default({}),
  withCard: z.boolean().default(true),
  size: cardSizeSchema.default('feed'),
  backgroundMediaId: z.uuid().optional(),
  /** Whose profile fills the variables declaring `from` (default: the caller's unit). */
  unitId: z.uuid().optional(),
});
export type RenderTemplateInput = z.infer<typeof renderTemplateSchema>;

const variableResponse = z.object({
  name: z.string(),
  label: z.string(),
  type: z.enum(VARIABLE_TYPES),
  required: z.boolean(),
  default: z.string().nullable(),
  help: z.string().nullable(),
  maxLength: z.number().nullable(),
  from: z.enum(UNIT_SOURCES).nullable(),
});

export const templateResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  builtIn: z.boolean(),
  /** A custom template's version (each edit adds one); null for a built-in. */
  version: z.number().nullable(),
  archivedAt: z.string().nullable(),
  cardLayout: z.string().nullable(),
  variables: z.array(variableResponse),
  body: z.string(),
  title: z.string().nullable(),
  card: z.object({ layout: z.string(), headline: z.string(), body: z.string() }).nullable(),
  hashtags: z.array(z.string()),
  captions: z.array(z.string()),
});

const problem = z.object({ path: z.string(), message: z.string() });

export const renderResponseSchema = z.object({
  title: z.string(),
  text: z.string(),
  hashtags: z.array(z.string()),
  captions: z.array(z.string()),
  card: z
    .object({
      url: z.string(),
      width: z.number(),
      height: z.number(),
      altText: z.string(),
      layout: z.string(),
      size: z.string(),
    })
    .nullable(),
  platformProblems: z.object({ facebook: z.array(problem), zalo: z.array(problem) }),
});
