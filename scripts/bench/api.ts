// `npm run bench -- api [--short]`: the API's read path under load, on an embedded PostgreSQL of
// its own holding 300 published posts (two publications, five history entries each).
//   1. a plain express route (one small JSON answer): the ceiling, in this process;
//   2. GET /api/v1/posts/:id of a published post with a bearer token;
//   3. GET /api/v1/posts?limit=50 with a bearer token;
//   4. GET /api/v1/health (no token).
// 20 connections, 10 s each (3 s with --short). Each prints req/s, p50, p99 and the ratio to the
// plain route. Loa runs as in production (NODE_ENV=production): responses pass through their
// declared schema, unknown fields stripped. Autocannon runs in the same process as Loa and the
// plain route, so all pay the same share of the CPU.
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import express from 'express';
import { createApp } from '../../server/app.ts';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { loadConfig } from '../../server/config.ts';
import { buildContainer } from '../../server/container.ts';
import { applyMigrations, connectDatabase } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { createLogger } from '../../server/logger.ts';

const SECRET = 'bench-secret-key-that-is-long-enough-0000';
const POSTS = 300;
const CONNECTIONS = 20;
const logger = createLogger('warn');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

async function load(url: string, seconds: number, headers: Record<string, string> = {}) {
  const latencies: number[] = [];
  let errors = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: seconds, headers },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) errors += 1;
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    rps: result.requests.total / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: errors + result.errors + result.timeouts,
  };
}

export async function run(args: string[]): Promise<void> {
  const seconds = args.includes('--short') ? 3 : 10;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-bench-api-'));
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_bench', logger });
  try {
    await applyMigrations(embedded.url, logger);
    const database = connectDatabase(embedded.url, logger, { max: 20 });
    const config = loadConfig({
      NODE_ENV: 'production',
      LOA_DATA_DIR: dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      LOA_LOG_LEVEL: 'warn',
      FACEBOOK_WWW_URL: 'https://www.facebook.com',
    });
    const c = buildContainer({ config, database, logger, secretKey: SECRET });
    const db = database.db;

    // ---- seed: a unit, an editor and a reviewer, two channels, published posts ----
    const unit = await c.users.createUnit(SYSTEM_ACTOR, { name: 'Công an tỉnh Thử Nghiệm' });
    const editor = await c.users.createUser(SYSTEM_ACTOR, {
      email: 'editor@bench.vn',
      name: 'Biên tập viên',
      password: 'bench password 123',
      role: 'editor',
      unitId: unit.id,
    });
    const reviewer = await c.users.createUser(SYSTEM_ACTOR, {
      email: 'reviewer@bench.vn',
      name: 'Người duyệt',
      password: 'bench password 123',
      role: 'reviewer',
      unitId: unit.id,
    });
    const { token } = await c.auth.issueToken(reviewer, { name: 'bench', ip: null });
    const channelRows = (
      await db.execute<{ id: string }>(sql`
        INSERT INTO channels (platform, external_id, name, unit_id, access_token_enc)
        VALUES ('facebook', 'page-1', 'Trang Công an tỉnh', ${unit.id}, 'x'),
               ('zalo', 'oa-1', 'OA Công an tỉnh', ${unit.id}, 'x')
        RETURNING id`)
    ).rows;
    const channelIds = channelRows.map((r) => r.id);
    await db.execute(sql`
      INSERT INTO posts (status, variables, title, text, channel_ids, scheduled_at, published_at,
                         approved_at, approved_by, approved_version, author_id, unit_id, slug)
      SELECT 'published', '{}'::jsonb, 'Cảnh báo lừa đảo số ' || g,
             'Cảnh báo: thủ đoạn lừa đảo số ' || g || '. Gọi 113 khi nghi ngờ.',
             ${JSON.stringify(channelIds)}::jsonb,
             now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
             now() - (g || ' minutes')::interval - interval '1 hour', ${reviewer.id}, 1,
             ${editor.id}, ${unit.id}, 'bench-' || g
        FROM generate_series(1, ${POSTS}) g`);
    await db.execute(sql`
      INSERT INTO publications (post_id, channel_id, status, scheduled_at, link_code, external_id,
                                permalink, published_at, attempts)
      SELECT p.id, ch.id, 'published', p.scheduled_at, md5(p.id::text || ch.id::text),
             'ext-' || md5(p.id::text || ch.id::text), 'https://example.vn/p/' || p.slug, p.published_at, 1
        FROM posts p CROSS JOIN channels ch`);
    await db.execute(sql`
      INSERT INTO post_events (post_id, at, actor_id, action, version, comment)
      SELECT p.id, p.scheduled_at - (e.n || ' hours')::interval,
             CASE WHEN e.n % 2 = 0 THEN ${editor.id}::uuid ELSE ${reviewer.id}::uuid END,
             (ARRAY['published', 'approved', 'submitted', 'edited', 'created'])[e.n + 1], 1,
             CASE WHEN e.n = 1 THEN 'Đồng ý đăng' END
        FROM posts p CROSS JOIN generate_series(0, 4) e(n)`);
    await db.execute(sql`ANALYZE`);
    const [target] = (
      await db.execute<{ id: string }>(sql`SELECT id FROM posts ORDER BY published_at DESC LIMIT 1`)
    ).rows;
    if (!target) throw new Error('no post to read');

    const app = createApp(c);
    const { server, url } = await listen(app);
    const plainApp = express();
    plainApp.get('/plain', (_req, res) => {
      res.json({ ok: true });
    });
    const plain = await listen(plainApp);
    const auth = { authorization: `Bearer ${token}` };
    const detailUrl = `${url}/api/v1/posts/${target.id}`;
    const listUrl = `${url}/api/v1/posts?limit=50`;
    const healthUrl = `${url}/api/v1/health`;

    // Warm-up: JIT, the pool, the actor cache.
    await load(detailUrl, 1, auth);
    await load(listUrl, 1, auth);
    await load(healthUrl, 1);
    await load(`${plain.url}/plain`, 1);

    const plainResult = await load(`${plain.url}/plain`, seconds);
    const results = {
      post: await load(detailUrl, seconds, auth),
      list: await load(listUrl, seconds, auth),
      health: await load(healthUrl, seconds),
    };

    await close(server);
    await close(plain.server);
    await (app.locals.closeSessionStore as () => Promise<void>)();
    await database.close();

    const lines: [string, string | number][] = [
      ['connections', CONNECTIONS],
      ['seconds', seconds],
      ['load_average_1m', os.loadavg()[0]?.toFixed(2) ?? '?'],
      ['plain_req_per_s', Math.round(plainResult.rps)],
      ['plain_p50_ms', plainResult.p50.toFixed(1)],
      ['plain_p99_ms', plainResult.p99.toFixed(1)],
    ];
    for (const [name, r] of Object.entries(results)) {
      lines.push(
        [`${name}_req_per_s`, Math.round(r.rps)],
        [`${name}_p50_ms`, r.p50.toFixed(1)],
        [`${name}_p99_ms`, r.p99.toFixed(1)],
        [`${name}_errors`, r.errors],
        [`${name}_vs_plain`, (r.rps / plainResult.rps).toFixed(2)],
      );
    }
    for (const [name, value] of lines) process.stdout.write(`${name}: ${value}\n`);
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
