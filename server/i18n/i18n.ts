// Interface text in Vietnamese (default) and English, through i18next.
import { readFileSync } from 'node:fs';
import i18next, { type i18n as I18n } from 'i18next';
import type { RequestHandler } from 'express';

export type Language = 'vi' | 'en';
export const LANGUAGES: readonly Language[] = ['vi', 'en'];
const COOKIE = 'loa_lang';

function loadLocale(language: Language): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./locales/${language}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
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
  const match = header?.split(';').map((part) => part.trim().split('=')).find(([key]) => key === name);
  return match?.[1];
}

function asLanguage(value: unknown): Language | undefined {
  return LANGUAGES.find((l) => l === value);
}

/** Language from `?lang=` (remembered in a cookie), then the cookie, then the default. */
export function languageMiddleware(i18n: I18n, defaultLanguage: Language): RequestHandler {
  return (req, res, next) => {
    const fromQuery = asLanguage(req.query.lang);
    if (fromQuery) res.cookie(COOKIE, fromQuery, { maxAge: 365 * 86_400_000, sameSite: 'lax', httpOnly: true });
    const language = fromQuery ?? asLanguage(cookieValue(req.headers.cookie, COOKIE)) ?? defaultLanguage;
    const t = i18n.getFixedT(language);
    req.language = language;
    req.t = (key, options) => String(t(key, options ?? {}));
    res.locals.lang = language;
    res.locals.otherLanguage = language === 'vi' ? 'en' : 'vi';
    next();
  };
}
