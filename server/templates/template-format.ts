// The warning-post template file format: YAML front matter between two `---` lines, then
// the Handlebars body (the post text). Parsing only checks the shape; whether the Handlebars
// is acceptable is template-engine.ts's job (validateTemplate).
import { z } from 'zod';
import { LineCounter, parseDocument } from 'yaml';

export const VARIABLE_TYPES = ['text', 'multiline', 'phone', 'date', 'url', 'number'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** Where a variable left empty takes its value from: a field of the chosen unit's profile. */
export const UNIT_SOURCES = [
  'unit.name',
  'unit.shortName',
  'unit.hotline',
  'unit.area',
  'unit.address',
  'unit.website',
] as const;
export type UnitSource = (typeof UNIT_SOURCES)[number];

/** JavaScript object internals: no variable may be called this, no template may name them. */
export const OBJECT_INTERNALS: ReadonlySet<string> = new Set([
  'constructor',
  '__proto__',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toString',
  'toLocaleString',
  'valueOf',
]);

/** Names no variable may take: object internals, Handlebars keywords and helper names. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  ...OBJECT_INTERNALS,
  'this',
  'root',
  'if',
  'unless',
  'each',
  'with',
  'lookup',
  'log',
  'helperMissing',
  'blockHelperMissing',
  'formatDate',
  'upper',
  'lower',
  'phone',
  'default',
]);

const kebabId = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be kebab-case: lowercase letters, digits and single hyphens');

const variableName = z
  .string()
  .regex(/^[a-z][a-zA-Z0-9]{0,39}$/, 'must be camelCase letters and digits, starting with a lowercase letter')
  .refine((name) => !RESERVED_NAMES.has(name), { message: 'is a reserved name' });

export const templateVariableSchema = z.strictObject({
  name: variableName,
  label: z.string().trim().min(1).max(80),
  type: z.enum(VARIABLE_TYPES),
  required: z.boolean(),
  default: z.union([z.string(), z.number()]).transform(String).optional(),
  maxLength: z.int().min(1).max(5000).optional(),
  /** A hint shown under the field in the composer. */
  help: z.string().max(300).optional(),
  /** Left empty, the variable takes this value of the post's unit (an explicit value wins). */
  from: z.enum(UNIT_SOURCES).optional(),
});
export type TemplateVariable = z.infer<typeof templateVariableSchema>;

export const templateCardSchema = z.strictObject({
  layout: kebabId,
  headline: z.string().trim().min(1).max(300),
  body: z.string().max(600),
});
export type TemplateCard = z.infer<typeof templateCardSchema>;

export const frontMatterSchema = z.strictObject({
  id: kebabId,
  name: z.string().trim().min(1).max(120),
  description: z.string().trim().min(1).max(500),
  /** Handlebars for the Zalo article title; without it the first line of the text is used. */
  title: z.string().trim().min(1).max(300).optional(),
  variables: z
    .array(templateVariableSchema)
    .min(1)
    .max(40)
    .superRefine((variables, ctx) => {
      const seen = new Set<string>();
      variables.forEach((v, index) => {
        if (seen.has(v.name))
          ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate variable "${v.name}"` });
        seen.add(v.name);
      });
    }),
  card: templateCardSchema.nullable().optional(),
  hashtags: z
    .array(z.string().regex(/^#[\p{L}\p{N}_]{1,60}$/u, 'must be # followed by letters, digits or _'))
    .max(10)
    .default([]),
  captions: z.array(z.string().trim().min(1).max(500)).max(5).default([]),
});

/** The body of a template may not be larger than this (characters); posts are short. */
export const MAX_BODY_LENGTH = 10_000;

/** A template's pieces, whatever they came from (a file or the database). */
export interface ParsedTemplate {
  id: string;
  name: string;
  description: string;
  variables: TemplateVariable[];
  title: string | null;
  card: TemplateCard | null;
  hashtags: string[];
  captions: string[];
  /** The Handlebars body: the post text template, without front matter. */
  source: string;
}

export interface TemplateProblem {
  /** Where: `front matter`, `variables.1.type`, `body`, `card.headline`, ... */
  path: string;
  message: string;
  line?: number;
}

export type ParseTemplateResult =
  { ok: true; template: ParsedTemplate } | { ok: false; origin: string; problems: TemplateProblem[] };

/** One readable line per problem, prefixed with the origin (usually the file name). */
export function describeProblems(origin: string, problems: readonly TemplateProblem[]): string {
  return problems
    .map((p) => `${origin}${p.line === undefined ? '' : `:${p.line}`}: ${p.path}: ${p.message}`)
    .join('\n');
}

const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?\n)?---[ \t]*(?:\n|$)/;

export function parseTemplateSource(source: string, origin: string): ParseTemplateResult {
  const fail = (problems: TemplateProblem[]): ParseTemplateResult => ({ ok: false, origin, problems });
  // Files may come from editors that add a BOM, use CRLF, or decompose diacritics.
  const text = source
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .normalize('NFC');
  const match = FRONT_MATTER.exec(text);
  if (!match) {
    return fail([
      {
        path: 'front matter',
        line: 1,
        message: 'the file must start with YAML front matter between two "---" lines',
      },
    ]);
  }
  const yamlText = match[1] ?? '';
  const body = text.slice(match[0].length).trim();

  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // +1: the opening `---` is line 1 of the file, the YAML starts on line 2.
  const lineAt = (offset: number | undefined): number | undefined =>
    offset === undefined ? undefined : lineCounter.linePos(offset).line + 1;
  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((error) => ({
        path: 'front matter',
        line: lineAt(error.pos[0]),
        message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`,
      })),
    );
  }
  let data: unknown;
  try {
    // A small alias budget: front matter never needs many, and it stops "billion laughs".
    data = doc.toJS({ maxAliasCount: 20 });
  } catch (error) {
    return fail([{ path: 'front matter', message: `YAML error: ${(error as Error).message}` }]);
  }
  const parsed = frontMatterSchema.safeParse(data ?? {});
  const problems: TemplateProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String);
      const node = doc.getIn(issue.path as (string | number)[], true) as
        { range?: [number, number, number] } | undefined;
      const where = path.length > 0 ? path.join('.') : 'front matter';
      problems.push({ path: where, line: lineAt(node?.range?.[0]), message: issue.message });
    }
  }
  if (body.length === 0)
    problems.push({ path: 'body', message: 'the template has no body (post text) after the front matter' });
  if (body.length > MAX_BODY_LENGTH) {
    problems.push({ path: 'body', message: `the body is longer than ${MAX_BODY_LENGTH} characters` });
  }
  if (!parsed.success || problems.length > 0) return fail(problems);

  const meta = parsed.data;
  return {
    ok: true,
    template: {
      id: meta.id,
      name: meta.name,
      description: meta.description,
      variables: meta.variables,
      title: meta.title ?? null,
      card: meta.card ?? null,
      hashtags: meta.hashtags,
      captions: meta.captions,
      source: body,
    },
  };
}
