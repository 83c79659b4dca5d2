import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute, pageQuerySchema, paginate } from '../http/api-route.ts';
import { presentUser } from './users.service.ts';
import {
  createUnitSchema,
  createUserSchema,
  idSchema,
  unitLogoSchema,
  unitResponseSchema,
  updateUnitSchema,
  updateUserSchema,
  userResponseSchema,
} from './users.schemas.ts';

const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const cursorQuery = pageQuerySchema.extend({ cursor: idSchema.optional() });

export function usersRoutes(c: Container) {
  return [
    defineRoute({
      method: 'post',
      path: '/users',
      summary: 'Create a user',
      tag: 'People',
      access: ['admin'],
      body: createUserSchema,
      status: 201,
      response: userResponseSchema,
      handler: async ({ actor, body }) => presentUser(await c.users.createUser(actor, body)),
    }),
    defineRoute({
      method: 'get',
      path: '/users',
      summary: 'List users',
      tag: 'People',
      access: ['admin'],
      query: cursorQuery,
      response: listOf(userResponseSchema),
      handler: async ({ actor, query }) => {
        const rows = await c.users.listUsers(actor, {
          limit: query.limit + 1,
          ...(query.cursor && { after: query.cursor }),
        });
        return paginate(rows, query.limit, (r) => r.id, presentUser);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users/:id',
      summary: 'One user',
      tag: 'People',
      access: ['admin'],
      params: z.object({ id: idSchema }),
      response: userResponseSchema,
      handler: async ({ actor, params }) => presentUser(await c.users.getUser(actor, params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/users/:id',
      summary: 'Change a user: name, role, unit, or deactivate (`active: false`)',
      tag: 'People',
      access: ['admin'],
      params: z.object({ id: idSchema }),
      body: updateUserSchema,
      response: userResponseSchema,
      handler: async ({ actor, params, body }) =>
        presentUser(await c.users.updateUser(actor, params.id, body)),
    }),
    defineRoute({
      method: 'post',
      path: '/units',
      summary:
        'Create a unit (a province or city, or a commune, ward, special zone or department under its parent), with its profile',
      tag: 'People',
      access: ['admin'],
      body: createUnitSchema,
      status: 201,
      response: unitResponseSchema,
      handler: async ({ actor, body }) => c.units.present(await c.users.createUnit(actor, body)),
    }),
    defineRoute({
      method: 'get',
      path: '/units/:id',
      summary: 'One unit with its profile and logo',
      tag: 'People',
      access: 'signed-in',
      params: z.object({ id: idSchema }),
      response: unitResponseSchema,
      handler: async ({ params }) => c.units.present(await c.units.get(params.id)),
    }),
    defineRoute({
      method: 'patch',
      path: '/units/:id',
      summary:
        'Rename or move a unit (admin; never under itself: 422), or change its profile (admin, or a reviewer of that unit)',
      tag: 'People',
      access: ['admin', 'reviewer'],
      params: z.object({ id: idSchema }),
      body: updateUnitSchema,
      response: unitResponseSchema,
      handler: async ({ actor, params, body }) =>
        c.units.present(await c.units.update(actor, params.id, body)),
    }),
    defineRoute({
      method: 'put',
      path: '/units/:id/logo',
      summary: "Set the unit's logo to a media-library image (`mediaId: null` removes it)",
      tag: 'People',
      access: ['admin', 'reviewer'],
      params: z.object({ id: idSchema }),
      body: unitLogoSchema,
      response: unitResponseSchema,
      handler: async ({ actor, params, body }) =>
        c.units.present(await c.units.setLogo(actor, params.id, body.mediaId)),
    }),
    defineRoute({
      method: 'delete',
      path: '/units/:id',
      summary: 'Delete a unit nobody uses (409 naming its people, channels, posts or child units)',
      tag: 'People',
      access: ['admin'],
      params: z.object({ id: idSchema }),
      status: 204,
      handler: async ({ actor, params }) => {
        await c.units.remove(actor, params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/units',
      summary: 'List units',
      tag: 'People',
      access: 'signed-in',
      query: cursorQuery,
      response: listOf(unitResponseSchema),
      handler: async ({ query }) => {
        const rows = await c.users.listUnits({
          limit: query.limit + 1,
          ...(query.cursor && { after: query.cursor }),
        });
        const page = paginate(
          rows,
          query.limit,
          (r) => r.id,
          (r) => r,
        );
        return { ...page, items: await Promise.all(page.items.map((r) => c.units.present(r))) };
      },
    }),
  ];
}
