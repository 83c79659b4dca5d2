import { z } from 'zod';
import { defineRoute } from '../http/api-route.ts';
import type { Container } from '../container.ts';
import { presentToken } from './auth.service.ts';
import { presentUser } from '../users/users.service.ts';
import { userResponseSchema } from '../users/users.schemas.ts';

const tokenRequestSchema = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(200),
  name: z.string().trim().min(1).max(80).optional(),
});

const tokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  status: z.enum(['active', 'expired', 'revoked']),
});

export function authRoutes(c: Container) {
  return [
    defineRoute({
      method: 'post',
      path: '/auth/token',
      summary: 'Exchange email and password for a bearer token (rate limited per account and per IP)',
      tag: 'Auth',
      access: 'public',
      body: tokenRequestSchema,
      status: 201,
      response: z.object({ token: z.string(), expiresAt: z.string(), user: userResponseSchema }),
      handler: async ({ body, req }) => {
        const user = await c.auth.signIn({
          email: body.email,
          password: body.password,
          ip: req.ip ?? 'unknown',
          via: 'api',
        });
        const { token, row } = await c.auth.issueToken(user, {
          name: body.name ?? 'API',
          ip: req.ip ?? null,
        });
        return { token, expiresAt: row.expiresAt.toISOString(), user: presentUser(user) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/me',
      summary: 'The signed-in user',
      tag: 'Auth',
      access: 'signed-in',
      response: userResponseSchema,
      handler: async ({ actor }) => {
        const user = await c.repos.users.findById(actor.id);
        return user ? presentUser(user) : undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/me/tokens',
      summary: "The signed-in user's API tokens (never the secrets)",
      tag: 'Auth',
      access: 'signed-in',
      response: z.object({ items: z.array(tokenSchema) }),
      handler: async ({ actor }) => ({
        items: (await c.auth.listTokens(actor)).map((row) => presentToken(row)),
      }),
    }),
    defineRoute({
      method: 'delete',
      path: '/me/tokens/:id',
      summary: 'Revoke one of your API tokens; it stops working at once',
      tag: 'Auth',
      access: 'signed-in',
      params: z.object({ id: z.uuid() }),
      response: tokenSchema,
      handler: async ({ actor, params }) => presentToken(await c.auth.revokeToken(actor, params.id)),
    }),
  ];
}
