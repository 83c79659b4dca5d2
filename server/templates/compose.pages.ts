// The composer: choose a template (or write free text), fill its variables with a live preview
// of the text and the card as Facebook and Zalo will show them, attach media, choose channels,
// time and campaign, and save a draft through the posts service.
import { Router, type Request, type Response } from 'express';
import type { Container } from '../container.ts';
import type { Actor } from '../auth/actor.ts';
import { AppError, PlatformLimitError, ValidationError, type FieldProblem } from '../errors.ts';
import { csrfTokenFor } from '../http/middleware/csrf.ts';
import { fieldErrors, pageActor, renderPage } from '../http/page.ts';
import { CARD_SIZE_NAMES, type CardSize } from '../rendering/index.ts';
import { createComposeRepo } from './compose.repo.ts';
import { instantToLocal, localToInstant } from '../shared/zoned-time.ts';
import { facebookText, zaloDescription } from './post-text.ts';
import { FACEBOOK_POST_TEXT_MAX, ZALO_DESCRIPTION_MAX, ZALO_TITLE_MAX } from './template-render.ts';
import type { RenderPostInput } from './templates.service.ts';

const COMPOSERS = ['editor', 'admin'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface ComposeForm {
  /** Set when editing an existing post (with the version the editor opened). */
  postId: string;
  version: number | null;
  templateId: string;
  /** The editor's own title; empty: the template's title or the text's first line. */
  title: string;
  text: string;
  variables: Record<string, string>;
  withCard: boolean;
  cardSize: CardSize;
  backgroundMediaId: string;
  mediaIds: string[];
  channelIds: string[];
  scheduledAt: string;
  campaignId: string;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : '');
const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
    (v): v is string => typeof v === 'string' && UUID.test(v),
  );
const count = (text: string): number => [...text].length;

function readForm(body: Record<string, unknown>): ComposeForm {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key.startsWith('v.') && typeof value === 'string') variables[key.slice(2)] = value;
  }
  const size = str(body.cardSize);
  return {
    postId: UUID.test(str(body.postId)) ? str(body.postId) : '',
    version: /^\d+$/.test(str(body.version)) ? Number(body.version) : null,
    templateId: str(body.templateId),
    title: str(body.title).normalize('NFC').replace(/\s+/g, ' ').trim(),
    text: str(body.text),
    variables,
    withCard: body.withCard === 'on' || body.withCard === 'true',
    cardSize: (CARD_SIZE_NAMES as readonly string[]).includes(size) ? (size as CardSize) : 'feed',
    backgroundMediaId: UUID.test(str(body.backgroundMediaId)) ? str(body.backgroundMediaId) : '',
    mediaIds: list(body.mediaIds),
    channelIds: list(body.channelIds),
    scheduledAt: str(body.scheduledAt),
    campaignId: UUID.test(str(body.campaignId)) ? str(body.campaignId) : '',
  };
}

/** Zalo sends nothing to followers between 22:00 and 06:00 (Asia/Ho_Chi_Minh): say so before saving. */
function zaloNightWarning(form: ComposeForm, channels: Array<{ id: string; platform: string }>): boolean {
  const zalo = channels.some((ch) => ch.platform === 'zalo' && form.channelIds.includes(ch.id));
  const hour = Number(/T(\d{2}):/.exec(form.scheduledAt)?.[1] ?? '12');
  return zalo && (hour >= 22 || hour < 6);
}

function renderInput(form: ComposeForm, unitId: string | null): RenderPostInput {
  return {
    // Variables declaring `from: unit.*` left empty take the post's unit's values.
    unitId,
    ...(form.templateId ? { templateId: form.templateId, variables: form.variables } : { text: form.text }),
    withCard: form.withCard,
    cardSize: form.cardSize,
    ...(form.backgroundMediaId && { backgroundMediaId: form.backgroundMediaId }),
  };
}

export function composePages(c: Container): Router {
  const router = Router();
  const repo = createComposeRepo(c.database.db);
  const zone = c.config.timeZone;

  /** Whose profile fills the form: the post's unit when editing, else the writer's. */
  async function unitOf(req: Request, form: ComposeForm): Promise<string | null> {
    if (form.postId)
      return (await c.posts.getPost(req.actor!, form.postId).catch(() => null))?.unitId ?? null;
    return req.actor?.unitId ?? null;
  }

  /** An edited post keeps the template version it was written from (archived templates too). */
  async function keptTemplateVersion(actor: Actor, form: ComposeForm): Promise<number | undefined> {
    if (!form.postId || !form.templateId) return undefined;
    const post = await c.posts.getPost(actor, form.postId).catch(() => null);
    return post?.templateId === form.templateId ? (post.templateVersion ?? undefined) : undefined;
  }

  /**
   * The preview's view-model: the post as each platform shows it, counters, and the compose-time
   * checks per chosen channel (the same the save, submit and approval run), with the Zalo cover
   * the post will get when it has no picture of its own.
   */
  async function preview(req: Request, actor: Actor, form: ComposeForm) {
    try {
      const templateVersion = await keptTemplateVersion(actor, form);
      const rendered = await c.templates.renderPost({
        ...renderInput(form, await unitOf(req, form)),
        ...(templateVersion !== undefined && { templateVersion }),
      });
      const post = form.title ? { ...rendered, title: form.title } : rendered;
      const fbText = facebookText(post.text, post.hashtags);
      const description = zaloDescription(post.text, post.title);
      const problems = c.templates.platformProblems(post);
      const images = form.mediaIds.length > 0 ? await c.media.getMany(form.mediaIds) : [];
      const checked = await c.posts.previewChecks(actor, {
        title: post.title,
        text: post.text,
        card: post.card,
        mediaIds: form.mediaIds,
        channelIds: form.channelIds,
        scheduledAt: localToInstant(form.scheduledAt, zone) ?? new Date(),
        notAfter: null,
      });
      const limits = PlatformLimitError.describe(checked.problems, req.t);
      const chosen = checked.platforms;
      const firstImage = images[0];
      const zaloCover = post.card
        ? null
        : firstImage
          ? { url: c.media.localUrl(firstImage, 'thumb'), altText: firstImage.altText, generated: false }
          : checked.zaloCover
            ? { url: `/media/${checked.zaloCover.file}`, altText: checked.zaloCover.altText, generated: true }
            : null;
      return {
        ok: true,
        post,
        cardUrl: post.card ? `/media/${post.card.file}` : null,
        images: images.map((row) => ({ url: c.media.localUrl(row, 'thumb'), altText: row.altText })),
        checks: {
          chosen: form.channelIds.length > 0,
          ok: form.channelIds.length > 0 && limits.length === 0,
        },
        facebook: {
          text: fbText,
          length: count(fbText),
          max: FACEBOOK_POST_TEXT_MAX,
          // Chosen channels are checked as they will be published; otherwise the text alone.
          problems: chosen.has('facebook')
            ? limits.filter((p) => p.platform === 'facebook')
            : problems.facebook,
        },
        zalo: {
          cover: zaloCover,
          title: post.title,
          titleLength: count(post.title),
          titleMax: ZALO_TITLE_MAX,
          description,
          descriptionLength: count(description),
          descriptionMax: ZALO_DESCRIPTION_MAX,
          body: post.text,
          problems: chosen.has('zalo') ? limits.filter((p) => p.platform === 'zalo') : problems.zalo,
        },
      };
    } catch (error) {
      if (error instanceof ValidationError) return { ok: false, problems: error.problems };
      if (error instanceof AppError && error.status < 500)
        return { ok: false, problems: [{ path: 'template', message: error.message }] };
      throw error;
    }
  }

  async function showComposer(
    req: Request,
    res: Response,
    form: ComposeForm,
    extra: Record<string, unknown> = {},
    status = 200,
  ) {
    const [templates, mediaRows, channels, campaigns, unit] = await Promise.all([
      c.templates.listTemplates(),
      c.media.list(req.actor!, { limit: 48 }),
      repo.listChannels(req.actor!.scope),
      repo.listCampaigns(),
      unitOf(req, form).then((id) => c.units.brand(id)),
    ]);
    const templateVersion = await keptTemplateVersion(req.actor!, form);
    const template =
      templateVersion === undefined
        ? (templates.find((tpl) => tpl.id === form.templateId) ?? null)
        : await c.templates.getTemplate(form.templateId, { version: templateVersion }).catch(() => null);
    const fromUnit = (source: string | undefined): string | undefined => {
      if (!source || !unit) return undefined;
      const field = source.slice('unit.'.length) as keyof typeof unit.values;
      return unit.values[field];
    };
    const fields = (template?.variables ?? []).map((v) => ({
      ...v,
      // Pre-filled from the unit's profile; the editor may still change it.
      value: form.variables[v.name] || fromUnit(v.from) || v.default || '',
      fromUnit: Boolean(fromUnit(v.from)),
      inputType:
        v.type === 'date'
          ? 'date'
          : v.type === 'phone'
            ? 'tel'
            : v.type === 'url'
              ? 'url'
              : v.type === 'number'
                ? 'number'
                : 'text',
      multiline: v.type === 'multiline',
    }));
    renderPage(
      req,
      res,
      'pages/compose',
      {
        title: req.t('compose.title'),
        form,
        template,
        templates: [
          ...templates,
          ...(template && !templates.some((tpl) => tpl.id === template.id) ? [template] : []),
        ].map((tpl) => ({
          id: tpl.id,
          name: tpl.name,
          builtIn: tpl.builtIn,
          selected: tpl.id === form.templateId,
        })),
        fields,
        media: mediaRows.map((row) => ({
          id: row.id,
          url: c.media.localUrl(row, 'thumb'),
          altText: row.altText,
          attached: form.mediaIds.includes(row.id),
          background: form.backgroundMediaId === row.id,
        })),
        channels: channels.map((ch) => ({ ...ch, checked: form.channelIds.includes(ch.id) })),
        campaigns: campaigns.map((cp) => ({ ...cp, selected: cp.id === form.campaignId })),
        sizes: CARD_SIZE_NAMES.map((s) => ({ name: s, selected: s === form.cardSize })),
        timeZone: zone,
        editing: form.postId !== '',
        zaloNight: zaloNightWarning(form, channels),
        errors: {},
        ...extra,
      },
      status,
    );
  }

  function emptyForm(templateId: string): ComposeForm {
    const start = new Date(Date.now() + 3_600_000);
    start.setUTCMinutes(0, 0, 0);
    return {
      postId: '',
      version: null,
      templateId,
      title: '',
      text: '',
      variables: {},
      withCard: true,
      cardSize: 'feed',
      backgroundMediaId: '',
      mediaIds: [],
      channelIds: [],
      scheduledAt: instantToLocal(start, zone),
      campaignId: '',
    };
  }

  router.get('/compose', async (req, res) => {
    if (!pageActor(req, res, COMPOSERS)) return;
    const postId = str(req.query.postId);
    if (UUID.test(postId)) {
      const post = await c.posts.getPost(req.actor!, postId);
      await showComposer(req, res, {
        postId: post.id,
        version: post.version,
        templateId: post.templateId ?? '',
        title: post.customTitle ?? '',
        text: post.templateId ? '' : post.text,
        variables: post.variables,
        withCard: post.withCard,
        cardSize: (post.card?.size as CardSize | undefined) ?? 'feed',
        backgroundMediaId: '',
        mediaIds: post.mediaIds,
        channelIds: post.channelIds,
        scheduledAt: instantToLocal(post.scheduledAt, zone),
        campaignId: post.campaignId ?? '',
      });
      return;
    }
    const templateId = str(req.query.templateId);
    const form = emptyForm(/^[a-z0-9-]{2,64}$/.test(templateId) ? templateId : '');
    await showComposer(req, res, form);
  });

  // htmx posts the whole form here on every change (debounced) and swaps in the partial.
  router.post('/compose/preview', async (req, res) => {
    const actor = pageActor(req, res, COMPOSERS);
    if (!actor) return;
    const form = readForm((req.body ?? {}) as Record<string, unknown>);
    res.render('partials/compose-preview', {
      layout: false,
      preview: await preview(req, actor, form),
      __t: req.t,
      csrfToken: csrfTokenFor(req),
    });
  });

  // Without JavaScript: "Xem trước" re-renders the page with the preview; "Lưu nháp" saves.
  router.post('/compose', async (req, res) => {
    const actor = pageActor(req, res, COMPOSERS);
    if (!actor) return;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const form = readForm(body);
    if (body.action !== 'save') {
      await showComposer(req, res, form, { preview: await preview(req, actor, form) });
      return;
    }
    const problems: FieldProblem[] = [];
    const scheduledAt = localToInstant(form.scheduledAt, zone);
    if (!scheduledAt) problems.push({ path: 'scheduledAt', message: req.t('compose.badTime') });
    try {
      if (problems.length > 0 || !scheduledAt) throw new ValidationError(problems);
      const content = {
        ...(form.templateId
          ? { templateId: form.templateId, variables: form.variables }
          : { text: form.text }),
        withCard: form.withCard,
        cardSize: form.cardSize,
        backgroundMediaId: form.backgroundMediaId || null,
        mediaIds: form.mediaIds,
        channelIds: form.channelIds,
        scheduledAt,
        campaignId: form.campaignId || null,
      };
      const post = form.postId
        ? await c.posts.updatePost(
            actor,
            form.postId,
            {
              ...content,
              title: form.title || null,
              ...(form.version !== null && { version: form.version }),
            },
            c.publishing,
          )
        : await c.posts.createPost(actor, { ...content, ...(form.title && { title: form.title }) });
      res.redirect(303, `/posts/${post.id}`);
    } catch (error) {
      if (!(error instanceof AppError) || error.status >= 500) throw error;
      const list =
        error instanceof PlatformLimitError
          ? error.localized(req.t)
          : error instanceof ValidationError
            ? error.problems
            : [{ path: 'save', message: error.message }];
      await showComposer(
        req,
        res,
        form,
        { preview: await preview(req, actor, form), errors: fieldErrors(list), problems: list },
        error.status === 422 ? 422 : error.status,
      );
    }
  });

  return router;
}
