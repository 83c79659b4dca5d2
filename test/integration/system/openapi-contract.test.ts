// The contract cannot drift: responses pass through their declared schema, and the generated
// OpenAPI document names every operation and its errors and passes Redocly's lint.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { loadConfig } from '../../../server/config.ts';
import { defineRoute, mountRoutes, WithStatus, type ResponseMode } from '../../../server/http/api-route.ts';
import { errorHandler } from '../../../server/http/middleware/error-handler.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** One route answering `body`, declared with `schema`, mounted in the given mode. */
function appAnswering(mode: ResponseMode, body: unknown, schema: z.ZodType) {
  const app = express();
  const router = express.Router();
  mountRoutes(
    router,
    [
      defineRoute({
        method: 'get',
        path: '/thing',
        summary: 'A thing',
        tag: 'Test',
        access: 'public',
        response: schema,
        handler: async () => body,
      }),
      defineRoute({
        method: 'get',
        path: '/degraded',
        summary: 'A thing with a status of its own',
        tag: 'Test',
        access: 'public',
        response: schema,
        handler: async () => new WithStatus(503, body),
      }),
    ],
    { responses: mode },
  );
  app.use('/api/v1', router);
  app.use(errorHandler);
  return app;
}

const thing = z.object({ id: z.string(), items: z.array(z.object({ n: z.number() })) });

describe('response contract', () => {
  it('refuses an undeclared field in strict mode, at any depth, and strips it otherwise', async () => {
    const extraTop = { id: 'a', items: [], secret: 'hash' };
    const extraDeep = { id: 'a', items: [{ n: 1 }, { n: 2, secret: 'hash' }] };
    for (const body of [extraTop, extraDeep]) {
      const strict = await request(appAnswering('strict', body, thing)).get('/api/v1/thing');
      assert.equal(strict.status, 500);
      assert.equal(strict.body.error.code, 'internal_error');
      assert.doesNotMatch(strict.text, /secret|hash/);
      const strip = await request(appAnswering('strip', body, thing)).get('/api/v1/thing');
      assert.equal(strip.status, 200);
      assert.doesNotMatch(strip.text, /secret|hash/);
    }
    const ok = await request(appAnswering('strict', { id: 'a', items: [{ n: 1 }] }, thing)).get(
      '/api/v1/thing',
    );
    assert.deepEqual([ok.status, ok.body], [200, { id: 'a', items: [{ n: 1 }] }]);
  });

  it('refuses a response missing a declared field or of the wrong type in either mode', async () => {
    for (const mode of ['strict', 'strip'] as const) {
      for (const body of [{ id: 'a' }, { id: 1, items: [] }]) {
        const res = await request(appAnswering(mode, body, thing)).get('/api/v1/thing');
        assert.equal(res.status, 500, `${mode} ${JSON.stringify(body)}`);
      }
    }
  });

  it('checks a response sent with a status of its own too', async () => {
    const res = await request(appAnswering('strip', { id: 'a', items: [], extra: 1 }, thing)).get(
      '/api/v1/degraded',
    );
    assert.deepEqual([res.status, res.body], [503, { id: 'a', items: [] }]);
  });

  it('is strict under NODE_ENV=test, strips in production, and LOA_STRICT_RESPONSES decides', () => {
    assert.equal(loadConfig({ NODE_ENV: 'test' }).responses, 'strict');
    assert.equal(loadConfig({ NODE_ENV: 'production' }).responses, 'strip');
    assert.equal(loadConfig({}).responses, 'strip');
    assert.equal(loadConfig({ NODE_ENV: 'production', LOA_STRICT_RESPONSES: 'on' }).responses, 'strict');
    assert.equal(loadConfig({ NODE_ENV: 'test', LOA_STRICT_RESPONSES: 'off' }).responses, 'strip');
  });
});

describe('OpenAPI document', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('gives every operation a unique operationId and its 4xx responses with the error envelope', async () => {
    const res = await request(t.app).get('/api/v1/openapi.json');
    assert.equal(res.status, 200);
    const ids = new Set<string>();
    let operations = 0;
    for (const [p, methods] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const [method, op] of Object.entries(methods)) {
        const operation = op as { operationId?: string; responses: Record<string, { content?: unknown }> };
        operations++;
        assert.ok(operation.operationId, `${method} ${p} has no operationId`);
        assert.ok(!ids.has(operation.operationId), `${operation.operationId} twice`);
        ids.add(operation.operationId);
        for (const [status, response] of Object.entries(operation.responses)) {
          if (!/^4\d\d$/.test(status)) continue;
          assert.deepEqual(
            response.content,
            { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
            `${method} ${p} ${status}`,
          );
        }
      }
    }
    assert.ok(operations >= 38);
    const detail = res.body.paths['/api/v1/posts/{id}'].get;
    assert.equal(detail.operationId, 'getPostsById');
    assert.deepEqual(Object.keys(detail.responses), ['200', '401', '403', '404', '422', 'default']);
    assert.ok(res.body.paths['/api/v1/posts'].post.responses['400']);
    assert.deepEqual(res.body.components.schemas.Error.required, ['error']);
    const publication =
      detail.responses['200'].content['application/json'].schema.properties.publications.items;
    for (const field of ['permalink', 'scheduledAt', 'platform', 'channelName']) {
      assert.ok(publication.properties[field], field);
    }
  });

  it('passes `redocly lint` with no errors and no missing operationIds (npm run lint:openapi)', function () {
    this.timeout(60_000);
    const lint = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(root, 'scripts/lint-openapi.ts')],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    assert.equal(lint.status, 0, `${lint.stdout}\n${lint.stderr}`);
    assert.match(`${lint.stdout}${lint.stderr}`, /valid/);
  });

  it('answers health through its declared schema, with or without a token', async () => {
    const { auth } = await makeUser(t, 'admin');
    const res = await request(t.app).get('/api/v1/health').set(auth);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.body).sort(), ['db', 'mockPlatforms', 'status', 'version', 'worker']);
  });
});
