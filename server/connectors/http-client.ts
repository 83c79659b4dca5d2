// The one outbound HTTP client of the connectors: global fetch (undici) with a per-request timeout.
// Network failures and timeouts become an HttpFailure that says whether the platform may have
// carried out the request anyway, because that decides whether the publisher may simply resend.
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
  fetch?: typeof fetch;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

// Errors raised before a single byte left this machine: the platform cannot have seen the request.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
]);

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const doFetch = options.fetch ?? globalThis.fetch;
  const logger = options.logger;

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(req.url, req.query);
    const limit = req.timeoutMs ?? timeoutMs;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), limit);
    const started = Date.now();
    // A GET changes nothing on the platform, so "maybe delivered" only matters for writes.
    const isWrite = req.method !== 'GET';
    const { body, contentType } = encodeBody(req.body);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
    if (contentType) headers['content-type'] = contentType;
    try {
      const response = await doFetch(url, { method: req.method, headers, body, signal: controller.signal });
      const text = await response.text();
      logger?.debug(
        { method: req.method, path: url.pathname, status: response.status, ms: Date.now() - started },
        'platform call',
      );
      return { status: response.status, headers: response.headers, body: parseBody(text) };
    } catch (error) {
      if (controller.signal.aborted) {
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
    } finally {
      clearTimeout(timer);
    }
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

function encodeBody(body: HttpBody | undefined): { body?: string | FormData; contentType?: string } {
  if (!body) return {};
  switch (body.kind) {
    case 'json':
      return { body: JSON.stringify(body.value), contentType: 'application/json' };
    case 'form':
      return {
        body: new URLSearchParams(body.fields).toString(),
        contentType: 'application/x-www-form-urlencoded',
      };
    case 'multipart': {
      // fetch sets the multipart content type with its boundary itself.
      const form = new FormData();
      for (const [key, value] of Object.entries(body.fields)) form.append(key, value);
      for (const file of body.files) {
        form.append(file.field, new Blob([new Uint8Array(file.data)], { type: file.mime }), file.filename);
      }
      return { body: form };
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

/** undici wraps the socket error: `TypeError('fetch failed', { cause: { code } })`. */
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
