import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import { presentTemplate } from './templates.service.ts';
import {
  createTemplateSchema,
  renderResponseSchema,
  renderTemplateSchema,
  templateIdSchema,
  templateResponseSchema,
} from './templates.schemas.ts';

const WRITERS = ['editor', 'admin'] as const;
const READERS = ['editor', 'reviewer', 'admin'] as const;

export function templatesRoutes(c: Container) {
  return [
    defineRoute({
      method: 'get',
      path: '/templates',
      summary: 'List the templates: the built-in library, then custom ones',
      tag: 'Templates',
      access: READERS,
      response: z.object({ items: z.array(templateResponseSchema), nextCursor: z.null() }),
      handler: async () => ({ items: (await c.templates.listTemplates()).map(presentTemplate), nextCursor: null }),
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
      summary: 'One template',
      tag: 'Templates',
      access: READERS,
      params: z.object({ id: templateIdSchema }),
      response: templateResponseSchema,
      handler: async ({ params }) => presentTemplate(await c.templates.getTemplate(params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/templates/:id/render',
      summary: 'Render a template: the post text and (withCard) its image card; 422 names every missing or wrong variable',
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
