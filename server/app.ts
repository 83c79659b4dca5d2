// createApp: the express app with every route and middleware, without listen() (tests use it directly).
import { metricsRouter } from './system/metrics.ts';
import connectPgSimple from 'connect-pg-simple';
import express from 'express';
import session from 'express-session';
import { saveFlashBeforeRedirect } from './http/middleware/flash-redirect.ts';
import helmet from 'helmet';
import { authPages } from './auth/auth.pages.ts';
import { authRoutes } from './auth/auth.routes.ts';
import type { Container } from './container.ts';
import { mountRoutes, type ApiRoute } from './http/api-route.ts';
import { authenticate } from './http/middleware/authenticate.ts';
import { csrfProtection } from './http/middleware/csrf.ts';
import { errorHandler, notFound } from './http/middleware/error-handler.ts';
import { requestContext } from './http/middleware/request-context.ts';
import './http/request.ts';
import { navigation } from './http/nav.ts';
import { configureViews, staticAssets } from './http/views.ts';
import { languageMiddleware } from './i18n/i18n.ts';
import { systemPages, systemRoutes } from './system/system.routes.ts';
import { serveMediaFiles } from './media/media.files.ts';
import { templatesRoutes } from './templates/templates.routes.ts';
import { mediaPages } from './media/media.pages.ts';
import { composePages } from './templates/compose.pages.ts';
import { templatesPages } from './templates/templates.pages.ts';
import { mediaRoutes, uploadParser } from './media/media.routes.ts';
import { postsPages } from './posts/posts.pages.ts';
import { postsRoutes } from './posts/posts.routes.ts';
import { usersPages } from './users/users.pages.ts';
import { unitsPages } from './users/units.pages.ts';
import { usersRoutes } from './users/users.routes.ts';
import { channelConnectPages } from './channels/channel-connect.pages.ts';
import { channelsPages } from './channels/channels.pages.ts';
import { channelsRoutes } from './channels/channels.routes.ts';
import { linksPages } from './links/links.routes.ts';
import { publicPages } from './public-pages/public-pages.routes.ts';
import { retractionPages } from './retraction/retraction.pages.ts';
import { retractionRoutes } from './retraction/retraction.routes.ts';
import { engagementRoutes } from './engagement/engagement.routes.ts';
import { notificationsPages, unreadCount } from './notifications/notifications.pages.ts';
import { amplificationRoutes } from './amplification/amplification.routes.ts';
import { amplificationPages } from './amplification/amplification.pages.ts';
import { dashboardPages } from './engagement/dashboard.pages.ts';
import { memberAdminRoutes } from './amplification/member-admin.routes.ts';
import { memberAdminPages } from './amplification/member-admin.pages.ts';

export function apiRoutes(c: Container): ApiRoute[] {
  return [
    // First: the members' feed and share intents are the most requested routes by far (a crowd of
    // members at once); no other module declares their paths, so the order changes no match.
    ...amplificationRoutes(c),
    ...systemRoutes(c),
    ...authRoutes(c),
    ...usersRoutes(c),
    ...templatesRoutes(c),
    ...mediaRoutes(c),
    ...channelsRoutes(c),
    ...postsRoutes(c),
    ...retractionRoutes(c),
    ...memberAdminRoutes(c),
    ...engagementRoutes(c),
  ];
}

export function createApp(c: Container): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.locals.version = c.config.version;
  configureViews(app, { timeZone: c.config.timeZone });

  app.use(requestContext(c.logger));
  if (c.metrics) app.use(c.metrics.observeHttp);
  app.use(metricsRouter(c.metrics, c.config.metricsToken));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          'img-src': ["'self'", 'data:', 'blob:'],
          'script-src': ["'self'"],
          'upgrade-insecure-requests': null,
        },
      },
      hsts: c.config.secureCookies,
    }),
  );
  app.use(staticAssets());
  app.use(serveMediaFiles(c.config.mediaDir));
  // Webhook signatures are computed on the raw bytes: those bodies stay a Buffer (json skips them).
  app.use('/api/v1/webhooks', express.raw({ type: () => true, limit: '1mb' }));
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  // Public warning pages and /verify: before the session, so a cacheable page never sets a cookie.
  app.use(publicPages(c));

  const routes = apiRoutes(c);
  // A bearer-token API call carries no cookie and renders no page: it needs its language, its
  // actor and its route, not the session store, the unread count, the navigation or the CSRF
  // check (which bearer calls are exempt from). A bearer call that matches no route falls
  // through to the full chain below and gets the same 404 as before.
  const bearerApi = express.Router();
  bearerApi.use((req, _res, next) => {
    next(req.headers.authorization === undefined ? 'router' : undefined);
  });
  bearerApi.use(languageMiddleware(c.i18n, c.config.defaultLanguage));
  bearerApi.use(authenticate(c.auth));
  bearerApi.use(uploadParser(c));
  mountRoutes(bearerApi, routes, { responses: c.config.responses });
  app.use('/api/v1', bearerApi);

  const PgStore = connectPgSimple(session);
  const sessionStore = new PgStore({
    pool: c.database.pool,
    tableName: 'http_sessions',
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
  });
  // Closed by whoever closes the app (main.ts, tests): the prune timer would keep the process alive.
  app.locals.closeSessionStore = () => sessionStore.close();
  app.use(
    session({
      name: 'loa.sid',
      secret: c.secretKey,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      store: sessionStore,
      cookie: {
        httpOnly: true,
        sameSite: 'lax',
        secure: c.config.secureCookies,
        maxAge: c.config.sessionTtlHours * 3_600_000,
      },
    }),
  );
  app.use(saveFlashBeforeRedirect());
  app.use(languageMiddleware(c.i18n, c.config.defaultLanguage));
  app.use(authenticate(c.auth));
  app.use(unreadCount(c.notifications));
  app.use(navigation());
  // Multipart uploads carry their CSRF field inside the body: read it before the check.
  app.use(uploadParser(c));
  app.use(csrfProtection({ exempt: (req) => req.path.startsWith('/api/v1/webhooks/') }));

  const api = express.Router();
  mountRoutes(api, routes, { responses: c.config.responses });
  app.use('/api/v1', api);
  // First of the pages: a crowd of members opening their share links (/s/:token) or their feed
  // should not be matched against every staff page's routes on the way (no path is shared).
  app.use(amplificationPages(c));
  app.use(systemPages(c, () => routes));
  app.use(authPages(c));
  app.use(usersPages(c));
  app.use(unitsPages(c));
  app.use(mediaPages(c));
  app.use(templatesPages(c));
  app.use(composePages(c));
  app.use(channelConnectPages(c));
  app.use(channelsPages(c));
  app.use(postsPages(c));
  app.use(retractionPages(c));
  app.use(notificationsPages(c));
  app.use(linksPages(c));
  app.use(dashboardPages(c));
  app.use(memberAdminPages(c));

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
