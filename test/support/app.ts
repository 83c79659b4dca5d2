// The app under test: real PostgreSQL, real services, createApp without listen().
import { randomBytes, randomUUID } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Environment } from '../../server/config.ts';
import { buildContainer, type Container } from '../../server/container.ts';
import type { UserRole } from '../../server/db/schema.ts';
import { isolatedTestDatabase, testDatabase, testLogger } from './database.ts';

export interface TestApp {
  app: Express;
  c: Container;
  close(): Promise<void>;
}

/**
 * `extra` reaches buildContainer as is (platform URLs of mocks started by the test, tuning);
 * `options.database` names a database of the file's own instead of the shared one.
 */
export async function createTestApp(
  env: Environment = {},
  extra: Partial<
    Omit<Parameters<typeof buildContainer>[0], 'config' | 'database' | 'logger' | 'secretKey'>
  > = {},
  options: { database?: string } = {},
): Promise<TestApp> {
  const db = await (options.database ? isolatedTestDatabase(options.database) : testDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    LOA_DATA_DIR: db.dataDir,
    LOA_MOCK_PLATFORMS: 'off',
    LOA_LOG_LEVEL: 'silent',
    LOA_LOGIN_MAX_PER_IP: '100000',
    LOA_LOGIN_MAX_PER_ACCOUNT: '1000',
    ...env,
  });
  const c = buildContainer({
    config,
    database: db.handle,
    logger: testLogger,
    secretKey: 'test-secret-key-that-is-long-enough-000',
    ...extra,
  });
  const app = createApp(c);
  return { app, c, close: () => (app.locals.closeSessionStore as () => Promise<void>)() };
}

export const PASSWORD = 'correct horse battery';

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.vn`;
}

/** A user created straight through the service (as the system), with a bearer token. */
export async function makeUser(
  t: TestApp,
  role: UserRole,
  overrides: { email?: string; unitId?: string | null; name?: string } = {},
) {
  const user = await t.c.users.createUser(
    {
      id: randomUUID(),
      email: 'factory@loa',
      name: 'factory',
      role: 'admin',
      unitId: null,
      scope: null,
      via: 'system',
    },
    {
      email: overrides.email ?? uniqueEmail(role),
      name: overrides.name ?? `Người dùng ${role}`,
      password: PASSWORD,
      role,
      unitId: overrides.unitId ?? null,
    },
  );
  const { token } = await t.c.auth.issueToken(user, { name: 'test', ip: null });
  return { user, token, auth: { Authorization: `Bearer ${token}` } };
}

/** A supertest agent signed in through the login page, with its CSRF token. */
export async function signedInAgent(t: TestApp, email: string, password = PASSWORD, ip = randomIp()) {
  const agent = request.agent(t.app);
  const page = await agent.get('/login').set('X-Forwarded-For', ip);
  const csrf = csrfFrom(page.text);
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', ip)
    .type('form')
    .send({ email, password, _csrf: csrf });
  if (res.status !== 303) throw new Error(`login failed with ${res.status}`);
  const home = await agent.get('/').set('X-Forwarded-For', ip);
  return { agent, csrf: csrfFrom(home.text), ip };
}

export function csrfFrom(html: string): string {
  const match = /name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('no CSRF token in page');
  return match[1];
}

export function randomIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}
