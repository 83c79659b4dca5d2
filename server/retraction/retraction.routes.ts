// API: POST /posts/:id/retract, /posts/:id/retract-request, /posts/:id/supersede.
import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import type { PostRow } from '../posts/posts.repo.ts';
import {
  retractedPostSchema,
  retractRequestSchema,
  retractSchema,
  supersedeSchema,
} from './retraction.schemas.ts';

const idParams = z.object({ id: z.uuid() });

export function retractionRoutes(c: Container) {
  async function present(row: PostRow) {
    return {
      ...c.posts.present(row),
      retractedAt: row.retractedAt?.toISOString() ?? null,
      retractReason: row.retractReason,
      supersededBy: row.supersededBy,
      retractions: await c.retraction.statusForPost(row.id),
    };
  }

  return [
    defineRoute({
      method: 'post',
      path: '/posts/:id/retract',
      summary:
        'Retract a published post with a reason: removed from every platform, retried until done; its public page stays, marked retracted',
      tag: 'Posts',
      access: ['reviewer', 'admin'],
      params: idParams,
      body: retractSchema,
      response: retractedPostSchema,
      handler: async ({ actor, params, body }) =>
        present(
          body.withChildren
            ? (await c.cascade.retractWithChildren(actor, params.id, body.reason)).post
            : await c.retraction.retract(actor, params.id, body.reason),
        ),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/retract-request',
      summary: 'Ask the reviewers to retract a published post (notifies them; the post does not change)',
      tag: 'Posts',
      access: ['editor', 'admin'],
      params: idParams,
      body: retractRequestSchema,
      status: 202,
      response: retractedPostSchema,
      handler: async ({ actor, params, body }) =>
        present(await c.retraction.requestRetraction(actor, params.id, body.reason)),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/supersede',
      summary:
        'Replace a published post with a newer one: the old one is retracted and its public page links to the new one',
      tag: 'Posts',
      access: ['reviewer', 'admin'],
      params: idParams,
      body: supersedeSchema,
      response: retractedPostSchema,
      handler: async ({ actor, params, body }) =>
        present(await c.retraction.supersede(actor, params.id, body)),
    }),
  ];
}
