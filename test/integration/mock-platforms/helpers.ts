// Shared helpers for the mock-platform tests: start both mocks on port 0, call them over real
// HTTP, and a webhook receiver that records raw bodies.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startMockPlatforms } from '../../../server/mock-platforms/index.ts';

export const credentials = {
  facebookAppId: '100000000000001',
  facebookAppSecret: 'mock-facebook-app-secret',
  facebookVerifyToken: 'mock-facebook-verify-token',
  zaloAppId: '200000000000002',
  zaloAppSecret: 'mock-zalo-app-secret',
  zaloOaSecretKey: 'mock-zalo-oa-secret-key',
};

export interface Mocks {
  fb: string;
  zalo: string;
  close(): Promise<void>;
}

export async function startMocks(seed = 7): Promise<Mocks> {
  const mocks = await startMockPlatforms({ facebookPort: 0, zaloPort: 0, seed, credentials });
  return { fb: mocks.facebookUrl, zalo: mocks.zaloOpenApiUrl, close: mocks.close };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown> & { error?: unknown; data?: unknown };
}

export async function request(url: string, init: RequestInit = {}): Promise<Reply> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Reply['body'];
  try {
    body = JSON.parse(text) as Reply['body'];
  } catch {
    body = { text };
  }
  return { status: response.status, headers: response.headers, body };
}

export function json(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

export function form(fields: Record<string, string>, headers: Record<string, string> = {}): RequestInit {
  return { method: 'POST', headers, body: new URLSearchParams(fields) };
}

export async function control<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${base}/_mock${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as T;
  if (!response.ok)
    throw new Error(`control ${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

export function fbError(reply: Reply): {
  code: number;
  error_subcode?: number;
  message: string;
  type: string;
  fbtrace_id: string;
} {
  return reply.body.error as {
    code: number;
    error_subcode?: number;
    message: string;
    type: string;
    fbtrace_id: string;
  };
}

/** A 1×1 PNG: the mocks look at the bytes, so images must be real. */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export interface ReceivedHook {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server that records every request; `answer` decides each response status. */
export interface Receiver {
  url: string;
  received: ReceivedHook[];
  /** Resolves once `count` requests have arrived in total. */
  waitFor(count: number): Promise<ReceivedHook[]>;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (hook: ReceivedHook, index: number) => { status: number; body?: string } = () => ({ status: 200 }),
): Promise<Receiver> {
  const received: ReceivedHook[] = [];
  const waiters: Array<{ count: number; resolve: (hooks: ReceivedHook[]) => void }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const hook = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(hook);
      const reply = answer(hook, received.length - 1);
      res.writeHead(reply.status, { 'content-type': 'text/plain' });
      res.end(reply.body ?? 'ok');
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve(received.slice());
        }
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    waitFor: (count) =>
      received.length >= count
        ? Promise.resolve(received.slice())
        : new Promise((resolve) => waiters.push({ count, resolve })),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
