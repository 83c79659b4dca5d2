// The unit tree and each unit's page: its profile (short name, hotline, area, address,
// website) that fills the templates, its logo from the media library, its place in the tree,
// and deleting it when nothing uses it. Admins manage every unit; a reviewer edits the profile
// of their own unit and the units below it (units.service.ts decides).
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, flashErrorMessage, pageActor, renderPage, setFlash } from '../http/page.ts';
import type { UsersService } from './users.service.ts';
import {
  createUnitSchema,
  idSchema,
  UNIT_PROFILE_FIELDS,
  unitLogoSchema,
  updateUnitSchema,
} from './users.schemas.ts';

type UnitRow = Awaited<ReturnType<UsersService['listAllUnits']>>[number];

export interface UnitNode {
  id: string;
  name: string;
  label: string;
  hotline: string | null;
  shortName: string | null;
  children: UnitNode[];
}

/** The unit tree, and a flat list with indented labels for <select>s. */
export function unitTree(rows: UnitRow[]): { roots: UnitNode[]; flat: UnitNode[] } {
  const nodes = new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        name: r.name,
        label: r.name,
        hotline: r.profile.hotline ?? null,
        shortName: r.profile.shortName ?? null,
        children: [] as UnitNode[],
      },
    ]),
  );
  const roots: UnitNode[] = [];
  for (const row of rows) {
    const node = nodes.get(row.id)!;
    const parent = row.parentId ? nodes.get(row.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  const flat: UnitNode[] = [];
  const walk = (list: UnitNode[], depth: number) => {
    for (const n of list) {
      flat.push({ ...n, label: `${'— '.repeat(depth)}${n.name}` });
      walk(n.children, depth + 1);
    }
  };
  walk(roots, 0);
  return { roots, flat };
}

const emptyToNull = (value: unknown) => (value === '' || value === undefined ? null : value);
const formProfile = (body: Record<string, unknown>) =>
  Object.fromEntries(UNIT_PROFILE_FIELDS.map((f) => [f, typeof body[f] === 'string' ? body[f] : null]));

export function unitsPages(c: Container): Router {
  const router = Router();

  async function showUnits(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const { roots, flat } = unitTree(await c.users.listAllUnits());
    renderPage(
      req,
      res,
      'pages/units',
      { title: req.t('units.title'), roots, units: flat, form: {}, errors: {}, ...extra },
      status,
    );
  }

  router.get('/admin/units', async (req, res) => {
    if (!pageActor(req, res, ['admin'])) return;
    await showUnits(req, res);
  });

  router.post('/admin/units', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = createUnitSchema.safeParse({
      name: body.name,
      parentId: emptyToNull(body.parentId),
      profile: formProfile(body),
    });
    try {
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const unit = await c.users.createUnit(actor, parsed.data);
      setFlash(req, 'success', req.t('units.created', { name: unit.name }));
      res.redirect(303, '/admin/units');
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors =
        error instanceof ValidationError
          ? profileErrors(error.problems)
          : { name: req.t(`errors.${error.code}`, { defaultValue: error.message }) };
      await showUnits(req, res, { form: body, errors }, error.status);
    }
  });

  /** Field messages keyed by the form's names (`profile.hotline` → `hotline`). */
  function profileErrors(problems: { path: string; message: string }[]) {
    return fieldErrors(problems.map((p) => ({ ...p, path: p.path.replace(/^profile\./, '') })));
  }

  async function showUnit(
    req: Request,
    res: Response,
    id: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const actor = req.actor!;
    const unit = await c.units.get(id);
    const [all, presented, media] = await Promise.all([
      c.users.listAllUnits(),
      c.units.present(unit),
      c.media.list(actor, { limit: 48 }),
    ]);
    // The unit itself and the units under it cannot become its parent.
    const below = new Set<string>([id]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const u of all) {
        if (u.parentId && below.has(u.parentId) && !below.has(u.id)) {
          below.add(u.id);
          grew = true;
        }
      }
    }
    const { flat } = unitTree(all);
    const logo = presented.logo ? await c.units.brand(id) : null;
    renderPage(
      req,
      res,
      'pages/unit-edit',
      {
        title: unit.name,
        unit: presented,
        logoUrl: logo?.logo?.localUrl ?? null,
        isAdmin: actor.role === 'admin',
        parents: flat.filter((u) => !below.has(u.id)),
        children: all.filter((u) => u.parentId === id).map((u) => ({ id: u.id, name: u.name })),
        media: media.map((m) => ({
          id: m.id,
          url: c.media.localUrl(m, 'thumb'),
          altText: m.altText,
          selected: m.id === unit.logoMediaId,
        })),
        form: { name: unit.name, parentId: unit.parentId ?? '', ...presented.profile },
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/admin/units/:id', async (req, res) => {
    if (!pageActor(req, res, ['admin', 'reviewer'])) return;
    await showUnit(req, res, idSchema.parse(req.params.id));
  });

  router.post('/admin/units/:id', async (req, res) => {
    const actor = pageActor(req, res, ['admin', 'reviewer']);
    if (!actor) return;
    const id = idSchema.parse(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = updateUnitSchema.safeParse({
      profile: formProfile(body),
      ...(actor.role === 'admin' && {
        name: body.name,
        parentId: emptyToNull(body.parentId),
      }),
    });
    try {
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const unit = await c.units.update(actor, id, parsed.data);
      setFlash(req, 'success', req.t('units.updated', { name: unit.name }));
      res.redirect(303, `/admin/units/${id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      const errors =
        error instanceof ValidationError
          ? profileErrors(error.problems)
          : { name: req.t(`errors.${error.code}`, { defaultValue: error.message }) };
      await showUnit(
        req,
        res,
        id,
        { form: body, errors, formError: req.t('errors.validation_failed') },
        error.status,
      );
    }
  });

  router.post('/admin/units/:id/logo', async (req, res) => {
    const actor = pageActor(req, res, ['admin', 'reviewer']);
    if (!actor) return;
    const id = idSchema.parse(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = unitLogoSchema.safeParse({ mediaId: emptyToNull(body.mediaId) });
    try {
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      await c.units.setLogo(actor, id, parsed.data.mediaId);
      setFlash(req, 'success', req.t('units.logoSaved'));
    } catch (error) {
      setFlash(req, 'error', flashErrorMessage(req, error));
    }
    res.redirect(303, `/admin/units/${id}`);
  });

  router.post('/admin/units/:id/delete', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const id = idSchema.parse(req.params.id);
    try {
      await c.units.remove(actor, id);
      setFlash(req, 'success', req.t('units.deleted'));
      res.redirect(303, '/admin/units');
    } catch (error) {
      setFlash(req, 'error', flashErrorMessage(req, error));
      res.redirect(303, `/admin/units/${id}`);
    }
  });

  return router;
}
