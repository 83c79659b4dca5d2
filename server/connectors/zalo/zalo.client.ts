// One Zalo OA Open API call: the bare `access_token` header (not Bearer), the {error, message, data}
// envelope checked (errors come with HTTP 200), and `data` parsed with the caller's zod schema.
import type { z } from 'zod';
import { send, unexpectedResponse } from '../failures.ts';
import type { HttpBody, HttpClient, HttpMethod } from '../http-client.ts';
import { ConnectorFailure } from '../types.ts';
import { classifyZaloFailure, zaloEnvelopeSchema } from './zalo-errors.ts';

export interface ZaloCall {
  method: HttpMethod;
  /** Path on the Open API host, e.g. `/v2.0/article/create`. */
  path: string;
  token: string;
  query?: Record<string, string | undefined>;
  body?: HttpBody;
  timeoutMs?: number;
}

/** A failed call with the platform's own code, so callers can branch on -214 or -234. */
export class ZaloApiError extends ConnectorFailure {
  constructor(
    failure: ConnectorFailure['failure'],
    readonly zaloCode: number,
  ) {
    super('zalo', failure);
  }
}

export interface ZaloClient {
  call<T>(call: ZaloCall, dataSchema: z.ZodType<T>): Promise<T>;
}

export function createZaloClient(options: {
  http: HttpClient;
  openApiUrl: string;
  rateLimitWaitMs: number;
}): ZaloClient {
  const base = options.openApiUrl.replace(/\/+$/, '');

  async function call<T>(request: ZaloCall, dataSchema: z.ZodType<T>): Promise<T> {
    const isWrite = request.method !== 'GET';
    const response = await send('zalo', options.http, {
      method: request.method,
      url: `${base}${request.path}`,
      headers: { access_token: request.token },
      ...(request.query ? { query: request.query } : {}),
      ...(request.body ? { body: request.body } : {}),
      ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
    });
    const envelope = zaloEnvelopeSchema.safeParse(response.body);
    if (envelope.success && envelope.data.error !== 0) {
      const code = envelope.data.error;
      const failure = classifyZaloFailure(
        {
          status: response.status,
          headers: response.headers,
          isWrite,
          error: { code, message: envelope.data.message ?? `Zalo error ${code}` },
        },
        options.rateLimitWaitMs,
      );
      throw new ZaloApiError(failure, code);
    }
    if (response.status >= 300 || !envelope.success) {
      if (response.status < 300)
        throw unexpectedResponse('zalo', `${request.method} ${request.path}`, isWrite);
      throw new ConnectorFailure(
        'zalo',
        classifyZaloFailure(
          { status: response.status, headers: response.headers, isWrite },
          options.rateLimitWaitMs,
        ),
      );
    }
    const parsed = dataSchema.safeParse(envelope.data.data);
    if (!parsed.success) throw unexpectedResponse('zalo', `${request.method} ${request.path}`, isWrite);
    return parsed.data;
  }

  return { call };
}
