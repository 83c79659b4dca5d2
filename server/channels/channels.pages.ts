// The admin page for channels: their status in plain words, the token form, and (mock mode)
// one-click demo channels.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, pageActor, renderPage, setFlash } from '../http/page.ts';
import { channelIdSchema, connectChannelSchema, demoPlatformSchema } from './channels.schemas.ts';
import { presentChannel } from './channels.service.ts';

const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

/** The unit form: a unit id, or empty for "no unit". */
const channelUnitForm = z.object({
  unitId: z.union([z.uuid(), z.literal('')]).transform((v) => (v === '' ? null : v)),
});

/** Every unit with its path from the top ("Công an tỉnh › Công an xã"), in tree order, for a <select>. */
function unitChoices(rows: { id: string; name: string; parentId: string | null }[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const path = (id: string, seen = new Set<string>()): string[] => {
    const row = byId.get(id);
    if (!row || seen.has(id)) return [];
    seen.add(id);
    return [...(row.parentId ? path(row.parentId, seen) : []), row.name];
  };
  return rows
    .map((r) => ({ id: r.id, label: path(r.id).join(' › ') }))
    .sort((a, b) => a.label.localeCompare(b.label, 'vi'));
}

export function channelsPages(c: Container): Router {
  const router = Router();

  async function show(req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) {
    const [channels, units] = await Promise.all([
      c.channels.list(req.actor!).then((rows) => rows.map(presentChannel)),
      c.users.listAllUnits().then(unitChoices),
    ]);
    renderPage(
      req,
      res,
      'pages/channels',
      {
        title: req.t('channels.title'),
        channels,
        units,
        demo: c.channels.demoAvailable(),
        form: { platform: 'facebook' },
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/admin/channels', async (req, res) => {
    if (!pageActor(req, res, ['admin'])) return;
    await show(req, res);
  });

  router.post('/admin/channels', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = connectChannelSchema.safeParse({
      platform: body.platform,
      externalId: body.externalId,
      name: blankToUndefined(body.name),
      accessToken: body.accessToken,
      refreshToken: blankToUndefined(body.refreshToken),
    });
    try {
      if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
      const row = await c.channels.connect(actor, parsed.data);
      setFlash(req, 'success', req.t('channels.connected', { name: row.name }));
      res.redirect(303, '/admin/channels');
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const errors =
        error instanceof ValidationError ? fieldErrors(error.problems) : { accessToken: error.message };
      // Tokens are never echoed back into the page.
      const form = { platform: body.platform, externalId: body.externalId, name: body.name };
      await show(req, res, { form, errors, formError: error.message }, error.status);
    }
  });

  router.post('/admin/channels/demo', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const { platform } = demoPlatformSchema.parse(req.body ?? {});
    try {
      const row = await c.channels.connectDemo(actor, platform);
      setFlash(req, 'success', req.t('channels.connected', { name: row.name }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      setFlash(req, 'error', error.message);
    }
    res.redirect(303, '/admin/channels');
  });

  router.post('/admin/channels/:id/status', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const id = channelIdSchema.parse(req.params.id);
    const status =
      (req.body as Record<string, unknown> | undefined)?.status === 'active' ? 'active' : 'disabled';
    try {
      await c.channels.setStatus(actor, id, status);
      setFlash(req, 'success', req.t(status === 'active' ? 'channels.enabled' : 'channels.disabled'));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      setFlash(req, 'error', error.message);
    }
    res.redirect(303, '/admin/channels');
  });

  // Giving a channel to a unit: its editors and reviewers (and those above) then post to it.
  router.post('/admin/channels/:id/unit', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const id = channelIdSchema.parse(req.params.id);
    const { unitId } = channelUnitForm.parse(req.body ?? {});
    try {
      const row = await c.channels.update(actor, id, { unitId });
      setFlash(req, 'success', req.t(unitId ? 'scope.unitSaved' : 'scope.unitCleared', { name: row.name }));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      setFlash(req, 'error', error.message);
    }
    res.redirect(303, '/admin/channels');
  });

  router.post('/admin/channels/:id/delete', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const id = channelIdSchema.parse(req.params.id);
    try {
      await c.channels.remove(actor, id);
      setFlash(req, 'success', req.t('channels.deleted'));
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500 || error.status === 404) throw error;
      setFlash(req, 'error', error.message);
    }
    res.redirect(303, '/admin/channels');
  });

  return router;
}
