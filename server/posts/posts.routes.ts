import { z } from 'zod';
import { presentCampaign } from '../campaigns/campaigns.service.ts';
import type { Container } from '../container.ts';
import { BadRequestError } from '../errors.ts';
import { defineRoute } from '../http/api-route.ts';
import type { PostRow } from './posts.repo.ts';
import {
  approveSchema,
  cascadeResponseSchema,
  cascadeSchema,
  commentSchema,
  createCampaignSchema,
  createPostSchema,
  listPostsQuery,
  postResponseSchema,
  rejectSchema,
  updatePostSchema,
} from './posts.schemas.ts';

const idParams = z.object({ id: z.uuid() });
const WRITERS = ['editor', 'admin'] as const;
const REVIEWERS = ['reviewer', 'admin'] as const;
const STAFF = ['admin', 'editor', 'reviewer'] as const;

export function encodeCursor(row: PostRow): string {
  return Buffer.from(JSON.stringify([row.scheduledAt.toISOString(), row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { scheduledAt: Date; id: string } {
  try {
    const [at, id] = z
      .tuple([z.iso.datetime(), z.uuid()])
      .parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    return { scheduledAt: new Date(at), id };
  } catch {
    throw new BadRequestError('Invalid cursor');
  }
}

export function postsRoutes(c: Container) {
  /** The post with its publications and history, as API.md describes it. */
  const detailed = (row: PostRow) => c.postDetail.of(row);

  return [
    defineRoute({
      method: 'post',
      path: '/posts',
      summary:
        'Write a warning post (draft), from a template with its variables or from a text; `urgent` (admin) publishes at once',
      tag: 'Posts',
      access: WRITERS,
      body: createPostSchema,
      status: 201,
      response: postResponseSchema,
      handler: async ({ actor, body }) => {
        let post = await c.posts.createPost(actor, body);
        if (body.urgent) post = await c.postWorkflow.publishUrgent(actor, post.id);
        return detailed(post);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/posts',
      summary: 'List posts by status, time (scheduledAt), campaign or channel',
      tag: 'Posts',
      access: STAFF,
      query: listPostsQuery,
      response: z.object({ items: z.array(postResponseSchema), nextCursor: z.string().nullable() }),
      handler: async ({ actor, query }) => {
        const rows = await c.posts.listPosts(actor, {
          ...(query.status && { statuses: query.status }),
          ...(query.from && { from: query.from }),
          ...(query.to && { to: query.to }),
          ...(query.campaignId && { campaignId: query.campaignId }),
          ...(query.channelId && { channelId: query.channelId }),
          ...(query.cursor && { after: decodeCursor(query.cursor) }),
          limit: query.limit + 1,
        });
        const items = rows.slice(0, query.limit);
        const last = items[items.length - 1];
        return {
          items: items.map((r) => c.posts.present(r)),
          nextCursor: rows.length > query.limit && last ? encodeCursor(last) : null,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/posts/:id',
      summary: 'One post with its publications (per channel) and its history',
      tag: 'Posts',
      access: STAFF,
      params: idParams,
      response: postResponseSchema,
      handler: async ({ actor, params }) => c.postDetail.get(actor, params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/posts/:id',
      summary:
        'Edit or reschedule a draft, rejected or scheduled post (an edited scheduled post goes back to review)',
      tag: 'Posts',
      access: WRITERS,
      params: idParams,
      body: updatePostSchema,
      response: postResponseSchema,
      handler: async ({ actor, params, body }) =>
        detailed(await c.posts.updatePost(actor, params.id, body, c.publishing)),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/submit',
      summary: 'Send a draft or rejected post for review',
      tag: 'Posts',
      access: WRITERS,
      params: idParams,
      response: postResponseSchema,
      handler: async ({ actor, params }) => detailed(await c.postWorkflow.submit(actor, params.id)),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/approve',
      summary: 'Approve a post in review (never your own): it is scheduled',
      tag: 'Posts',
      access: REVIEWERS,
      params: idParams,
      body: approveSchema,
      response: postResponseSchema,
      handler: async ({ actor, params, body }) =>
        detailed(await c.postWorkflow.approve(actor, params.id, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/reject',
      summary: 'Reject a post in review with a comment (pinned to the version reviewed)',
      tag: 'Posts',
      access: REVIEWERS,
      params: idParams,
      body: rejectSchema,
      response: postResponseSchema,
      handler: async ({ actor, params, body }) =>
        detailed(await c.postWorkflow.reject(actor, params.id, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/cancel',
      summary: 'Cancel a post before it is published',
      tag: 'Posts',
      access: STAFF,
      params: idParams,
      body: commentSchema.optional(),
      response: postResponseSchema,
      handler: async ({ actor, params, body }) =>
        detailed(await c.postWorkflow.cancel(actor, params.id, body ?? {})),
    }),
    defineRoute({
      method: 'post',
      path: '/posts/:id/cascade',
      summary:
        "Hand an approved or published post down to the post unit's child units (default: every one with an active channel): one draft each, re-filled from that unit's profile; units that already have one are skipped",
      tag: 'Posts',
      access: REVIEWERS,
      params: idParams,
      body: cascadeSchema,
      status: 201,
      response: cascadeResponseSchema,
      handler: async ({ actor, params, body }) => c.cascade.cascade(actor, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/campaigns',
      summary: 'Create a campaign',
      tag: 'Posts',
      access: WRITERS,
      body: createCampaignSchema,
      status: 201,
      handler: async ({ actor, body }) => presentCampaign(await c.campaigns.create(actor, body)),
    }),
    defineRoute({
      method: 'get',
      path: '/campaigns',
      summary: 'List campaigns',
      tag: 'Posts',
      access: STAFF,
      handler: async () => ({ items: (await c.campaigns.list()).map(presentCampaign), nextCursor: null }),
    }),
  ];
}
