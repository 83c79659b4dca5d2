// The members area of admins and unit reviewers ("Thành viên"): the members of their units,
// invitations (a link with a copy button and a QR code, the list, revoking), members they create,
// each unit's share rules, and participation per unit — figures by unit, never a ranking of people.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { AppError, ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, flashErrorMessage, pageActor, renderPage, setFlash } from '../http/page.ts';
import { renderQrSvg } from '../rendering/index.ts';
import { unitTree } from '../users/units.pages.ts';
import {
  createMemberSchema,
  directoryQuerySchema,
  invitationFormSchema,
  INVITATION_STATUSES,
  invitationsQuerySchema,
  participationQuerySchema,
  shareRulesFormSchema,
} from './member-admin.schemas.ts';
import { INVITATION_DEFAULT_DAYS } from './members.service.ts';

const STAFF = ['admin', 'reviewer'] as const;
const EXPIRY_CHOICES = [1, 3, 7, 14, 30, 90];
const DAY_MS = 86_400_000;

/** Parses a query string; bad input is a 422 page, never a 500. */
function parseQuery<T extends z.ZodType>(schema: T, req: Request): z.output<T> {
  const parsed = schema.safeParse(req.query);
  if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
  return parsed.data;
}

/** The field messages of a refusal in the reader's language (`member-admin.field_<message>`). */
function formErrors(req: Request, error: ValidationError): Record<string, string> {
  const messages = fieldErrors(error.problems);
  return Object.fromEntries(
    Object.entries(messages).map(([field, message]) => [
      field,
      req.t(`member-admin.invalid_${field}`, { defaultValue: message }),
    ]),
  );
}

export function memberAdminPages(c: Container): Router {
  const router = Router();
  const { admin, memberStats } = c.amplification;

  /** The units of the actor's scope as indented options, the chosen one marked. */
  async function unitOptions(req: Request, chosen?: string | null) {
    const { flat } = unitTree(await admin.units(req.actor!));
    return flat.map((u) => ({ id: u.id, label: u.label, selected: u.id === chosen }));
  }

  router.get('/members', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const query = parseQuery(directoryQuerySchema, req);
    const [directory, units] = await Promise.all([
      admin.directory(actor, query),
      unitOptions(req, query.unitId),
    ]);
    const more = new URLSearchParams({
      ...(query.unitId && { unitId: query.unitId }),
      ...(query.q && { q: query.q }),
      ...(directory.nextCursor && { cursor: directory.nextCursor }),
    });
    renderPage(req, res, 'pages/member-admin-list', {
      title: req.t('member-admin.listTitle'),
      tab: 'list',
      directory,
      units,
      query,
      moreHref: directory.nextCursor ? `/members?${more.toString()}` : null,
      firstPage: !query.cursor,
    });
  });

  async function showInvitations(
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const actor = req.actor!;
    const query = parseQuery(invitationsQuerySchema, req);
    const form = (extra.form as { unitId?: string } | undefined) ?? {};
    const [list, units, filterUnits] = await Promise.all([
      admin.invitations(actor, query),
      unitOptions(req, form.unitId ?? query.unitId ?? actor.unitId),
      unitOptions(req, query.unitId),
    ]);
    const more = new URLSearchParams({
      ...(query.unitId && { unitId: query.unitId }),
      ...(query.status && { status: query.status }),
      ...(list.nextCursor && { cursor: list.nextCursor }),
    });
    renderPage(
      req,
      res,
      'pages/member-admin-invitations',
      {
        title: req.t('member-admin.invitationsTitle'),
        tab: 'invitations',
        list,
        units,
        filterUnits,
        statuses: INVITATION_STATUSES.map((s) => ({ value: s, selected: s === query.status })),
        expiryChoices: EXPIRY_CHOICES.map((d) => ({
          value: d,
          selected:
            d ===
            Number(
              (extra.form as { expiresInDays?: string } | undefined)?.expiresInDays ??
                INVITATION_DEFAULT_DAYS,
            ),
        })),
        moreHref: list.nextCursor ? `/members/invitations?${more.toString()}` : null,
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/members/invitations', async (req, res) => {
    if (!pageActor(req, res, STAFF)) return;
    await showInvitations(req, res);
  });

  router.post('/members/invitations', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const form = invitationFormSchema.safeParse(body);
      if (!form.success) throw new ValidationError(zodProblems(form.error));
      const made = await admin.createInvitation(actor, form.data);
      const qrSvg = await renderQrSvg(made.url, req.t('member-admin.qrLabel', { unit: made.unitName }));
      await showInvitations(req, res, { created: { ...made, qrSvg }, form: body });
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await showInvitations(req, res, { form: body, errors: formErrors(req, error) }, 422);
    }
  });

  router.post('/members/invitations/:id/revoke', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const id = z.uuid().safeParse(req.params.id);
    try {
      if (!id.success) throw new ValidationError(zodProblems(id.error, 'id'));
      await admin.revokeInvitation(actor, id.data);
      setFlash(req, 'success', req.t('member-admin.revoked'));
    } catch (error) {
      const message =
        error instanceof AppError && error.code === 'invitation_not_open'
          ? req.t('member-admin.notOpen')
          : flashErrorMessage(req, error);
      setFlash(req, 'error', message);
    }
    res.redirect(303, '/members/invitations');
  });

  async function showNewMember(
    req: Request,
    res: Response,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const form = (extra.form as { unitId?: string } | undefined) ?? {};
    const chosen =
      form.unitId ?? (typeof req.query.unitId === 'string' ? req.query.unitId : req.actor!.unitId);
    renderPage(
      req,
      res,
      'pages/member-admin-new',
      {
        title: req.t('member-admin.newTitle'),
        tab: 'new',
        units: await unitOptions(req, chosen),
        form: {},
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/members/new', async (req, res) => {
    if (!pageActor(req, res, STAFF)) return;
    await showNewMember(req, res);
  });

  router.post('/members/new', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = {
      name: typeof body.name === 'string' ? body.name : '',
      email: typeof body.email === 'string' ? body.email : '',
      unitId: typeof body.unitId === 'string' ? body.unitId : '',
    };
    try {
      const form = createMemberSchema.safeParse({ ...values, password: body.password });
      if (!form.success) throw new ValidationError(zodProblems(form.error));
      const user = await admin.createMember(actor, form.data);
      setFlash(req, 'success', req.t('member-admin.memberCreated', { name: user.name }));
      res.redirect(303, `/members?unitId=${user.unitId ?? ''}`);
    } catch (error) {
      if (error instanceof AppError && error.code === 'email_taken') {
        return showNewMember(
          req,
          res,
          { form: values, errors: { email: req.t('member-admin.emailTaken') } },
          422,
        );
      }
      if (!(error instanceof ValidationError)) throw error;
      await showNewMember(req, res, { form: values, errors: formErrors(req, error) }, 422);
    }
  });

  async function showRules(
    req: Request,
    res: Response,
    unitId: string | undefined,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const actor = req.actor!;
    const units = await unitOptions(req, unitId);
    const chosen = unitId ?? actor.unitId ?? units[0]?.id;
    const rules = chosen ? await admin.shareRules(actor, chosen) : null;
    renderPage(
      req,
      res,
      'pages/member-admin-rules',
      {
        title: req.t('member-admin.rulesTitle'),
        tab: 'rules',
        units: units.map((u) => ({ ...u, selected: u.id === chosen })),
        rules,
        hasHours: rules?.effective?.hoursFrom !== null && rules?.effective?.hoursFrom !== undefined,
        canEdit: actor.role === 'admin',
        form: rules?.rules ?? {},
        errors: {},
        ...extra,
      },
      status,
    );
  }

  router.get('/members/rules', async (req, res) => {
    if (!pageActor(req, res, STAFF)) return;
    const query = parseQuery(z.object({ unitId: directoryQuerySchema.shape.unitId }), req);
    await showRules(req, res, query.unitId);
  });

  router.post('/members/rules', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const unitId = z.uuid().safeParse(body.unitId);
    try {
      const form = shareRulesFormSchema.safeParse(body);
      if (!form.success) throw new ValidationError(zodProblems(form.error));
      const { unitId: id, ...rules } = form.data;
      await admin.setShareRules(actor, id, rules);
      setFlash(req, 'success', req.t('member-admin.rulesSaved'));
      res.redirect(303, `/members/rules?unitId=${id}`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      await showRules(
        req,
        res,
        unitId.success ? unitId.data : undefined,
        { form: body, errors: formErrors(req, error) },
        422,
      );
    }
  });

  router.get('/members/participation', async (req, res) => {
    const actor = pageActor(req, res, STAFF);
    if (!actor) return;
    const query = parseQuery(participationQuerySchema, req);
    const from = query.days === 'all' ? undefined : new Date(Date.now() - Number(query.days) * DAY_MS);
    const [stats, units] = await Promise.all([
      memberStats.units(actor, { unitId: query.unitId, from }),
      unitOptions(req, query.unitId),
    ]);
    const silent = new Set(stats.unitsWithoutShares.map((u) => u.unitId));
    const totals = stats.items.reduce(
      (sum, r) => ({
        members: sum.members + r.members,
        activeMembers: sum.activeMembers + r.activeMembers,
        shares: sum.shares + r.shares,
        clicks: sum.clicks + r.clicks,
      }),
      { members: 0, activeMembers: 0, shares: 0, clicks: 0 },
    );
    renderPage(req, res, 'pages/member-admin-participation', {
      title: req.t('member-admin.participationTitle'),
      tab: 'participation',
      stats,
      rows: stats.items.map((r) => ({
        ...r,
        silent: silent.has(r.unitId),
        p50Known: r.firstShareMinutesP50 !== null,
      })),
      totals,
      units,
      periods: ['7', '30', '90', 'all'].map((d) => ({ value: d, selected: d === query.days })),
    });
  });

  return router;
}
