// Admin pages: people (create, change role or unit, deactivate). Units: units.pages.ts.
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, pageActor, renderPage, setFlash } from '../http/page.ts';
import { createUserSchema, idSchema, updateUserSchema } from './users.schemas.ts';
import { unitTree } from './units.pages.ts';
import { presentUser } from './users.service.ts';

const emptyToNull = (value: unknown) => (value === '' || value === undefined ? null : value);

export function usersPages(c: Container): Router {
  const router = Router();

  async function showUsers(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const actor = req.actor!;
    const [rows, units] = await Promise.all([
      c.users.listUsers(actor, { limit: 500 }),
      c.users.listAllUnits(),
    ]);
    const unitNames = new Map(units.map((u) => [u.id, u.name]));
    const users = rows.map((r) => ({
      ...presentUser(r),
      unitName: r.unitId ? unitNames.get(r.unitId) : null,
      isSelf: r.id === actor.id,
    }));
    renderPage(
      req,
      res,
      'pages/users',
      {
        title: req.t('users.title'),
        users,
        units: unitTree(units).flat,
        roles: ['admin', 'editor', 'reviewer', 'member'],
        form: {},
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/admin/users', async (req, res) => {
    if (!pageActor(req, res, ['admin'])) return;
    await showUsers(req, res);
  });

  router.post('/admin/users', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = createUserSchema.safeParse({
      email: body.email,
      name: body.name,
      password: body.password,
      role: body.role,
      unitId: emptyToNull(body.unitId),
    });
    try {
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const user = await c.users.createUser(actor, parsed.data);
      setFlash(req, 'success', req.t('users.created', { email: user.email }));
      res.redirect(303, '/admin/users');
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors =
        error instanceof ValidationError
          ? fieldErrors(error.problems)
          : { email: req.t(`errors.${error.code}`, { defaultValue: error.message }) };
      await showUsers(
        req,
        res,
        { form: { ...body, password: '' }, errors, formError: req.t('errors.validation_failed') },
        error.status,
      );
    }
  });

  router.post('/admin/users/:id', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const id = idSchema.parse(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const input = updateUserSchema.parse({
      ...(body.role !== undefined && { role: body.role }),
      ...(body.unitId !== undefined && { unitId: emptyToNull(body.unitId) }),
      ...(body.active !== undefined && { active: body.active === 'true' }),
    });
    try {
      const user = await c.users.updateUser(actor, id, input);
      setFlash(req, 'success', req.t('users.updated', { email: user.email }));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      setFlash(req, 'error', req.t(`errors.${error.code}`, { defaultValue: error.message }));
    }
    res.redirect(303, '/admin/users');
  });

  return router;
}
