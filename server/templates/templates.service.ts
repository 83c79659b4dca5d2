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
import { ConflictError, NotFoundError, ValidationError, type FieldProblem } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { CardSize, Renderer } from '../rendering/index.ts';
import { clip, platformProblems, tidyPostText, titleFromText } from './post-text.ts';
import type { TemplateProblem, TemplateVariable, UnitSource } from './template-format.ts';
import {
  checkTemplateSource,
  loadBuiltInTemplates,
  TemplateLibraryError,
  type TemplateDefinition,
} from './template-library.ts';
import { renderTemplate } from './template-render.ts';
import { formatPhone, sampleValue } from './template-values.ts';
import type { TemplatesRepo } from './templates.repo.ts';
import {
  DEFAULT_CARD_LAYOUT,
  type CopyTemplateInput,
  type CreateTemplateInput,
  type UpdateTemplateInput,
} from './templates.schemas.ts';

export { checkPlatformLimits } from './template-render.ts';
export { platformProblems } from './post-text.ts';

export interface RenderPostInput {
  templateId?: string;
  /** A custom template's past version (the one a post was written from); default: the current one. */
  templateVersion?: number;
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
  /** The custom template's version the text was rendered from; null for built-ins and free text. */
  templateVersion: number | null;
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
  problems.map((p) => ({
    path: p.path,
    message: p.line === undefined ? p.message : `line ${p.line}: ${p.message}`,
  }));

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

/** A template as the library shows it: its definition, its version and whether it is archived. */
export interface TemplateInfo extends TemplateDefinition {
  version: number | null;
  archivedAt: Date | null;
}

/** The fields of a definition as the API takes them, to save it again (edit or copy). */
function asInput(def: TemplateDefinition, name = def.name): CreateTemplateInput {
  return {
    name,
    description: def.description,
    body: def.source,
    ...(def.title !== null && { title: def.title }),
    card: def.card,
    variables: def.variables,
    hashtags: def.hashtags,
    captions: def.captions,
  };
}

export function presentTemplate(def: TemplateInfo) {
  return {
    id: def.id,
    name: def.name,
    description: def.description,
    builtIn: def.builtIn,
    version: def.version,
    archivedAt: def.archivedAt?.toISOString() ?? null,
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
    body: def.source,
    title: def.title,
    card: def.card,
    hashtags: def.hashtags,
    captions: def.captions,
  };
}

export function createTemplatesService(deps: Deps) {
  const { repo, renderer, settings } = deps;
  let builtIns: Promise<ReadonlyMap<string, TemplateDefinition>> | undefined;
  // Parsed custom templates, keyed by id and version: a version never changes once saved, so a
  // render does not re-parse, and the same object keeps its compiled Handlebars.
  const customCache = new Map<string, TemplateDefinition>();

  function layoutProblems(def: Pick<TemplateDefinition, 'card'>): TemplateProblem[] {
    const layouts = renderer.listLayouts();
    if (!def.card || layouts.includes(def.card.layout)) return [];
    return [
      {
        path: 'card.layout',
        message: `unknown card layout "${def.card.layout}"; one of: ${layouts.join(', ')}`,
      },
    ];
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

  function customDefinition(stored: {
    id: string;
    version: number;
    name: string;
    source: string;
  }): TemplateDefinition {
    const key = `${stored.id}@${stored.version}`;
    const cached = customCache.get(key);
    if (cached) return cached;
    const result = checkTemplateSource(stored.source, stored.name, false);
    if (!result.ok) {
      throw new ValidationError(
        asFieldProblems(result.problems),
        `Template "${stored.name}" is no longer valid: ${describe(result.problems)}`,
      );
    }
    customCache.set(key, result.template);
    return result.template;
  }

  /** A new template's or version's source, checked as at save: 422 naming every problem. */
  function checkedSource(
    id: string,
    input: CreateTemplateInput,
  ): { source: string; def: TemplateDefinition } {
    const source = templateSource(id, input);
    const checked = checkTemplateSource(source, input.name, false);
    const problems = checked.ok ? layoutProblems(checked.template) : checked.problems;
    if (!checked.ok || problems.length > 0) {
      throw new ValidationError(asFieldProblems(problems), `Template refused: ${describe(problems)}`);
    }
    return { source, def: checked.template };
  }

  const builtInInfo = (def: TemplateDefinition): TemplateInfo => ({
    ...def,
    version: null,
    archivedAt: null,
  });

  /**
   * One template: a built-in, or a custom one (archived ones too: old posts refer to them), at
   * its current version or at `version`.
   */
  async function getTemplate(id: string, options: { version?: number } = {}): Promise<TemplateInfo> {
    const builtIn = (await builtInMap()).get(id);
    if (builtIn) {
      if (options.version !== undefined) throw new NotFoundError('Template version');
      return builtInInfo(builtIn);
    }
    const row = UUID.test(id) ? await repo.findById(id) : undefined;
    if (!row) throw new NotFoundError('Template');
    if (options.version === undefined || options.version === row.version) {
      return { ...customDefinition(row), version: row.version, archivedAt: row.archivedAt };
    }
    const old = await repo.findVersion(id, options.version);
    if (!old) throw new NotFoundError('Template version');
    return { ...customDefinition({ ...old, id }), version: old.version, archivedAt: row.archivedAt };
  }

  /** The built-in library, then the custom templates (archived ones only when asked for). */
  async function listTemplates(options: { includeArchived?: boolean } = {}): Promise<TemplateInfo[]> {
    const custom: TemplateInfo[] = [];
    for (const row of await repo.list({ includeArchived: options.includeArchived ?? false })) {
      try {
        custom.push({ ...customDefinition(row), version: row.version, archivedAt: row.archivedAt });
      } catch (error) {
        deps.logger?.warn({ templateId: row.id, err: error }, 'stored template skipped');
      }
    }
    return [...(await builtInMap()).values()].map(builtInInfo).concat(custom);
  }

  async function createTemplate(
    actor: Actor,
    input: CreateTemplateInput,
    origin?: { copiedFrom: string },
  ): Promise<TemplateInfo> {
    const id = randomUUID();
    const { source } = checkedSource(id, input);
    const createdBy = actor.via === 'system' ? null : actor.id;
    return deps.db.transaction(async (tx) => {
      const row = await uniqueOrConflict(
        () =>
          repo.insert({ id, name: input.name, description: input.description ?? '', source, createdBy }, tx),
        'post_templates_name_uq',
        'A template with this name already exists',
        'template_name_taken',
      );
      await repo.insertVersion(
        { templateId: id, version: row.version, name: row.name, source, createdBy },
        tx,
      );
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'template.created',
          targetType: 'template',
          targetId: row.id,
          details: { name: row.name, ...origin },
        },
        tx,
      );
      return { ...customDefinition(row), version: row.version, archivedAt: null };
    });
  }

  async function refuseBuiltIn(id: string, action: string): Promise<void> {
    if ((await builtInMap()).has(id)) {
      throw new ConflictError(
        `Built-in templates are read-only: copy one to ${action} it`,
        'template_built_in',
      );
    }
  }

  /**
   * Saves an edit of a custom template as its next version. Posts keep the version they were
   * written from; the composer offers the new one. An edit that changes nothing adds no version.
   */
  async function updateTemplate(actor: Actor, id: string, input: UpdateTemplateInput): Promise<TemplateInfo> {
    await refuseBuiltIn(id, 'change');
    if (!UUID.test(id)) throw new NotFoundError('Template');
    return deps.db.transaction(async (tx) => {
      const row = await repo.lockById(id, tx);
      if (!row) throw new NotFoundError('Template');
      if (row.archivedAt)
        throw new ConflictError(
          'An archived template cannot be edited: copy it instead',
          'template_archived',
        );
      if (input.version !== undefined && input.version !== row.version) {
        throw new ConflictError(
          `The template changed since you opened it (now version ${row.version})`,
          'stale_version',
          { version: row.version },
        );
      }
      const current = customDefinition(row);
      const { version: _expected, title, ...changes } = input;
      const base = asInput(current);
      const merged: CreateTemplateInput = {
        ...base,
        ...Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
      };
      if (title === null) delete merged.title;
      else if (title !== undefined) merged.title = title;
      const { source } = checkedSource(id, merged);
      if (source === row.source) {
        return { ...current, version: row.version, archivedAt: null };
      }
      const version = row.version + 1;
      const updated = await uniqueOrConflict(
        () =>
          repo.update(id, { name: merged.name, description: merged.description ?? '', source, version }, tx),
        'post_templates_name_uq',
        'A template with this name already exists',
        'template_name_taken',
      );
      const createdBy = actor.via === 'system' ? null : actor.id;
      await repo.insertVersion({ templateId: id, version, name: updated.name, source, createdBy }, tx);
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'template.updated',
          targetType: 'template',
          targetId: id,
          details: { name: updated.name, version },
        },
        tx,
      );
      return { ...customDefinition(updated), version, archivedAt: null };
    });
  }

  /** Archives a custom template: gone from the composer and the library, kept for old posts. */
  async function archiveTemplate(actor: Actor, id: string): Promise<TemplateInfo> {
    await refuseBuiltIn(id, 'retire');
    if (!UUID.test(id)) throw new NotFoundError('Template');
    return deps.db.transaction(async (tx) => {
      const row = await repo.lockById(id, tx);
      if (!row) throw new NotFoundError('Template');
      if (row.archivedAt) throw new ConflictError('The template is already archived', 'template_archived');
      const archived = await repo.update(id, { archivedAt: new Date() }, tx);
      await deps.audit(
        {
          ...actorAudit(actor),
          action: 'template.archived',
          targetType: 'template',
          targetId: id,
          details: { name: row.name, version: row.version },
        },
        tx,
      );
      return { ...customDefinition(archived), version: archived.version, archivedAt: archived.archivedAt };
    });
  }

  /** A free name for a copy: "<name> (bản sao)", then "(bản sao 2)", ... */
  async function copyName(name: string): Promise<string> {
    for (let n = 1; n < 100; n++) {
      const suffix = n === 1 ? ' (bản sao)' : ` (bản sao ${n})`;
      const candidate = `${[...name].slice(0, 120 - suffix.length).join('')}${suffix}`;
      if (!(await repo.nameTaken(candidate))) return candidate;
    }
    throw new ConflictError('Too many copies of this template: give the copy a name', 'template_name_taken');
  }

  /** A new custom template with the content of any template (a built-in, or an archived one). */
  async function copyTemplate(
    actor: Actor,
    id: string,
    input: CopyTemplateInput = {},
  ): Promise<TemplateInfo> {
    const source = await getTemplate(id);
    const name = input.name ?? (await copyName(source.name));
    return createTemplate(actor, asInput(source, name), { copiedFrom: id });
  }

  /** The definition a post renders from: the current version unless a past one is named. */
  async function definitionForPost(
    id: string,
    version: number | undefined,
  ): Promise<{ def: TemplateDefinition; version: number | null }> {
    const builtIn = (await builtInMap()).get(id);
    if (builtIn) return { def: builtIn, version: null };
    const row = UUID.test(id) ? await repo.findById(id) : undefined;
    if (!row) throw new NotFoundError('Template');
    if (version !== undefined && version !== row.version) {
      const old = await repo.findVersion(id, version);
      if (!old) throw new NotFoundError('Template version');
      return { def: customDefinition({ ...old, id }), version };
    }
    // A post keeps an archived template it was written from; a new one cannot choose it.
    if (row.archivedAt && version === undefined) {
      throw new ValidationError([
        { path: 'templateId', message: `the template "${row.name}" was archived (mẫu đã ngừng dùng)` },
      ]);
    }
    return { def: customDefinition(row), version: row.version };
  }

  async function makeCard(
    lines: { layout: string; headline: string; body: string | undefined },
    input: RenderPostInput,
    extra: { unitName?: string; hotline?: string; logo?: Buffer | null },
  ): Promise<PostCard> {
    let background: Buffer | undefined;
    if (input.backgroundMediaId) {
      const image = await deps.backgroundImage(input.backgroundMediaId);
      if (!image)
        throw new ValidationError([
          { path: 'backgroundMediaId', message: 'no such image in the media library' },
        ]);
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
        qrUrl: input.withQr ? input.qrUrl : undefined,
      });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      throw new ValidationError(
        error.problems.map((p) => ({ path: `card.${p.path}`, message: p.message })),
        'The image card cannot be made',
      );
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
      bytes: rendered.data.length,
    };
  }

  const clean = (value: string | undefined): string | undefined => {
    const text = value?.normalize('NFC').replace(/\s+/g, ' ').trim();
    return text ? text : undefined;
  };

  /** Text, title, hashtags, captions and (withCard) the image card of a post. NFC throughout. */
  async function renderPost(input: RenderPostInput): Promise<RenderedPost> {
    const unit =
      input.unit !== undefined
        ? input.unit
        : input.unitId && deps.unitForRender
          ? await deps.unitForRender(input.unitId)
          : null;
    if (input.templateId !== undefined) {
      const { def, version } = await definitionForPost(input.templateId, input.templateVersion);
      // Variables declaring `from: unit.*` left empty take the unit's values; the post keeps them.
      const variables = fillFromUnit(def.variables, input.variables ?? {}, unit?.values);
      return { ...(await renderDefinition(def, version, variables, input, unit)), variables };
    }
    const text = tidyPostText(input.text ?? '');
    if (text === '')
      throw new ValidationError([
        { path: 'text', message: 'Write the post text or choose a template (chưa có nội dung)' },
      ]);
    const post = { templateVersion: null, title: titleFromText(text), text, hashtags: [], captions: [] };
    if (!input.withCard) return { ...post, card: null };
    const lines = { layout: DEFAULT_CARD_LAYOUT, headline: post.title, body: undefined };
    return { ...post, card: await makeCard(lines, input, unitExtras(undefined, undefined, input, unit)) };
  }

  /** The unit name, hotline and logo a card shows: the template's values, else the input's, else the unit's profile. */
  function unitExtras(
    nameVariable: string | undefined,
    phoneVariable: string | undefined,
    input: Pick<RenderPostInput, 'unitName' | 'hotline'>,
    unit: UnitForRender | null | undefined,
  ): { unitName?: string; hotline?: string; logo: Buffer | null } {
    const unitName = clean(nameVariable) ?? clean(input.unitName) ?? clean(unit?.values.name);
    const phone = clean(phoneVariable);
    const given = clean(input.hotline);
    const profile = unit?.values.hotline ? formatPhone(unit.values.hotline) : undefined;
    const hotline = phone ? formatPhone(phone) : (given ?? profile);
    return {
      ...(unitName !== undefined && { unitName }),
      ...(hotline !== undefined && { hotline }),
      logo: unit?.logo ?? null,
    };
  }

  async function renderDefinition(
    def: TemplateDefinition,
    version: number | null,
    variables: Record<string, string>,
    input: Omit<RenderPostInput, 'templateId' | 'templateVersion' | 'variables' | 'text'>,
    unit: UnitForRender | null = null,
  ): Promise<RenderedPost> {
    const out = renderTemplate(def, variables, { timeZone: settings.timeZone });
    const post = {
      templateVersion: version,
      title: out.title,
      text: out.text,
      hashtags: out.hashtags,
      captions: out.captions,
    };
    if (!input.withCard) return { ...post, card: null };
    const extras = unitExtras(
      Object.hasOwn(variables, 'unitName') ? variables.unitName : undefined,
      Object.hasOwn(variables, 'hotline') ? variables.hotline : undefined,
      input,
      unit,
    );
    const lines = out.card
      ? { layout: out.card.layout, headline: out.card.headline, body: out.card.body || undefined }
      : { layout: DEFAULT_CARD_LAYOUT, headline: post.title, body: undefined };
    return { ...post, card: await makeCard(lines, input, extras) };
  }

  /**
   * The template editor's live preview: an unsaved template checked as at save (422 naming every
   * problem), rendered with each variable's default or a plausible sample value.
   */
  async function previewTemplate(
    input: CreateTemplateInput,
    options: { withCard: boolean },
  ): Promise<RenderedPost> {
    const { def } = checkedSource(randomUUID(), input);
    const samples = Object.fromEntries(def.variables.map((v) => [v.name, sampleValue(v)]));
    return renderDefinition(def, null, samples, { withCard: options.withCard && def.card !== null });
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

  return {
    start,
    getTemplate,
    listTemplates,
    createTemplate,
    updateTemplate,
    archiveTemplate,
    copyTemplate,
    renderPost,
    previewTemplate,
    cardUrl,
    platformProblems,
  };
}

export type TemplatesService = ReturnType<typeof createTemplatesService>;
