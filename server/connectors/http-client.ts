// The one outbound HTTP client of the connectors: node:http(s) with keep-alive and a per-request
// timeout. (Not global fetch: in a burst of publications its per-request cost was the larger part
// of a worker's CPU.) Network failures and timeouts become an HttpFailure that says whether the
// platform may have carried out the request anyway, because that decides whether the publisher may
// simply resend.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';

export type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface MultipartFile {
  field: string;
  data: Buffer;
  filename: string;
  mime: string;
}

export type HttpBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Record<string, string> }
  | { kind: 'multipart'; fields: Record<string, string>; files: MultipartFile[] };

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  query?: Record<string, string | undefined>;
  headers?: Record<string, string>;
  body?: HttpBody;
  /** Overrides the client's default timeout for this request. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON when the body is JSON, the raw text otherwise ('' when empty). */
  body: unknown;
}

export type HttpFailureReason = 'timeout' | 'network';

export class HttpFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    /** true when the request may have reached the platform and been carried out. */
    readonly maybeDelivered: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

export interface HttpClient {
  readonly timeoutMs: number;
  request(request: HttpRequest): Promise<HttpResponse>;
}

export interface HttpClientOptions {
  /** Default per-request timeout; keep it well below the publication lease and any job lock. */
  timeoutMs?: number;
  logger?: Logger;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

// Errors raised before a single byte left this machine: the platform cannot have seen the request.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
]);

/** Connections kept open between calls: a burst of publications reuses them. */
const MAX_SOCKETS_PER_HOST = 64;

class TimeoutError extends Error {}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const logger = options.logger;
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS_PER_HOST }),
  };

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(req.url, req.query);
    const limit = req.timeoutMs ?? timeoutMs;
    const started = Date.now();
    // A GET changes nothing on the platform, so "maybe delivered" only matters for writes.
    const isWrite = req.method !== 'GET';
    const { body, contentType } = encodeBody(req.body);
    const headers: Record<string, string | number> = { accept: 'application/json', ...req.headers };
    if (contentType) headers['content-type'] = contentType;
    if (body) headers['content-length'] = body.length;
    try {
      const response = await send(url, req.method, headers, body, limit);
      logger?.debug(
        { method: req.method, path: url.pathname, status: response.status, ms: Date.now() - started },
        'platform call',
      );
      return response;
    } catch (error) {
      if (error instanceof TimeoutError) {
        logger?.warn({ method: req.method, path: url.pathname, timeoutMs: limit }, 'platform call timed out');
        throw new HttpFailure(
          'timeout',
          isWrite,
          `no answer from ${url.host} within ${limit} ms (${req.method} ${url.pathname})`,
        );
      }
      const code = errorCode(error);
      logger?.warn({ method: req.method, path: url.pathname, code }, 'platform call failed');
      const notSent = code !== undefined && NOT_SENT_CODES.has(code);
      throw new HttpFailure(
        'network',
        isWrite && !notSent,
        `network error talking to ${url.host} (${req.method} ${url.pathname}): ${code ?? describe(error)}`,
      );
    }
  }

  function send(
    url: URL,
    method: HttpMethod,
    headers: Record<string, string | number>,
    body: Buffer | undefined,
    limit: number,
  ): Promise<HttpResponse> {
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
    if (!protocol) {
      return Promise.reject(
        Object.assign(new Error(`unsupported protocol ${url.protocol}`), { code: 'ERR_INVALID_URL' }),
      );
    }
    const transport = protocol === 'https:' ? https : http;
    return new Promise<HttpResponse>((resolve, reject) => {
      const outgoing = transport.request(url, { method, headers, agent: agents[protocol] });
      const timer = setTimeout(() => outgoing.destroy(new TimeoutError()), limit);
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      };
      outgoing.on('error', fail);
      outgoing.on('response', (incoming: IncomingMessage) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', fail);
        incoming.on('aborted', () =>
          fail(Object.assign(new Error('response aborted'), { code: 'ECONNRESET' })),
        );
        incoming.on('end', () => {
          clearTimeout(timer);
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (Array.isArray(value)) for (const v of value) responseHeaders.append(name, v);
            else if (value !== undefined) responseHeaders.set(name, value);
          }
          resolve({
            status: incoming.statusCode ?? 0,
            headers: responseHeaders,
            body: parseBody(Buffer.concat(chunks).toString('utf8')),
          });
        });
      });
      outgoing.end(body);
    });
  }

  return { timeoutMs, request };
}

function buildUrl(base: string, query: HttpRequest['query']): URL {
  const url = new URL(base);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, value);
  }
  return url;
}

function encodeBody(body: HttpBody | undefined): { body?: Buffer; contentType?: string } {
  if (!body) return {};
  switch (body.kind) {
    case 'json':
      return { body: Buffer.from(JSON.stringify(body.value)), contentType: 'application/json' };
    case 'form':
      return {
        body: Buffer.from(new URLSearchParams(body.fields).toString()),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'multipart': {
      const boundary = `----loa${randomBytes(12).toString('hex')}`;
      const parts: Buffer[] = [];
      const quoted = (value: string) => value.replace(/["\r\n]/g, (c) => encodeURIComponent(c));
      for (const [key, value] of Object.entries(body.fields)) {
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(key)}"\r\n\r\n${value}\r\n`,
          ),
        );
      }
      for (const file of body.files) {
        parts.push(
          Buffer.from(
            `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(file.field)}"; filename="${quoted(file.filename)}"\r\nContent-Type: ${file.mime}\r\n\r\n`,
          ),
          file.data,
          Buffer.from('\r\n'),
        );
      }
      parts.push(Buffer.from(`--${boundary}--\r\n`));
      return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
    }
  }
}

function parseBody(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** The socket error's code, also when it is wrapped (`{ cause: { code } }`). */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
