// The pages of connecting a channel through the platform's login: the start (a redirect to
// the platform's dialog), the callback, and the page where the admin ticks the accounts to
// connect and picks each one's unit. A refused step is a 400 page in the person's language.
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import { ValidationError } from '../errors.ts';
import { zodProblems } from '../http/api-route.ts';
import { fieldErrors, pageActor, renderPage, setFlash } from '../http/page.ts';
import { ConnectFlowError } from './channel-connect.service.ts';
import {
  connectCallbackSchema,
  connectChoiceKeySchema,
  connectPicksSchema,
  connectPlatformSchema,
  connectStartSchema,
} from './channel-connect.schemas.ts';

export function channelConnectPages(c: Container): Router {
  const router = Router();

  function showFlowError(req: Request, res: Response, error: ConnectFlowError) {
    renderPage(
      req,
      res,
      'pages/channel-connect-error',
      {
        title: req.t('connect.errorTitle'),
        message: req.t(`connect.${error.flowCode}`),
        platformMessage: error.platformMessage,
      },
      400,
    );
  }

  async function showChoice(
    req: Request,
    res: Response,
    key: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const actor = req.actor!;
    const [choice, units] = await Promise.all([
      c.channelConnect.choice(actor, req.sessionID, key),
      c.users.listAllUnits(),
    ]);
    const defaultUnit = choice.reconnecting?.unitId ?? null;
    const accounts = choice.accounts.map((account, index) => {
      const unitId = account.existing?.unitId ?? defaultUnit;
      return {
        ...account,
        index,
        checked: choice.reconnecting
          ? account.externalId === choice.reconnecting.externalId
          : account.existing === null,
        units: units.map((unit) => ({ id: unit.id, name: unit.name, selected: unit.id === unitId })),
      };
    });
    renderPage(
      req,
      res,
      'pages/channel-connect-choose',
      {
        title: req.t(`connect.chooseTitle_${choice.platform}`),
        platform: choice.platform,
        reconnecting: choice.reconnecting,
        reconnectMissing:
          choice.reconnecting !== null &&
          !choice.accounts.some((account) => account.externalId === choice.reconnecting?.externalId),
        accounts,
        key,
        errors: {},
        ...extra,
      },
      status,
    );
  }

  /** Runs a step; a ConnectFlowError becomes the 400 page, anything else goes to the error handler. */
  async function step(req: Request, res: Response, run: () => Promise<void>) {
    try {
      await run();
    } catch (error) {
      if (error instanceof ConnectFlowError) return showFlowError(req, res, error);
      throw error;
    }
  }

  // Before /:platform, so that "choose" is never read as a platform.
  router.get('/admin/channels/connect/choose/:key', async (req, res) => {
    if (!pageActor(req, res, ['admin'])) return;
    const key = connectChoiceKeySchema.parse(req.params.key);
    await step(req, res, () => showChoice(req, res, key));
  });

  router.post('/admin/channels/connect/choose/:key', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const key = connectChoiceKeySchema.parse(req.params.key);
    await step(req, res, async () => {
      const parsed = connectPicksSchema.safeParse(req.body ?? {});
      try {
        if (!parsed.success) throw new ValidationError(zodProblems(parsed.error));
        const rows = await c.channelConnect.complete(actor, {
          sessionId: req.sessionID,
          key,
          picks: parsed.data,
        });
        setFlash(
          req,
          'success',
          req.t('connect.done', { count: rows.length, names: rows.map((row) => row.name).join(', ') }),
        );
        // express-session sends a redirect's headers before its save finishes: the browser could
        // load the channels page from the old session and never show this message.
        await new Promise<void>((resolve, reject) =>
          req.session.save((error) => (error ? reject(error) : resolve())),
        );
        res.redirect(303, '/admin/channels');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        await showChoice(req, res, key, { errors: fieldErrors(error.problems) }, 422);
      }
    });
  });

  router.get('/admin/channels/connect/:platform', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const platform = connectPlatformSchema.parse(req.params.platform);
    const query = connectStartSchema.parse(req.query);
    const target = await c.channelConnect.start(actor, {
      platform,
      sessionId: req.sessionID,
      reconnectChannelId: query.channel,
    });
    res.redirect(302, target);
  });

  router.get('/admin/channels/connect/:platform/callback', async (req, res) => {
    const actor = pageActor(req, res, ['admin']);
    if (!actor) return;
    const platform = connectPlatformSchema.parse(req.params.platform);
    const callback = connectCallbackSchema.parse(req.query);
    await step(req, res, async () => {
      const key = await c.channelConnect.finish(actor, {
        platform,
        sessionId: req.sessionID,
        callback: {
          state: callback.state,
          code: callback.code,
          error: callback.error,
          oaId: callback.oa_id,
        },
      });
      res.redirect(303, `/admin/channels/connect/choose/${key}`);
    });
  });

  return router;
}
