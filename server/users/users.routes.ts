import { z } from 'zod';
import type { Container } from '../container.ts';
import { defineRoute, pageQuerySchema, paginate } from '../http/api-route.ts';
import { presentUnit, presentUser } from './users.service.ts';
import {
  createUnitSchema,
  createUserSchema,
  idSchema,
  unitResponseSchema,
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
      summary: 'Create a unit (province, or a district/commune under its parent)',
      tag: 'People',
      access: ['admin'],
      body: createUnitSchema,
      status: 201,
      response: unitResponseSchema,
      handler: async ({ actor, body }) => presentUnit(await c.users.createUnit(actor, body)),
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
        return paginate(rows, query.limit, (r) => r.id, presentUnit);
      },
    }),
  ];
}
