// The template pages: the library (built-in and custom) and the editor for a custom template.
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { pageActor, renderPage, setFlash } from '../http/page.ts';
import { VARIABLE_TYPES } from './template-format.ts';
import { presentTemplate } from './templates.service.ts';
import { createTemplateSchema, DEFAULT_CARD_LAYOUT } from './templates.schemas.ts';

const VIEWERS = ['editor', 'reviewer', 'admin'] as const;
const EDITORS = ['editor', 'admin'] as const;
/** Rows of variables the editor form offers; empty rows are ignored. */
const VARIABLE_ROWS = 8;

const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The editor form → the API's JSON shape (so one schema checks both). */
function fromForm(body: Record<string, unknown>) {
  const variables = [];
  for (let i = 0; i < VARIABLE_ROWS; i++) {
    const name = str(body[`var${i}.name`]).trim();
    if (!name) continue;
    const fallback = str(body[`var${i}.default`]).trim();
    variables.push({
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
    card: headline ? { layout: str(body.cardLayout) || DEFAULT_CARD_LAYOUT, headline, body: str(body.cardBody) } : null,
    variables,
  };
}

export function templatesPages(c: Container): Router {
  const router = Router();

  router.get('/templates', async (req, res) => {
    const actor = pageActor(req, res, VIEWERS);
    if (!actor) return;
    const items = (await c.templates.listTemplates()).map(presentTemplate);
    renderPage(req, res, 'pages/templates', {
      title: req.t('templates.title'),
      builtIn: items.filter((i) => i.builtIn),
      custom: items.filter((i) => !i.builtIn),
      canEdit: (EDITORS as readonly string[]).includes(actor.role),
    });
  });

  function showEditor(req: Request, res: Response, form: Record<string, unknown>, extra: Record<string, unknown> = {}, status = 200) {
    const rows = Array.from({ length: VARIABLE_ROWS }, (_, i) => ({
      index: i,
      name: str(form[`var${i}.name`]),
      label: str(form[`var${i}.label`]),
      default: str(form[`var${i}.default`]),
      required: form[`var${i}.required`] === 'on',
      types: VARIABLE_TYPES.map((type) => ({ type, selected: type === (str(form[`var${i}.type`]) || 'text') })),
    }));
    const layout = str(form.cardLayout) || DEFAULT_CARD_LAYOUT;
    renderPage(
      req,
      res,
      'pages/template-editor',
      {
        title: req.t('templates.new'),
        form,
        rows,
        layouts: c.renderer.listLayouts().map((id) => ({ id, selected: id === layout })),
        problems: [],
        syntaxExample: '{{area}}',
        ...extra,
      },
      status,
    );
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
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const problems = error instanceof ValidationError ? error.problems : [{ path: 'name', message: error.message }];
      showEditor(req, res, body, { problems }, error.status);
    }
  });

  return router;
}
