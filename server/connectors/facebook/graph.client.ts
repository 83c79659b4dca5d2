// One Graph API call: token in the Authorization header (accepted by Graph, and keeps tokens out of
// URLs and logs), the error envelope classified, the success body parsed with the caller's zod schema.
import type { z } from 'zod';
import { send, unexpectedResponse } from '../failures.ts';
import type { HttpBody, HttpClient, HttpMethod } from '../http-client.ts';
import { ConnectorFailure } from '../types.ts';
import { classifyGraphFailure, graphErrorEnvelopeSchema, type RateLimitDefaults } from './graph-errors.ts';

export const GRAPH_VERSION = 'v26.0';

export interface GraphCall {
  method: HttpMethod;
  /** Path below the version, e.g. `/123/feed`. */
  path: string;
  token: string;
  query?: Record<string, string | undefined>;
  body?: HttpBody;
}

export interface GraphClient {
  call<T>(call: GraphCall, schema: z.ZodType<T>): Promise<T>;
  /** The same, with the response headers (usage headers live there). */
  callWithHeaders<T>(call: GraphCall, schema: z.ZodType<T>): Promise<{ data: T; headers: Headers }>;
}

export function createGraphClient(options: {
  http: HttpClient;
  graphUrl: string;
  rateLimit: RateLimitDefaults;
}): GraphClient {
  const base = versionedBase(options.graphUrl);

  async function call<T>(request: GraphCall, schema: z.ZodType<T>): Promise<T> {
    return (await callWithHeaders(request, schema)).data;
  }

  async function callWithHeaders<T>(
    request: GraphCall,
    schema: z.ZodType<T>,
  ): Promise<{ data: T; headers: Headers }> {
    const isWrite = request.method !== 'GET';
    const response = await send('facebook', options.http, {
      method: request.method,
      url: `${base}${request.path}`,
      headers: { authorization: `Bearer ${request.token}` },
      ...(request.query ? { query: request.query } : {}),
      ...(request.body ? { body: request.body } : {}),
    });
    const envelope = graphErrorEnvelopeSchema.safeParse(response.body);
    if (response.status >= 400 || envelope.success) {
      throw new ConnectorFailure(
        'facebook',
        classifyGraphFailure(
          {
            status: response.status,
            headers: response.headers,
            isWrite,
            ...(envelope.success ? { error: envelope.data.error } : {}),
          },
          options.rateLimit,
        ),
      );
    }
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unexpectedResponse('facebook', `${request.method} ${request.path}`, isWrite);
    return { data: parsed.data, headers: response.headers };
  }

  return { call, callWithHeaders };
}

/** Accepts `https://graph.facebook.com` or `https://graph.facebook.com/v26.0`; pins v26.0 if none given. */
export function versionedBase(graphUrl: string): string {
  const trimmed = graphUrl.replace(/\/+$/, '');
  return /\/v\d+\.\d+$/.test(trimmed) ? trimmed : `${trimmed}/${GRAPH_VERSION}`;
}
