// `npm run bench -- feed [--short]`: the members' share feed under load, on an embedded
// PostgreSQL of its own holding 10,000 consenting members and 1,000 published posts.
//   1. a plain express route (one small JSON answer) with 100 connections: the ceiling;
//   2. GET /api/v1/feed with 100 connections, each a different member (bearer token):
//      req/s, latency p50/p95/p99, and the ratio against the plain route;
//   3. a burst: 10,000 members each open their Facebook share link /s/:token within 10 s
//      (1,000 of them twice) → every open recorded once, none lost, none doubled.
// Ends with `name: value` lines. Autocannon runs in the same process as Loa, as the plain
// route does, so both pay the same share of the CPU.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import express from 'express';
import { createApp } from '../../server/app.ts';
import { hashToken } from '../../server/auth/auth.service.ts';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { loadConfig } from '../../server/config.ts';
import { buildContainer } from '../../server/container.ts';
import { applyMigrations, connectDatabase } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { apiTokens } from '../../server/db/schema.ts';
import { createLogger } from '../../server/logger.ts';
import { shareToken } from '../../server/amplification/share-token.ts';

const SECRET = 'bench-secret-key-that-is-long-enough-0000';
const MEMBERS = 10_000;
const POSTS = 1_000;
const UNITS = 20;
const CONNECTIONS = 100;
const BURST = 10_000;
const BURST_REPEATS = 1_000;
const BURST_IN_FLIGHT = 100;
const logger = createLogger('warn');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Autocannon against one path; each connection may carry its own headers. */
async function load(
  url: string,
  seconds: number,
  headersFor: (connection: number) => Record<string, string> = () => ({}),
) {
  const latencies: number[] = [];
  let connection = 0;
  let errors = 0;
  // This process's CPU per request (Loa or the plain route, plus autocannon itself): steadier
  // than req/s on a machine shared with other work.
  const cpuBefore = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        setupClient: (client) => {
          client.setHeaders(headersFor(connection++));
        },
      },
      (error, done) => (error ? reject(error) : resolve(done)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode !== 200) errors += 1;
      latencies.push(responseTime);
    });
  });
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    cpuUsPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests.total),
    rps: result.requests.total / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    errors: errors + result.errors + result.non2xx,
    errorKinds: { non200: errors, connectionErrors: result.errors, timeouts: result.timeouts },
  };
}

function open(agent: Agent, url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

export async function run(args: string[]): Promise<void> {
  const short = args.includes('--short');
  const seconds = short ? 5 : 10;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-bench-feed-'));
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

    // ---- seed: units, members with consent and tokens, published posts ----
    const province = await c.users.createUnit(SYSTEM_ACTOR, { name: 'Công an tỉnh Thử Nghiệm' });
    const communes = [];
    for (let i = 0; i < UNITS; i += 1) {
      communes.push(
        await c.users.createUnit(SYSTEM_ACTOR, { name: `Công an xã ${i + 1}`, parentId: province.id }),
      );
    }
    const unitList = `{${communes.map((u) => u.id).join(',')}}`;
    await db.execute(sql`
      INSERT INTO users (email, name, role, unit_id, password_hash)
      SELECT 'member-' || g || '@bench.vn', 'Thành viên ' || g, 'member', (${unitList}::uuid[])[1 + g % ${UNITS}], 'bench'
        FROM generate_series(1, ${MEMBERS}) g`);
    await db.execute(sql`
      INSERT INTO member_profiles (user_id, consent_version, consented_at)
      SELECT id, ${c.amplification.members.consent.version}, now() FROM users WHERE role = 'member'`);
    const memberRows = (
      await db.execute<{ id: string }>(sql`SELECT id FROM users WHERE role = 'member' ORDER BY email`)
    ).rows;
    const tokens = memberRows.map(() => `loa_${randomBytes(32).toString('base64url')}`);
    const expiresAt = new Date(Date.now() + 86_400_000);
    for (let i = 0; i < memberRows.length; i += 1000) {
      await db.insert(apiTokens).values(
        memberRows.slice(i, i + 1000).map((m, j) => ({
          userId: m.id,
          name: 'bench',
          tokenHash: hashToken(tokens[i + j] ?? ''),
          expiresAt,
          lastUsedAt: new Date(),
        })),
      );
    }
    const author = await c.users.createUser(SYSTEM_ACTOR, {
      email: 'editor@bench.vn',
      name: 'Biên tập',
      password: 'bench password 123',
      role: 'editor',
      unitId: province.id,
    });
    // A third for everyone, a third for the province, a third for one commune each.
    await db.execute(sql`
      INSERT INTO posts (status, template_id, variables, title, text, unit_ids, scheduled_at, published_at, author_id, unit_id, slug)
      SELECT 'published',
             CASE WHEN g % 2 = 0 THEN 'gia-danh-co-quan-phap-luat' END,
             jsonb_build_object('unitName', 'Công an tỉnh Thử Nghiệm', 'hotline', '0235 3822 123', 'area', 'Quảng Nam', 'date', '2026-12-01'),
             'Cảnh báo lừa đảo số ' || g, 'Cảnh báo: thủ đoạn lừa đảo số ' || g || '. Gọi 113 khi nghi ngờ.',
             CASE g % 3 WHEN 0 THEN '[]'::jsonb WHEN 1 THEN jsonb_build_array(${province.id}::text)
                        ELSE jsonb_build_array(((${unitList}::uuid[])[1 + g % ${UNITS}])::text) END,
             now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
             ${author.id}, ${province.id}, 'bench-' || g
        FROM generate_series(1, ${POSTS}) g`);
    await db.execute(sql`ANALYZE`);

    const { server, url } = await listen(createApp(c));
    const plainApp = express();
    plainApp.get('/plain', (_req, res) => {
      res.json({ ok: true });
    });
    const plain = await listen(plainApp);

    // Warm-up: JIT, the pool, and the captions cache.
    await load(`${url}/api/v1/feed`, 2, (n) => ({ authorization: `Bearer ${tokens[n % tokens.length]}` }));
    await load(`${plain.url}/plain`, 1);

    const plainResult = await load(`${plain.url}/plain`, seconds);
    const feedResult = await load(`${url}/api/v1/feed`, seconds, (n) => ({
      authorization: `Bearer ${tokens[(n * 97) % tokens.length]}`,
    }));

    // ---- the burst: every member opens their share link for one post, some twice ----
    const [burstPost] = (
      await db.execute<{ id: string }>(
        sql`SELECT id FROM posts WHERE unit_ids = '[]'::jsonb ORDER BY published_at DESC LIMIT 1`,
      )
    ).rows;
    if (!burstPost) throw new Error('no post for the burst');
    const agent = new Agent({ keepAlive: true, maxSockets: BURST_IN_FLIGHT });
    const opens = memberRows.map((m, i) => ({ userId: m.id, token: tokens[i] ?? '' }));
    const queue = [...opens, ...opens.slice(0, BURST_REPEATS)];
    const statuses = new Map<number, number>();
    const started = Date.now();
    const burstCpu = process.cpuUsage();
    let next = 0;
    await Promise.all(
      Array.from({ length: BURST_IN_FLIGHT }, async () => {
        while (next < queue.length) {
          const item = queue[next++];
          if (!item) break;
          const link = shareToken(SECRET, {
            userId: item.userId,
            postId: burstPost.id,
            platform: 'facebook',
          });
          const status = await open(agent, `${url}/s/${link}`, item.token);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const burstSeconds = (Date.now() - started) / 1000;
    const burstCpuUsed = process.cpuUsage(burstCpu);
    agent.destroy();
    const recorded = (
      await db.execute<{ rows: number; members: number; opens: number; links: number }>(sql`
        SELECT count(*)::int AS rows, count(DISTINCT user_id)::int AS members, sum(opens)::int AS opens,
               count(DISTINCT link_code)::int AS links
          FROM member_shares WHERE post_id = ${burstPost.id}`)
    ).rows[0];
    const audited = (
      await db.execute<{ n: number }>(
        sql`SELECT count(*)::int AS n FROM audit_log WHERE action = 'member.share_opened' AND target_id = ${burstPost.id}`,
      )
    ).rows[0]?.n;

    server.closeAllConnections();
    plain.server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await new Promise<void>((resolve) => plain.server.close(() => resolve()));
    await database.close();

    const lines: [string, string | number][] = [
      ['members', MEMBERS],
      ['published_posts', POSTS],
      ['connections', CONNECTIONS],
      ['plain_req_per_s', Math.round(plainResult.rps)],
      ['plain_p50_ms', plainResult.p50],
      ['plain_p95_ms', plainResult.p95],
      ['plain_p99_ms', plainResult.p99],
      ['feed_req_per_s', Math.round(feedResult.rps)],
      ['feed_p50_ms', feedResult.p50],
      ['feed_p95_ms', feedResult.p95],
      ['feed_p99_ms', feedResult.p99],
      ['feed_errors', feedResult.errors],
      ['feed_error_kinds', JSON.stringify(feedResult.errorKinds)],
      ['feed_vs_plain', (feedResult.rps / plainResult.rps).toFixed(2)],
      ['plain_cpu_us_per_req', Math.round(plainResult.cpuUsPerRequest)],
      ['feed_cpu_us_per_req', Math.round(feedResult.cpuUsPerRequest)],
      ['burst_opens', queue.length],
      ['burst_seconds', burstSeconds.toFixed(1)],
      ['burst_opens_per_s', Math.round(queue.length / burstSeconds)],
      ['burst_cpu_us_per_open', Math.round((burstCpuUsed.user + burstCpuUsed.system) / queue.length)],
      ['burst_redirects', statuses.get(302) ?? 0],
      ['burst_other_statuses', JSON.stringify(Object.fromEntries([...statuses].filter(([s]) => s !== 302)))],
      ['burst_recorded_members', recorded?.members ?? 0],
      ['burst_rows', recorded?.rows ?? 0],
      ['burst_opens_counted', recorded?.opens ?? 0],
      ['burst_links', recorded?.links ?? 0],
      ['burst_audited', audited ?? 0],
      ['burst_lost', BURST - (recorded?.members ?? 0)],
      ['burst_doubled', (recorded?.rows ?? 0) - (recorded?.members ?? 0)],
    ];
    for (const [name, value] of lines) process.stdout.write(`${name}: ${value}\n`);
  } finally {
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
