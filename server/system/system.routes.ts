import { Router } from 'express';
import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute, openApiDocument, WithStatus, type ApiRoute } from '../http/api-route.ts';
import { pageActor, renderPage } from '../http/page.ts';

export function systemRoutes(c: Container) {
  return [
    defineRoute({
      method: 'get',
      path: '/health',
      summary: 'Whether the database answers and a worker ran its heartbeat in the last minute',
      tag: 'System',
      access: 'public',
      response: z.object({
        status: z.enum(['ok', 'degraded']),
        db: z.enum(['ok', 'error']),
        worker: z.enum(['ok', 'absent']),
        mockPlatforms: z.object({ facebook: z.string(), zalo: z.string() }).nullable(),
        version: z.string(),
      }),
      handler: async () => {
        const health = await c.health.check();
        return new WithStatus(health.db === 'ok' ? 200 : 503, health);
      },
    }),
  ];
}

/** A failure in plain words, with the platform's own message where it says more. */
function failureReason(
  t: (key: string, options?: Record<string, unknown>) => string,
  kind: string | null,
  message: string | null,
): string | null {
  const plain = kind ? t(`posts.error_${kind}`, { defaultValue: '' }) : '';
  if (!plain) return message;
  return kind === 'rejected' && message ? `${plain} ${message}` : plain;
}

/** The OpenAPI document, its readable page, and the signed-in start page. */
export function systemPages(c: Container, routes: () => readonly ApiRoute[]): Router {
  const router = Router();
  router.get('/api/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument(routes(), { version: c.config.version, serverUrl: c.config.publicUrl }));
  });
  router.get('/api/docs', (req, res) => {
    const doc = openApiDocument(routes(), { version: c.config.version, serverUrl: c.config.publicUrl });
    const endpoints = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const operation = op as {
          summary: string;
          tags: string[];
          description?: string;
          requestBody?: unknown;
          security: unknown[];
        };
        return {
          method,
          path,
          summary: operation.summary,
          tag: operation.tags[0],
          roles: operation.description,
          isPublic: operation.security.length === 0,
          body: operation.requestBody
            ? JSON.stringify(
                (operation.requestBody as { content: { 'application/json': { schema: unknown } } }).content[
                  'application/json'
                ].schema,
                null,
                2,
              )
            : null,
        };
      }),
    );
    renderPage(req, res, 'pages/api-docs', { title: 'API', endpoints });
  });
  router.get('/', async (req, res) => {
    const actor = pageActor(req, res);
    if (!actor) return;
    const view = await c.home.today(actor);
    renderPage(req, res, 'pages/home', {
      title: req.t('home.title'),
      ...view,
      roleLabel: req.t(`roles.${actor.role}`),
      timeZone: c.config.timeZone,
      failures: view.failures && {
        ...view.failures,
        items: view.failures.items.map((f) => ({
          ...f,
          reason: failureReason(req.t, f.errorKind, f.error),
          statusLabel: req.t(`posts.status_${f.postStatus}`),
        })),
      },
    });
  });
  return router;
}
