// Interface text in Vietnamese (default) and English, through i18next.
import { readdirSync, readFileSync } from 'node:fs';
import i18next, { type i18n as I18n } from 'i18next';
import type { RequestHandler } from 'express';

export type Language = 'vi' | 'en';
export const LANGUAGES: readonly Language[] = ['vi', 'en'];
const COOKIE = 'loa_lang';

/** locales/<lang>/<section>.json, one file per module: its keys are read as `<section>.<key>`. */
function loadLocale(language: Language): Record<string, unknown> {
  const dir = new URL(`./locales/${language}/`, import.meta.url);
  const resources: Record<string, unknown> = {};
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    resources[file.slice(0, -'.json'.length)] = JSON.parse(
      readFileSync(new URL(file, dir), 'utf8'),
    ) as unknown;
  }
  return resources;
}

export function createI18n(defaultLanguage: Language): I18n {
  const instance = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: defaultLanguage,
    fallbackLng: 'vi',
    supportedLngs: [...LANGUAGES],
    resources: { vi: { translation: loadLocale('vi') }, en: { translation: loadLocale('en') } },
    interpolation: { escapeValue: false }, // Handlebars escapes on output
    returnNull: false,
  });
  return instance;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  const match = header
    ?.split(';')
    .map((part) => part.trim().split('='))
    .find(([key]) => key === name);
  return match?.[1];
}

function asLanguage(value: unknown): Language | undefined {
  return LANGUAGES.find((l) => l === value);
}

/** Language from `?lang=` (remembered in a cookie), then the cookie, then the default. */
export function languageMiddleware(i18n: I18n, defaultLanguage: Language): RequestHandler {
  return (req, res, next) => {
    const fromQuery = asLanguage(req.query.lang);
    if (fromQuery)
      res.cookie(COOKIE, fromQuery, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true });
    const language = fromQuery ?? asLanguage(cookieValue(req.headers.cookie, COOKIE)) ?? defaultLanguage;
    const t = i18n.getFixedT(language);
    req.language = language;
    req.t = (key, options) => String(t(key, options ?? {}));
    res.locals.lang = language;
    res.locals.otherLanguage = language === 'vi' ? 'en' : 'vi';
    next();
  };
}
