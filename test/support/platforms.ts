// The mock Facebook and Zalo servers for a test file, on free ports, with the control plane.
import { randomInt } from 'node:crypto';
import { startMockPlatforms } from '../../server/mock-platforms/index.ts';
import type { PlatformUrls } from '../../server/publishing/wiring.ts';
import { loadConfig } from '../../server/config.ts';

export interface TestPlatforms {
  urls: PlatformUrls;
  mock: { facebook: string; zalo: string };
  createPage(name: string): Promise<{ id: string; name: string; access_token: string }>;
  createOa(
    name: string,
  ): Promise<{ oa_id: string; name: string; access_token: string; refresh_token: string }>;
  posts(query: string): Promise<Array<Record<string, unknown>>>;
  close(): Promise<void>;
}

async function control<T>(base: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function startTestPlatforms(): Promise<TestPlatforms> {
  const p = loadConfig({}).platforms;
  const mocks = await startMockPlatforms({
    facebookPort: 0,
    zaloPort: 0,
    seed: 7,
    // Test files share one database: each file's mocks number their Pages and OAs apart.
    idStart: randomInt(1, 1_000_000) * 1000,
    credentials: {
      facebookAppId: p.facebookAppId!,
      facebookAppSecret: p.facebookAppSecret!,
      facebookVerifyToken: p.facebookVerifyToken!,
      zaloAppId: p.zaloAppId!,
      zaloAppSecret: p.zaloAppSecret!,
      zaloOaSecretKey: p.zaloOaSecretKey!,
    },
  });
  return {
    urls: {
      facebookGraphUrl: mocks.facebookUrl,
      zaloOpenApiUrl: mocks.zaloOpenApiUrl,
      zaloOAuthUrl: mocks.zaloOAuthUrl,
    },
    mock: { facebook: mocks.facebookUrl, zalo: mocks.zaloOpenApiUrl },
    createPage: (name) => control(mocks.facebookUrl, '/_mock/pages', { name }),
    createOa: (name) => control(mocks.zaloOpenApiUrl, '/_mock/oas', { name }),
    async posts(query) {
      const base = query.startsWith('oa_id') ? mocks.zaloOpenApiUrl : mocks.facebookUrl;
      return (await control<{ items: Array<Record<string, unknown>> }>(base, `/_mock/posts?${query}`)).items;
    },
    close: () => mocks.close(),
  };
}
