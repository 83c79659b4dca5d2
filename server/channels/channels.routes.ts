import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute } from '../http/api-route.ts';
import {
  channelIdSchema,
  channelResponseSchema,
  connectChannelSchema,
  demoPlatformSchema,
  updateChannelSchema,
} from './channels.schemas.ts';
import { presentChannel } from './channels.service.ts';

export function channelsRoutes(c: Container) {
  return [
    defineRoute({
      method: 'post',
      path: '/channels',
      summary:
        'Connect a Facebook Page or Zalo OA (the token is checked with the platform first; 422 with its message if refused)',
      tag: 'Channels',
      access: ['admin'],
      body: connectChannelSchema,
      status: 201,
      response: channelResponseSchema,
      handler: async ({ actor, body }) => presentChannel(await c.channels.connect(actor, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/channels/demo',
      summary:
        'Mock platforms only: create a demo Page or OA on the mock and connect it (409 when the mocks are off)',
      tag: 'Channels',
      access: ['admin'],
      body: demoPlatformSchema,
      status: 201,
      response: channelResponseSchema,
      handler: async ({ actor, body }) => presentChannel(await c.channels.connectDemo(actor, body.platform)),
    }),
    defineRoute({
      method: 'get',
      path: '/channels',
      summary:
        'List channels with their status (active, needs_reconnect, disabled); a user with a unit sees the channels of their units',
      tag: 'Channels',
      access: 'signed-in',
      response: z.object({ items: z.array(channelResponseSchema), nextCursor: z.null() }),
      handler: async ({ actor }) => ({
        items: (await c.channels.list(actor)).map(presentChannel),
        nextCursor: null,
      }),
    }),
    defineRoute({
      method: 'patch',
      path: '/channels/:id',
      summary:
        'Pause (`disabled`) or resume (`active`) a channel (one that needs a new token is reconnected instead), and/or move it to a unit (`unitId`)',
      tag: 'Channels',
      access: ['admin'],
      params: z.object({ id: channelIdSchema }),
      body: updateChannelSchema,
      response: channelResponseSchema,
      handler: async ({ actor, params, body }) =>
        presentChannel(await c.channels.update(actor, params.id, body)),
    }),
    defineRoute({
      method: 'delete',
      path: '/channels/:id',
      summary: 'Remove a channel (409 while publications on it are scheduled or being published)',
      tag: 'Channels',
      access: ['admin'],
      params: z.object({ id: channelIdSchema }),
      handler: async ({ actor, params }) => {
        await c.channels.remove(actor, params.id);
        return undefined;
      },
    }),
  ];
}
