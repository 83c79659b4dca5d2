// The template pages: the library (built-in, custom, and on request archived templates), and the
// editor: a new custom template, or the next version of one, with a live preview of the text and
// the card; archive and copy buttons.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { csrfTokenFor } from '../http/middleware/csrf.ts';
import { zodProblems } from '../http/api-route.ts';
import { flashErrorMessage, pageActor, renderPage, setFlash } from '../http/page.ts';
import { VARIABLE_TYPES, type TemplateVariable } from './template-format.ts';
import { presentTemplate, type TemplateInfo } from './templates.service.ts';
import {
  createTemplateSchema,
  DEFAULT_CARD_LAYOUT,
  templateIdSchema,
  updateTemplateSchema,
} from './templates.schemas.ts';

const VIEWERS = ['editor', 'reviewer', 'admin'] as const;
const EDITORS = ['editor', 'admin'] as const;
/** Empty rows the editor form offers beyond a template's own variables; empty rows are ignored. */
const SPARE_ROWS = 3;
const MIN_ROWS = 8;
/** As many rows as a template may declare (createTemplateSchema: at most 40 variables). */
const MAX_ROWS = 40;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const idParams = z.object({ id: templateIdSchema });
const listQuery = z.object({ archived: z.enum(['1']).optional().catch(undefined) });

/**
 * The editor form → the API's JSON shape (so one schema checks both). A variable the template
 * already has keeps what the form does not show (help, maxLength, ...); hashtags and captions
 * are kept from `current` too.
 */
function fromForm(body: Record<string, unknown>, current?: TemplateInfo) {
  const variables = [];
  for (let i = 0; i < MAX_ROWS; i++) {
    const name = str(body[`var${i}.name`]).trim();
    if (!name) continue;
    const fallback = str(body[`var${i}.default`]).trim();
    const kept: Partial<TemplateVariable> = { ...current?.variables.find((v) => v.name === name) };
    delete kept.default;
    variables.push({
      ...kept,
      name,
      label: str(body[`var${i}.label`]).trim() || name,
      type: str(body[`var${i}.type`]) || 'text',
      required: body[`var${i}.required`] === 'on',
      ...(fallback && { default: fallback }),
    });
  }
  const headline = str(body.cardHeadline).trim();
  const title = str(body.title).trim();
  return {
    name: str(body.name),
    description: str(body.description),
    body: str(body.body),
    ...(title && { title }),
    card: headline
      ? { layout: str(body.cardLayout) || DEFAULT_CARD_LAYOUT, headline, body: str(body.cardBody) }
      : null,
    variables,
    ...(current && { hashtags: current.hashtags, captions: current.captions }),
  };
}

/** A saved template → the editor form's fields. */
function toForm(def: TemplateInfo): Record<string, unknown> {
  const form: Record<string, unknown> = {
    name: def.name,
    description: def.description,
    body: def.source,
    title: def.title ?? '',
    cardLayout: def.card?.layout ?? DEFAULT_CARD_LAYOUT,
    cardHeadline: def.card?.headline ?? '',
    cardBody: def.card?.body ?? '',
  };
  def.variables.forEach((v, i) => {
    form[`var${i}.name`] = v.name;
    form[`var${i}.label`] = v.label;
    form[`var${i}.type`] = v.type;
    if (v.required) form[`var${i}.required`] = 'on';
    if (v.default !== undefined) form[`var${i}.default`] = v.default;
  });
  return form;
}

export function templatesPages(c: Container): Router {
  const router = Router();

  router.get('/templates', async (req, res) => {
    const actor = pageActor(req, res, VIEWERS);
    if (!actor) return;
    const showArchived = listQuery.parse(req.query).archived === '1';
    const items = (await c.templates.listTemplates({ includeArchived: showArchived })).map(presentTemplate);
    renderPage(req, res, 'pages/templates', {
      title: req.t('templates.title'),
      builtIn: items.filter((i) => i.builtIn),
      custom: items.filter((i) => !i.builtIn && i.archivedAt === null),
      archived: items.filter((i) => i.archivedAt !== null),
      showArchived,
      canEdit: (EDITORS as readonly string[]).includes(actor.role),
    });
  });

  interface EditorState {
    /** The template being edited (absent: a new one). */
    template?: TemplateInfo;
    problems?: { path: string; message: string }[];
    preview?: Awaited<ReturnType<typeof preview>>;
  }

  function showEditor(
    req: Request,
    res: Response,
    form: Record<string, unknown>,
    state: EditorState = {},
    status = 200,
  ) {
    let count = MIN_ROWS;
    for (let i = 0; i < MAX_ROWS; i++)
      if (str(form[`var${i}.name`])) count = Math.max(count, i + 1 + SPARE_ROWS);
    const rows = Array.from({ length: Math.min(count, MAX_ROWS) }, (_, i) => ({
      index: i,
      name: str(form[`var${i}.name`]),
      label: str(form[`var${i}.label`]),
      default: str(form[`var${i}.default`]),
      required: form[`var${i}.required`] === 'on',
      types: VARIABLE_TYPES.map((type) => ({
        type,
        selected: type === (str(form[`var${i}.type`]) || 'text'),
      })),
    }));
    const layout = str(form.cardLayout) || DEFAULT_CARD_LAYOUT;
    const template = state.template;
    renderPage(
      req,
      res,
      'pages/template-editor',
      {
        title: template
          ? req.t('template-editor.editTitle', { name: template.name })
          : req.t('templates.new'),
        heading: template
          ? req.t('template-editor.editTitle', { name: template.name })
          : req.t('templates.new'),
        formAction: template ? `/templates/${template.id}/edit` : '/templates/new',
        template: template && {
          id: template.id,
          version: template.version,
          archived: template.archivedAt !== null,
        },
        form,
        rows,
        layouts: c.renderer.listLayouts().map((id) => ({ id, selected: id === layout })),
        problems: state.problems ?? [],
        preview: state.preview,
        syntaxExample: '{{area}}',
      },
      status,
    );
  }

  /** A refused save re-renders the editor with the problems (422, or 409 for a stale version). */
  function refused(
    req: Request,
    res: Response,
    error: unknown,
    form: Record<string, unknown>,
    template?: TemplateInfo,
  ) {
    if (!(error instanceof AppError) || error.status >= 500) throw error;
    const problems =
      error instanceof ValidationError ? error.problems : [{ path: 'name', message: error.message }];
    showEditor(req, res, form, { ...(template && { template }), problems }, error.status);
  }

  router.get('/templates/new', (req, res) => {
    if (!pageActor(req, res, EDITORS)) return;
    showEditor(req, res, {
      'var0.name': 'unitName',
      'var0.label': 'Tên đơn vị',
      'var0.required': 'on',
      'var1.name': 'hotline',
      'var1.label': 'Đường dây nóng',
      'var1.type': 'phone',
      'var1.required': 'on',
      'var2.name': 'area',
      'var2.label': 'Địa bàn',
      'var2.required': 'on',
    });
  });

  router.post('/templates/new', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const parsed = createTemplateSchema.safeParse(fromForm(body));
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const saved = await c.templates.createTemplate(actor, parsed.data);
      setFlash(req, 'success', req.t('templates.saved', { name: saved.name }));
      res.redirect(303, '/templates');
    } catch (error) {
      refused(req, res, error, body);
    }
  });

  /** The preview's view-model: the text and card rendered with sample values, or the problems. */
  async function preview(body: Record<string, unknown>, current?: TemplateInfo) {
    try {
      const parsed = createTemplateSchema.safeParse(fromForm(body, current));
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const post = await c.templates.previewTemplate(parsed.data, { withCard: true });
      const problems = c.templates.platformProblems(post);
      return {
        ok: true,
        post,
        cardUrl: post.card ? `/media/${post.card.file}` : null,
        problems: [...problems.facebook, ...problems.zalo],
      };
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      return {
        ok: false,
        problems:
          error instanceof ValidationError ? error.problems : [{ path: 'template', message: error.message }],
      };
    }
  }

  // htmx posts the whole editor form here on every change (debounced) and swaps in the partial.
  router.post('/templates/preview', async (req, res) => {
    if (!pageActor(req, res, EDITORS)) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const id = idParams.safeParse({ id: body.templateId });
    const current = id.success ? await c.templates.getTemplate(id.data.id).catch(() => undefined) : undefined;
    res.render('partials/template-preview', {
      layout: false,
      preview: await preview(body, current),
      __t: req.t,
      csrfToken: csrfTokenFor(req),
    });
  });

  router.get('/templates/:id/edit', async (req, res) => {
    if (!pageActor(req, res, EDITORS)) return;
    const { id } = idParams.parse(req.params);
    const template = await c.templates.getTemplate(id);
    if (template.builtIn) {
      setFlash(req, 'error', req.t('template-editor.builtInReadOnly'));
      res.redirect(303, '/templates');
      return;
    }
    // An archived template's form is read-only (so htmx sends nothing): its preview is drawn here.
    const form = toForm(template);
    showEditor(req, res, form, {
      template,
      ...(template.archivedAt && { preview: await preview(form, template) }),
    });
  });

  router.post('/templates/:id/edit', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const { id } = idParams.parse(req.params);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const template = await c.templates.getTemplate(id);
    try {
      const version = /^\d+$/.test(str(body.version)) ? Number(body.version) : undefined;
      const input = fromForm(body, template);
      const parsed = updateTemplateSchema.safeParse({
        ...input,
        title: input.title ?? null,
        ...(version !== undefined && { version }),
      });
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const saved = await c.templates.updateTemplate(actor, id, parsed.data);
      setFlash(
        req,
        'success',
        req.t('template-editor.savedVersion', { name: saved.name, version: saved.version }),
      );
      res.redirect(303, `/templates/${id}/edit`);
    } catch (error) {
      refused(req, res, error, body, template);
    }
  });

  router.post('/templates/:id/archive', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const { id } = idParams.parse(req.params);
    try {
      const archived = await c.templates.archiveTemplate(actor, id);
      setFlash(req, 'success', req.t('template-editor.archived', { name: archived.name }));
      res.redirect(303, '/templates');
    } catch (error) {
      setFlash(req, 'error', flashErrorMessage(req, error));
      res.redirect(303, `/templates/${id}/edit`);
    }
  });

  router.post('/templates/:id/copy', async (req, res) => {
    const actor = pageActor(req, res, EDITORS);
    if (!actor) return;
    const { id } = idParams.parse(req.params);
    try {
      const copy = await c.templates.copyTemplate(actor, id);
      setFlash(req, 'success', req.t('template-editor.copied', { name: copy.name }));
      res.redirect(303, `/templates/${copy.id}/edit`);
    } catch (error) {
      setFlash(req, 'error', flashErrorMessage(req, error));
      res.redirect(303, '/templates');
    }
  });

  return router;
}
