import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import { presentTemplate } from './templates.service.ts';
import {
  copyTemplateSchema,
  createTemplateSchema,
  getTemplateQuerySchema,
  listTemplatesQuerySchema,
  renderResponseSchema,
  renderTemplateSchema,
  templateIdSchema,
  templateResponseSchema,
  updateTemplateSchema,
} from './templates.schemas.ts';

const WRITERS = ['editor', 'admin'] as const;
const READERS = ['editor', 'reviewer', 'admin'] as const;

export function templatesRoutes(c: Container) {
  return [
    defineRoute({
      method: 'get',
      path: '/templates',
      summary:
        'List the templates: the built-in library, then custom ones (archived ones with ?archived=true)',
      tag: 'Templates',
      access: READERS,
      query: listTemplatesQuerySchema,
      response: z.object({ items: z.array(templateResponseSchema), nextCursor: z.null() }),
      handler: async ({ query }) => ({
        items: (await c.templates.listTemplates({ includeArchived: query.archived === 'true' })).map(
          presentTemplate,
        ),
        nextCursor: null,
      }),
    }),
    defineRoute({
      method: 'post',
      path: '/templates',
      summary: 'Save a custom template; refused with 422 naming any unknown variable or helper',
      tag: 'Templates',
      access: WRITERS,
      body: createTemplateSchema,
      status: 201,
      response: templateResponseSchema,
      handler: async ({ actor, body }) => presentTemplate(await c.templates.createTemplate(actor, body)),
    }),
    defineRoute({
      method: 'get',
      path: '/templates/:id',
      summary: 'One template (archived ones too), at its current version or at ?version=',
      tag: 'Templates',
      access: READERS,
      params: z.object({ id: templateIdSchema }),
      query: getTemplateQuerySchema,
      response: templateResponseSchema,
      handler: async ({ params, query }) =>
        presentTemplate(
          await c.templates.getTemplate(
            params.id,
            query.version === undefined ? {} : { version: query.version },
          ),
        ),
    }),
    defineRoute({
      method: 'patch',
      path: '/templates/:id',
      summary:
        'Edit a custom template as a new version (posts keep the version they were written from); built-ins → 409',
      tag: 'Templates',
      access: WRITERS,
      params: z.object({ id: templateIdSchema }),
      body: updateTemplateSchema,
      response: templateResponseSchema,
      handler: async ({ actor, params, body }) =>
        presentTemplate(await c.templates.updateTemplate(actor, params.id, body)),
    }),
    defineRoute({
      method: 'delete',
      path: '/templates/:id',
      summary:
        'Archive a custom template: hidden from the composer and the library, kept for old posts; built-ins → 409',
      tag: 'Templates',
      access: WRITERS,
      params: z.object({ id: templateIdSchema }),
      response: templateResponseSchema,
      handler: async ({ actor, params }) =>
        presentTemplate(await c.templates.archiveTemplate(actor, params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/templates/:id/copy',
      summary:
        'Copy any template (a built-in too) into a new custom template; default name "<name> (bản sao)"',
      tag: 'Templates',
      access: WRITERS,
      params: z.object({ id: templateIdSchema }),
      body: copyTemplateSchema,
      status: 201,
      response: templateResponseSchema,
      handler: async ({ actor, params, body }) =>
        presentTemplate(await c.templates.copyTemplate(actor, params.id, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/templates/:id/render',
      summary:
        'Render a template: the post text and (withCard) its image card; 422 names every missing or wrong variable',
      tag: 'Templates',
      access: READERS,
      params: z.object({ id: templateIdSchema }),
      body: renderTemplateSchema,
      response: renderResponseSchema,
      handler: async ({ actor, params, body }) => {
        const variables = Object.fromEntries(Object.entries(body.variables).map(([k, v]) => [k, String(v)]));
        const post = await c.templates.renderPost({
          templateId: params.id,
          variables,
          unitId: body.unitId ?? actor.unitId,
          withCard: body.withCard,
          cardSize: body.size,
          ...(body.backgroundMediaId && { backgroundMediaId: body.backgroundMediaId }),
        });
        return {
          title: post.title,
          text: post.text,
          hashtags: post.hashtags,
          captions: post.captions,
          card: post.card && {
            url: c.templates.cardUrl(post.card),
            width: post.card.width,
            height: post.card.height,
            altText: post.card.altText,
            layout: post.card.layout,
            size: post.card.size,
          },
          platformProblems: c.templates.platformProblems(post),
        };
      },
    }),
  ];
}
