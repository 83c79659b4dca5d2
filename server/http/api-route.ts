// API routes are declared as data: method, path, who may call it, zod schemas for the input and
// the output, and a handler. The same declarations register the express routes and generate
// the OpenAPI document, so the contract and the code cannot drift apart.
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import type { UserRole } from '../db/schema.ts';
import {
  BadRequestError,
  ForbiddenError,
  UnauthorizedError,
  ValidationError,
  type FieldProblem,
} from '../errors.ts';
import { JsonText } from '../shared/json-text.ts';

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';
export type Access = 'public' | 'signed-in' | readonly UserRole[];

export interface RouteContext<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  actor: Actor;
  req: Request;
  res: Response;
}

export interface ApiRoute<B = unknown, Q = unknown, P = unknown> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  access: Access;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  params?: z.ZodType<P>;
  response?: z.ZodType;
  status?: number;
  /** Return a value to send as JSON (with `status`), or undefined when the handler answered itself. */
  handler: (ctx: RouteContext<B, Q, P>) => Promise<unknown>;
}

export function defineRoute<B = undefined, Q = undefined, P = undefined>(route: ApiRoute<B, Q, P>): ApiRoute {
  return route as unknown as ApiRoute;
}

export function zodProblems(error: z.ZodError, prefix?: string): FieldProblem[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(body)',
    message: issue.message,
  }));
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: 'body' | 'query' | 'params'): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ValidationError(zodProblems(result.error, where === 'body' ? undefined : where));
}

function authorize(access: Access, actor: Actor | undefined): Actor {
  if (access === 'public') return actor as Actor;
  if (!actor) throw new UnauthorizedError();
  if (access !== 'signed-in' && !access.includes(actor.role)) throw new ForbiddenError();
  return actor;
}

export function mountRoutes(router: Router, routes: readonly ApiRoute[]): void {
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const actor = authorize(route.access, req.actor);
      if (route.body && req.body === undefined && !route.body.safeParse(undefined).success) {
        throw new BadRequestError('Expected a JSON body');
      }
      const ctx = {
        body: parse(route.body, req.body, 'body'),
        query: parse(route.query, req.query, 'query'),
        params: parse(route.params, req.params, 'params'),
        actor,
        req,
        res,
      };
      const result = await route.handler(ctx);
      if (result === undefined) {
        if (!res.headersSent) res.status(route.status ?? 204).end();
        return;
      }
      if (result instanceof JsonText) {
        // Already serialised (a hot read path keeps its answer as text): sent as it is.
        res
          .status(route.status ?? 200)
          .set('Content-Type', 'application/json; charset=utf-8')
          .set('Content-Length', String(Buffer.byteLength(result.text)))
          .end(result.text);
        return;
      }
      res.status(route.status ?? 200).json(result);
    });
  }
}

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'openapi-3.0' });

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
      required: ['code', 'message'],
    },
  },
};

/** The OpenAPI 3 document, generated from the route declarations. */
export function openApiDocument(routes: readonly ApiRoute[], info: { version: string; serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api/v1${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    const parameters: unknown[] = [];
    for (const name of route.path.match(/:([A-Za-z]+)/g) ?? []) {
      parameters.push({ name: name.slice(1), in: 'path', required: true, schema: { type: 'string' } });
    }
    if (route.query) {
      const schema = jsonSchema(route.query, 'input') as {
        properties?: Record<string, unknown>;
        required?: string[];
      };
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        parameters.push({
          name,
          in: 'query',
          required: schema.required?.includes(name) ?? false,
          schema: prop,
        });
      }
    }
    const status = String(route.status ?? (route.response ? 200 : 204));
    paths[path] ??= {};
    paths[path][route.method] = {
      summary: route.summary,
      tags: [route.tag],
      security: route.access === 'public' ? [] : [{ bearer: [] }, { session: [] }],
      ...(route.access !== 'public' &&
        route.access !== 'signed-in' && { description: `Roles: ${route.access.join(', ')}` }),
      parameters,
      ...(route.body && {
        requestBody: {
          required: true,
          content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
        },
      }),
      responses: {
        [status]: {
          description: 'Success',
          ...(route.response && {
            content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
          }),
        },
        default: { description: 'Error', content: { 'application/json': { schema: errorSchema } } },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Loa API', version: info.version },
    servers: [{ url: info.serverUrl }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'loa.sid' },
      },
    },
    paths,
  };
}

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

/** `{items, nextCursor}` from a page fetched with limit + 1 rows. */
export function paginate<T, R>(
  rows: T[],
  limit: number,
  cursorOf: (row: T) => string,
  present: (row: T) => R,
) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items: items.map(present), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
