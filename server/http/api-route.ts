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
  /**
   * The error statuses this operation answers besides those its declaration implies (400/422 for
   * input, 401/403 for access, 404 for a path id): 409 for a wrong state, 413/415/429.
   */
  errors?: readonly number[];
  /** The OpenAPI operationId; default: the method and the path (`getPostsById`). */
  operationId?: string;
  /**
   * Return a value to send as JSON (with `status`, or a `WithStatus`), checked against `response`;
   * or undefined when the handler answered itself (files, redirects).
   */
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

/**
 * What a response that carries a field its schema does not declare gets: `strict` refuses it
 * (a 500, so a test notices the drift), `strip` leaves the field out (production). Either way a
 * response of the wrong type or missing a declared field is a 500: a client is never sent
 * something other than the contract says.
 */
export type ResponseMode = 'strict' | 'strip';

/** The declared status to answer with, for a handler whose status depends on its result. */
export class WithStatus {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export class ResponseContractError extends Error {
  constructor(
    route: Pick<ApiRoute, 'method' | 'path'>,
    readonly problems: string[],
  ) {
    super(`${route.method.toUpperCase()} ${route.path} answered outside its schema: ${problems.join('; ')}`);
    this.name = 'ResponseContractError';
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Paths of the fields of `input` that parsing left out of `output`: the undeclared ones. */
function undeclaredFields(input: unknown, output: unknown, path: string, found: string[]): void {
  if (input === output || found.length >= 10) return;
  if (Array.isArray(input) && Array.isArray(output)) {
    for (let i = 0; i < input.length; i++) undeclaredFields(input[i], output[i], `${path}[${i}]`, found);
    return;
  }
  if (!isPlainObject(input) || !isPlainObject(output)) return;
  for (const key of Object.keys(input)) {
    const value = input[key];
    if (value === undefined) continue;
    if (!(key in output)) found.push(path ? `${path}.${key}` : key);
    else undeclaredFields(value, output[key], path ? `${path}.${key}` : key, found);
  }
}

/** The response as its schema declares it, or a ResponseContractError. */
export function checkResponse(route: ApiRoute, body: unknown, mode: ResponseMode): unknown {
  if (!route.response) return body;
  const result = route.response.safeParse(body);
  if (!result.success) {
    throw new ResponseContractError(
      route,
      result.error.issues.map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`),
    );
  }
  if (mode === 'strict') {
    const found: string[] = [];
    undeclaredFields(body, result.data, '', found);
    if (found.length > 0) {
      throw new ResponseContractError(
        route,
        found.map((p) => `${p}: not declared`),
      );
    }
  }
  return result.data;
}

export function mountRoutes(
  router: Router,
  routes: readonly ApiRoute[],
  options: { responses: ResponseMode },
): void {
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
        // Already serialised (a hot read path keeps its answer as text, built from the declared
        // fields only): sent as it is. In strict mode (tests) it is still held to the schema.
        if (options.responses === 'strict') checkResponse(route, JSON.parse(result.text), 'strict');
        res
          .status(route.status ?? 200)
          .set('Content-Type', 'application/json; charset=utf-8')
          .set('Content-Length', String(Buffer.byteLength(result.text)))
          .end(result.text);
        return;
      }
      const [status, body] =
        result instanceof WithStatus ? [result.status, result.body] : [route.status ?? 200, result];
      res.status(status).json(checkResponse(route, body, options.responses));
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
      properties: {
        code: { type: 'string', description: 'Stable, machine-readable: `validation_failed`, `not_found`…' },
        message: { type: 'string' },
        details: { description: 'For 422, one `{path, message}` per field; otherwise what the code says' },
      },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Malformed request (body, query or cursor)',
  401: 'Not signed in',
  403: 'Role or unit scope does not allow this',
  404: 'Unknown id, or outside the caller’s unit scope',
  409: 'The item is not in a state that allows this, or a duplicate',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Validation failed: `details` names each field',
  429: 'Too many requests: `Retry-After` says when to try again',
};

/** `get /posts/:id/stats` → `getPostsByIdStats`: unique because method and path are. */
export function operationIdOf(route: Pick<ApiRoute, 'method' | 'path' | 'operationId'>): string {
  if (route.operationId) return route.operationId;
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `by-${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[^A-Za-z0-9]+/))
    .filter(Boolean);
  return [route.method, ...words.map((w) => w.charAt(0).toUpperCase() + w.slice(1))].join('');
}

/** The error statuses of an operation: those its declaration implies, then its own. */
export function errorStatusesOf(route: ApiRoute): number[] {
  const statuses = new Set<number>(route.errors ?? []);
  if (route.body || route.query) statuses.add(400);
  if (route.body || route.query || route.params) statuses.add(422);
  if (route.access !== 'public') statuses.add(401).add(403);
  if (route.path.includes(':')) statuses.add(404);
  return [...statuses].sort((a, b) => a - b);
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };

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
      operationId: operationIdOf(route),
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
        ...Object.fromEntries(
          errorStatusesOf(route).map((code) => [
            String(code),
            { description: ERROR_DESCRIPTIONS[code] ?? 'Error', content: errorContent },
          ]),
        ),
        default: { description: 'Unexpected error', content: errorContent },
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'Loa API', version: info.version },
    servers: [{ url: info.serverUrl }],
    components: {
      schemas: { Error: errorSchema },
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
