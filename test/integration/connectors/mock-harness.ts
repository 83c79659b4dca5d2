// Starts the mock platforms on port 0 and talks to their control plane (/_mock) for the connector tests.
import {
  createConnectors,
  type Connectors,
  type ConnectorsOptions,
} from '../../../server/connectors/index.ts';
import { startMockPlatforms } from '../../../server/mock-platforms/index.ts';

export const credentials = {
  facebookAppId: '100000000000001',
  facebookAppSecret: 'mock-facebook-app-secret',
  facebookVerifyToken: 'mock-facebook-verify-token',
  zaloAppId: '200000000000002',
  zaloAppSecret: 'mock-zalo-app-secret',
  zaloOaSecretKey: 'mock-zalo-oa-secret-key',
};

export interface Harness {
  facebookUrl: string;
  zaloOpenApiUrl: string;
  zaloOAuthUrl: string;
  connectors(overrides?: Partial<ConnectorsOptions>): Connectors;
  control<T = unknown>(
    base: string,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const mocks = await startMockPlatforms({ facebookPort: 0, zaloPort: 0, seed: 1, credentials });
  const connectors = (overrides: Partial<ConnectorsOptions> = {}) =>
    createConnectors({
      facebookGraphUrl: mocks.facebookUrl,
      zaloOpenApiUrl: mocks.zaloOpenApiUrl,
      zaloOAuthUrl: mocks.zaloOAuthUrl,
      zaloAppId: credentials.zaloAppId,
      zaloAppSecret: credentials.zaloAppSecret,
      timeoutMs: 5000,
      zaloVerifyPolling: { firstDelayMs: 10, maxDelayMs: 50, budgetMs: 5000 },
      ...overrides,
    });
  async function control<T>(base: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
    const response = await fetch(`${base}/_mock${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await response.json()) as T;
    if (!response.ok)
      throw new Error(`control ${method} ${path}: ${response.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }
  return {
    facebookUrl: mocks.facebookUrl,
    zaloOpenApiUrl: mocks.zaloOpenApiUrl,
    zaloOAuthUrl: mocks.zaloOAuthUrl,
    connectors,
    control,
    close: () => mocks.close(),
  };
}

/** A 1×1 PNG: the mocks sniff the bytes, so images must be real. */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

let counter = 0;
/** A marker unique to this run, shaped like a tracked-link code. */
export function uniqueMarker(): string {
  counter += 1;
  return `t${Date.now().toString(36)}${counter}`;
}
