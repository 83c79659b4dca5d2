// Handlebars views for the web pages: layouts, partials and pages under templates/, and the
// few helpers the pages use. Static assets come from installed packages (no CDN).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';
import { engine } from 'express-handlebars';
import type { HelperOptions } from 'handlebars';

const require = createRequire(import.meta.url);
export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates', import.meta.url));
const PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url));

type Translate = (key: string, options?: Record<string, unknown>) => string;

function rootOf(options: HelperOptions): Record<string, unknown> {
  return (options.data as { root?: Record<string, unknown> } | undefined)?.root ?? {};
}

export function configureViews(app: Express, options: { timeZone: string }): void {
  const dateFormats = {
    vi: new Intl.DateTimeFormat('vi-VN', {
      timeZone: options.timeZone,
      dateStyle: 'short',
      timeStyle: 'short',
    }),
    en: new Intl.DateTimeFormat('en-GB', {
      timeZone: options.timeZone,
      dateStyle: 'medium',
      timeStyle: 'short',
    }),
  };
  app.engine(
    'hbs',
    engine({
      extname: '.hbs',
      defaultLayout: 'main',
      // Multi-line values (post texts) in an indented partial must not be indented line by line.
      compilerOptions: { preventIndent: true },
      layoutsDir: path.join(TEMPLATES_DIR, 'layouts'),
      partialsDir: path.join(TEMPLATES_DIR, 'partials'),
      helpers: {
        t(key: string, options: HelperOptions) {
          const translate = rootOf(options).__t as Translate | undefined;
          return translate ? translate(key, options.hash as Record<string, unknown>) : key;
        },
        eq: (a: unknown, b: unknown) => a === b,
        /** `{{#if (oneOf actor.role "admin,editor")}}` */
        oneOf: (value: unknown, list: unknown) => String(list).split(',').includes(String(value)),
        concat: (...parts: unknown[]) => parts.slice(0, -1).map(String).join(''),
        dateTime(value: unknown, options: HelperOptions) {
          if (!value) return '';
          const date = value instanceof Date ? value : new Date(String(value));
          if (Number.isNaN(date.getTime())) return '';
          return dateFormats[rootOf(options).lang === 'en' ? 'en' : 'vi'].format(date);
        },
      },
    }),
  );
  app.set('view engine', 'hbs');
  app.set('views', TEMPLATES_DIR);
}

/** Serves our stylesheet and the vendored front-end packages from node_modules. */
export function staticAssets(): express.Router {
  const router = express.Router();
  const files: Record<string, string> = {
    '/assets/pico.min.css': require.resolve('@picocss/pico/css/pico.min.css'),
    '/assets/htmx.min.js': require.resolve('htmx.org/dist/htmx.min.js'),
    // The dashboard's charts (Chart.js's UMD build defines the global `Chart`).
    '/assets/chart.umd.min.js': path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'),
    '/assets/fullcalendar.min.js': path.join(
      path.dirname(require.resolve('fullcalendar')),
      'index.global.min.js',
    ),
    // Named time zones (LOA_TIMEZONE) for the calendar, whatever zone the browser is in.
    '/assets/luxon.min.js': path.join(path.dirname(require.resolve('luxon')), '..', 'global', 'luxon.min.js'),
    '/assets/fullcalendar-luxon3.js': path.join(
      path.dirname(require.resolve('@fullcalendar/luxon3')),
      'index.global.min.js',
    ),
    '/assets/fullcalendar-vi.js': path.join(
      path.dirname(require.resolve('@fullcalendar/core')),
      'locales',
      'vi.global.min.js',
    ),
  };
  for (const [route, file] of Object.entries(files)) {
    router.get(route, (_req, res) => res.sendFile(file, { maxAge: '7d' }));
  }
  router.use('/assets', express.static(PUBLIC_DIR, { maxAge: '1h', index: false }));
  return router;
}
