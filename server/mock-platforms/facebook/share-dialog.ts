// The Share Dialog (www.facebook.com/dialog/share), as a person's browser sees it: the link's
// preview and an empty message box (Meta forbids prefilling it). "Post" puts the share on the
// signed-in person's timeline (the members ledger); "Cancel" goes back with error_code 4201.
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { signedInPerson, type WwwSessions } from '../shared/www-session.ts';
import type { FacebookState } from './state.ts';

const PREVIEW_TIMEOUT_MS = 5000;
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000);

const dialogSchema = z.object({
  app_id: z.string().min(1).max(64),
  href: httpUrl,
  redirect_uri: httpUrl,
  display: z.string().max(20).optional(),
});
const postSchema = dialogSchema.extend({
  message: z.string().max(63_206).optional(),
  action: z.enum(['post', 'cancel']),
});

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

interface Preview {
  title: string;
  description: string;
  image: string | undefined;
  url: string;
}

function metaContent(html: string, property: string): string | undefined {
  const tag = new RegExp(`<meta[^>]+(?:property|name)=["']${property}["'][^>]*>`, 'i').exec(html)?.[0];
  const content = tag ? /content=["']([^"']*)["']/i.exec(tag)?.[1] : undefined;
  return content
    ?.replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");
}

/** Fetches the link like Facebook's crawler does; undefined when it does not resolve. */
async function fetchPreview(href: string): Promise<Preview | undefined> {
  try {
    const res = await fetch(href, {
      redirect: 'follow',
      signal: AbortSignal.timeout(PREVIEW_TIMEOUT_MS),
      headers: { 'user-agent': 'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)' },
    });
    if (!res.ok) return undefined;
    const html = (await res.text()).slice(0, 200_000);
    const title = metaContent(html, 'og:title') ?? /<title>([^<]*)<\/title>/i.exec(html)?.[1] ?? res.url;
    return {
      title,
      description: metaContent(html, 'og:description') ?? '',
      image: metaContent(html, 'og:image'),
      url: res.url,
    };
  } catch {
    return undefined;
  }
}

function page(res: Response, status: number, title: string, body: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>` +
        `<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:1rem auto;padding:0 1rem}` +
        `.preview{border:1px solid #ccc;border-radius:8px;overflow:hidden;margin:1rem 0}.preview img{width:100%;display:block}` +
        `.preview div{padding:.5rem}textarea{width:100%;min-height:6rem;font:inherit}button{font-size:1rem;padding:.6rem 1.2rem;margin-right:.5rem}</style>` +
        `</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`,
    );
}

function withQuery(uri: string, params: Record<string, string>): string {
  const url = new URL(uri);
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  url.hash = '_=_';
  return url.href;
}

export function shareDialogRouter(deps: {
  state: FacebookState;
  appId: string;
  sessions: WwwSessions;
}): Router {
  const router = Router();

  function hidden(input: z.infer<typeof dialogSchema>): string {
    return (['app_id', 'href', 'redirect_uri', 'display'] as const)
      .map((name) =>
        input[name] === undefined
          ? ''
          : `<input type="hidden" name="${name}" value="${escapeHtml(String(input[name]))}">`,
      )
      .join('');
  }

  /** The checks the real dialog makes before it shows anything. */
  function check(req: Request, res: Response, input: z.infer<typeof dialogSchema>): boolean {
    if (input.app_id !== deps.appId) {
      page(
        res,
        400,
        'Error',
        '<p>Invalid App ID: the provided app ID does not look like a valid app ID.</p>',
      );
      return false;
    }
    return true;
  }

  router.get(/^\/(v\d+\.\d+\/)?dialog\/share$/, async (req, res) => {
    const parsed = dialogSchema.safeParse(req.query);
    if (!parsed.success) {
      return page(res, 400, 'Error', '<p>The parameter href is required and must be an http(s) URL.</p>');
    }
    const input = parsed.data;
    if (!check(req, res, input)) return;
    const person = signedInPerson(req, deps.sessions);
    if (!person) {
      const next = req.originalUrl;
      return page(
        res,
        401,
        'Log in to Facebook',
        `<p>You must log in to continue.</p><form method="post" action="/_mock/login"><label>User id <input name="userId" required></label>` +
          `<input type="hidden" name="next" value="${escapeHtml(next)}"><button type="submit">Log in</button></form>`,
      );
    }
    const preview = await fetchPreview(input.href);
    if (!preview) {
      return page(
        res,
        400,
        'Error',
        '<p>The link could not be resolved: it must be a reachable http(s) URL.</p>',
      );
    }
    page(
      res,
      200,
      'Share on Facebook',
      `<p>Sharing as <strong class="share-as">${escapeHtml(person.name)}</strong></p>` +
        `<form method="post" action="/dialog/share">${hidden(input)}` +
        `<label for="message">Say something about this…</label><textarea id="message" name="message"></textarea>` +
        `<div class="preview">${preview.image ? `<img src="${escapeHtml(preview.image)}" alt="">` : ''}` +
        `<div><strong class="preview-title">${escapeHtml(preview.title)}</strong><br><small>${escapeHtml(preview.description)}</small><br>` +
        `<small>${escapeHtml(new URL(preview.url).host)}</small></div></div>` +
        `<button type="submit" name="action" value="post">Post</button><button type="submit" name="action" value="cancel">Cancel</button></form>`,
    );
  });

  router.post(/^\/(v\d+\.\d+\/)?dialog\/share$/, (req, res) => {
    const parsed = postSchema.safeParse(req.body ?? {});
    if (!parsed.success) return page(res, 400, 'Error', '<p>Malformed share.</p>');
    const input = parsed.data;
    if (!check(req, res, input)) return;
    if (input.action === 'cancel') {
      return res.redirect(
        302,
        withQuery(input.redirect_uri, { error_code: '4201', error_message: 'User canceled the Dialog flow' }),
      );
    }
    const person = signedInPerson(req, deps.sessions);
    if (!person) return page(res, 401, 'Log in to Facebook', '<p>You must log in to continue.</p>');
    const message = input.message?.trim();
    deps.state.members.addShare(
      person,
      { link: input.href, message: message ? message : undefined },
      deps.state.clock.now(),
    );
    const back = new URL(input.redirect_uri);
    back.hash = '_=_';
    res.redirect(302, back.href);
  });

  return router;
}
