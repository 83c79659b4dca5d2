// Templates: the built-in library (files) and custom templates (database, same format), their
// rendering into post text, and the image card that goes with a post.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { AuditRecorder } from '../audit/audit.service.ts';
import { actorAudit, type Actor } from '../auth/actor.ts';
import type { Database } from '../db/database.ts';
import { uniqueOrConflict } from '../db/pg-errors.ts';
import type { PostCard } from '../db/schema.ts';
import { NotFoundError, ValidationError, type FieldProblem } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { renderQrPng, type CardSize, type Renderer } from '../rendering/index.ts';
import { clip, platformProblems, tidyPostText, titleFromText } from './post-text.ts';
import type { TemplateProblem, TemplateVariable, UnitSource } from './template-format.ts';
import {
  checkTemplateSource,
  loadBuiltInTemplates,
  TemplateLibraryError,
  type TemplateDefinition,
} from './template-library.ts';
import { renderTemplate } from './template-render.ts';
import { formatPhone } from './template-values.ts';
import type { TemplateRow, TemplatesRepo } from './templates.repo.ts';
import { DEFAULT_CARD_LAYOUT, type CreateTemplateInput } from './templates.schemas.ts';

export { checkPlatformLimits } from './template-render.ts';
export { platformProblems } from './post-text.ts';

export interface RenderPostInput {
  templateId?: string;
  variables?: Record<string, string>;
  text?: string;
  withCard: boolean;
  cardSize?: CardSize;
  backgroundMediaId?: string;
  unitName?: string;
  hotline?: string;
  /**
   * Whose profile fills the variables declaring `from: unit.*` that are left empty, and whose
   * logo and hotline the card shows. `unit` (already looked up) saves the look-up of `unitId`.
   */
  unitId?: string | null;
  unit?: UnitForRender | null;
  /** Draw a small QR code to `qrUrl` (the post's public page, /w/:slug) in the card's corner. */
  withQr?: boolean;
  qrUrl?: string;
}

/** A unit's values for `from: unit.<field>` and its logo's bytes. */
export interface UnitForRender {
  values: Partial<Record<UnitField, string>>;
  logo: Buffer | null;
}
type UnitField = UnitSource extends `unit.${infer F}` ? F : never;

/**
 * The values a template is rendered with: each variable declaring `from` that was left empty
 * takes that field of the unit; an explicit value always wins.
 */
export function fillFromUnit(
  variables: readonly TemplateVariable[],
  values: Record<string, string>,
  unit: UnitForRender['values'] | null | undefined,
): Record<string, string> {
  const filled: Record<string, string> = { ...values };
  if (!unit) return filled;
  for (const variable of variables) {
    if (!variable.from) continue;
    const given = Object.hasOwn(values, variable.name) ? values[variable.name] : undefined;
    if (given !== undefined && given.trim() !== '') continue;
    const field = variable.from.slice('unit.'.length) as UnitField;
    const value = unit[field];
    if (value) filled[variable.name] = value;
  }
  return filled;
}

export interface RenderedPost {
  title: string;
  text: string;
  hashtags: string[];
  captions: string[];
  card: PostCard | null;
  /** A template post's values after the unit filled the empty `from` variables. */
  variables?: Record<string, string>;
}

interface Deps {
  db: Database;
  repo: TemplatesRepo;
  renderer: Renderer;
  audit: AuditRecorder;
  /** The bytes of a media-library image to draw under a card; null when there is no such media. */
  backgroundImage: (mediaId: string) => Promise<Buffer | null>;
  /** A unit's profile values and logo bytes; null when there is no such unit. */
  unitForRender?: (unitId: string) => Promise<UnitForRender | null>;
  settings: { mediaDir: string; cacheDir: string; publicUrl: string; timeZone: string; builtInDir?: string };
  logger?: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CARD_HEADLINE_MAX = 200;
const CARD_BODY_MAX = 300;

const describe = (problems: readonly TemplateProblem[]): string =>
  problems.map((p) => `${p.path}${p.line === undefined ? '' : ` (line ${p.line})`}: ${p.message}`).join('; ');
const asFieldProblems = (problems: readonly TemplateProblem[]): FieldProblem[] =>
  problems.map((p) => ({ path: p.path, message: p.line === undefined ? p.message : `line ${p.line}: ${p.message}` }));

/** The template file (front matter + body) for a template sent as JSON. */
export function templateSource(id: string, input: CreateTemplateInput): string {
  const front: Record<string, unknown> = {
    id,
    name: input.name,
    description: input.description?.trim() || input.name,
    ...(input.title !== undefined && { title: input.title }),
    variables: input.variables,
    ...(input.card && { card: input.card }),
    hashtags: input.hashtags ?? [],
    captions: input.captions ?? [],
  };
  return `---\n${toYaml(front, { lineWidth: 0 })}---\n${input.body.normalize('NFC').trim()}\n`;
}

export function presentTemplate(def: TemplateDefinition) {
  return {
    id: def.id,
    name: def.name,
    description: def.description,
    builtIn: def.builtIn,
    cardLayout: def.card?.layout ?? null,
    variables: def.variables.map((v) => ({
      name: v.name,
      label: v.label,
      type: v.type,
      required: v.required,
      default: v.default ?? null,
      help: v.help ?? null,
      maxLength: v.maxLength ?? null,
      from: v.from ?? null,
    })),
  };
}

export function createTemplatesService(deps: Deps) {
  const { repo, renderer, settings } = deps;
  let builtIns: Promise<ReadonlyMap<string, TemplateDefinition>> | undefined;
  // Parsed custom templates, keyed by id and last change, so a render does not re-parse.
  const customCache = new Map<string, { updatedAt: number; def: TemplateDefinition }>();

  function layoutProblems(def: Pick<TemplateDefinition, 'card'>): TemplateProblem[] {
    const layouts = renderer.listLayouts();
    if (!def.card || layouts.includes(def.card.layout)) return [];
    return [{ path: 'card.layout', message: `unknown card layout "${def.card.layout}"; one of: ${layouts.join(', ')}` }];
  }

  async function loadBuiltIns(): Promise<ReadonlyMap<string, TemplateDefinition>> {
    const defs = await loadBuiltInTemplates(settings.builtInDir);
    const failures = defs
      .map((def) => ({ file: `${def.id}.hbs`, problems: layoutProblems(def) }))
      .filter((f) => f.problems.length > 0);
    if (failures.length > 0) throw new TemplateLibraryError(failures);
    return new Map(defs.map((def) => [def.id, def]));
  }

  function builtInMap(): Promise<ReadonlyMap<string, TemplateDefinition>> {
    builtIns ??= loadBuiltIns();
    return builtIns;
  }

  function customDefinition(row: TemplateRow): TemplateDefinition {
    const cached = customCache.get(row.id);
    if (cached && cached.updatedAt === row.updatedAt.getTime()) return cached.def;
    const result = checkTemplateSource(row.source, row.name, false);
    if (!result.ok) {
      throw new ValidationError(asFieldProblems(result.problems), `Template "${row.name}" is no longer valid: ${describe(result.problems)}`);
    }
    customCache.set(row.id, { updatedAt: row.updatedAt.getTime(), def: result.template });
    return result.template;
  }

  async function getTemplate(id: string): Promise<TemplateDefinition> {
    const builtIn = (await builtInMap()).get(id);
    if (builtIn) return builtIn;
    const row = UUID.test(id) ? await repo.findById(id) : undefined;
    if (!row) throw new NotFoundError('Template');
    return customDefinition(row);
  }

  async function listTemplates(): Promise<TemplateDefinition[]> {
    const custom: TemplateDefinition[] = [];
    for (const row of await repo.listActive()) {
      try {
        custom.push(customDefinition(row));
      } catch (error) {
        deps.logger?.warn({ templateId: row.id, err: error }, 'stored template skipped');
      }
    }
    return [...(await builtInMap()).values(), ...custom];
  }

  async function createTemplate(actor: Actor, input: CreateTemplateInput): Promise<TemplateDefinition> {
    const id = randomUUID();
    const source = templateSource(id, input);
    const checked = checkTemplateSource(source, input.name, false);
    const problems = checked.ok ? layoutProblems(checked.template) : checked.problems;
    if (!checked.ok || problems.length > 0) {
      throw new ValidationError(asFieldProblems(problems), `Template refused: ${describe(problems)}`);
    }
    return deps.db.transaction(async (tx) => {
      const row = await uniqueOrConflict(
        () => repo.insert({ id, name: input.name, description: input.description ?? '', source, createdBy: actor.via === 'system' ? null : actor.id }, tx),
        'post_templates_name_uq',
        'A template with this name already exists',
        'template_name_taken',
      );
      await deps.audit({ ...actorAudit(actor), action: 'template.created', targetType: 'template', targetId: row.id, details: { name: row.name } }, tx);
      return customDefinition(row);
    });
  }

  async function makeCard(lines: { layout: string; headline: string; body: string | undefined }, input: RenderPostInput, extra: { unitName?: string; hotline?: string; logo?: Buffer | null }): Promise<PostCard> {
    let background: Buffer | undefined;
    if (input.backgroundMediaId) {
      const image = await deps.backgroundImage(input.backgroundMediaId);
      if (!image) throw new ValidationError([{ path: 'backgroundMediaId', message: 'no such image in the media library' }]);
      background = image;
    }
    const size = input.cardSize ?? 'feed';
    let rendered;
    try {
      rendered = await renderer.renderCard({
        layout: lines.layout,
        size,
        headline: clip(lines.headline, CARD_HEADLINE_MAX),
        body: lines.body === undefined ? undefined : clip(lines.body, CARD_BODY_MAX),
        unitName: extra.unitName,
        hotline: extra.hotline,
        ...(extra.logo && { logo: extra.logo }),
        background,
        // Public pages (issue 5): scanned from a photo or a print, it leads to the warning's own page.
        qrCode: input.withQr && input.qrUrl ? await renderQrPng(input.qrUrl, 300) : undefined,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(error.problems.map((p) => ({ path: `card.${p.path}`, message: p.message })), 'The image card cannot be made');
    }
    return {
      layout: lines.layout,
      size,
      headline: lines.headline,
      body: lines.body ?? null,
      file: path.relative(settings.mediaDir, rendered.path).split(path.sep).join('/'),
      mime: rendered.mime,
      width: rendered.width,
      height: rendered.height,
      altText: rendered.altText,
    };
  }

  const clean = (value: string | undefined): string | undefined => {
    const text = value?.normalize('NFC').replace(/\s+/g, ' ').trim();
    return text ? text : undefined;
  };

  /** Text, title, hashtags, captions and (withCard) the image card of a post. NFC throughout. */
  async function renderPost(input: RenderPostInput): Promise<RenderedPost> {
    let post: Omit<RenderedPost, 'card'>;
    let lines: { layout: string; headline: string; body: string | undefined } | null = null;
    const unit =
      input.unit !== undefined
        ? input.unit
        : input.unitId && deps.unitForRender
          ? await deps.unitForRender(input.unitId)
          : null;
    let unitName = clean(input.unitName) ?? clean(unit?.values.name);
    let hotline = clean(input.hotline) ?? (unit?.values.hotline ? formatPhone(unit.values.hotline) : undefined);
    let filled: Record<string, string> | undefined;
    if (input.templateId !== undefined) {
      const def = await getTemplate(input.templateId);
      const variables = fillFromUnit(def.variables, input.variables ?? {}, unit?.values);
      filled = variables;
      const out = renderTemplate(def, variables, { timeZone: settings.timeZone });
      post = { title: out.title, text: out.text, hashtags: out.hashtags, captions: out.captions };
      if (out.card) lines = { layout: out.card.layout, headline: out.card.headline, body: out.card.body || undefined };
      unitName = clean(Object.hasOwn(variables, 'unitName') ? variables.unitName : undefined) ?? unitName;
      const phone = clean(Object.hasOwn(variables, 'hotline') ? variables.hotline : undefined);
      hotline = phone ? formatPhone(phone) : hotline;
    } else {
      const text = tidyPostText(input.text ?? '');
      if (text === '') throw new ValidationError([{ path: 'text', message: 'Write the post text or choose a template (chưa có nội dung)' }]);
      post = { title: titleFromText(text), text, hashtags: [], captions: [] };
    }
    const withValues = filled ? { ...post, variables: filled } : post;
    if (!input.withCard) return { ...withValues, card: null };
    lines ??= { layout: DEFAULT_CARD_LAYOUT, headline: post.title, body: undefined };
    return { ...withValues, card: await makeCard(lines, input, { unitName, hotline, logo: unit?.logo ?? null }) };
  }

  /** Absolute URL of a rendered card (served read-only under /media/cards/). */
  function cardUrl(card: Pick<PostCard, 'file'>): string {
    return `${settings.publicUrl.replace(/\/$/, '')}/media/${card.file}`;
  }

  /** Loads and checks the built-in library and warms the card renderer: call before serving. */
  async function start(): Promise<void> {
    await builtInMap();
    await renderer.warmUp();
  }

  return { start, getTemplate, listTemplates, createTemplate, renderPost, cardUrl, platformProblems };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
