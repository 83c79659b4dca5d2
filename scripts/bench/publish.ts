// `npm run bench -- publish [--short] [--burst-only]`: Loa's publisher against the mock platforms with two worker
// processes (server/main.ts, LOA_ROLE=worker), on an embedded PostgreSQL of its own.
//   1. burst: 1,000 publications due in the same second → lateness p50/p95/p99/max (claim and
//      "out" = the platform answered), throughput, duplicates and missing on the mocks' ledgers;
//   2. the same run, bare Agenda: 1,000 no-op jobs due at one instant on two processes with the
//      same Agenda settings → throughput and lateness (the ceiling the publisher is compared with);
//   3. steady: 10 publications a second fall due for 120 s (20 s with --short) → lateness.
// Ends with `name: value` lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../../server/auth/actor.ts';
import { loadConfig } from '../../server/config.ts';
import { buildContainer, type Container } from '../../server/container.ts';
import { applyMigrations, connectDatabase } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { posts } from '../../server/db/schema.ts';
import { connectEnqueueOnly, createAgenda, disconnectEnqueueOnly } from '../../server/jobs/agenda.ts';
import { createLogger } from '../../server/logger.ts';
import { startMockPlatforms } from '../../server/mock-platforms/index.ts';

const SECRET = 'bench-secret-key-that-is-long-enough-0000';
const PUBLIC_URL = 'https://loa.example.vn';
const WORKER_CONCURRENCY = 50;
const POLL_MS = 1000;
const NOOP_JOB = 'bench.noop';
/**
 * The node flags package.json's start script gives Loa: a larger young generation, because a
 * burst allocates quickly and scavenges cost a worker ~20 % of its time with the default. The
 * bare-Agenda workers get the same.
 */
const NODE_FLAGS = ['--max-semi-space-size=32'];
const logger = createLogger('warn');

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const stats = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1] ?? NaN,
  };
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The bare-Agenda child: no-op jobs with the same settings Loa's workers use. */
async function noopWorker(url: string): Promise<void> {
  const database = connectDatabase(url, logger, { max: 10 });
  const handle = createAgenda({
    pool: database.pool,
    name: `noop-${process.pid}`,
    pollMs: POLL_MS,
    concurrency: WORKER_CONCURRENCY,
    logger,
  });
  handle.agenda.define(NOOP_JOB, async () => undefined, { concurrency: WORKER_CONCURRENCY });
  await handle.agenda.ready;
  await handle.agenda.start();
  process.stdout.write('noop worker started\n');
  process.on('SIGTERM', () => {
    void handle.agenda.stop().finally(() => database.close().finally(() => process.exit(0)));
  });
}

function spawnChild(
  args: string[],
  env: Record<string, string>,
): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [...NODE_FLAGS, '--import', 'tsx', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/worker started/.test(output)) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited with ${code}: ${output.slice(-2000)}`)));
  });
  return { child, ready };
}

async function stopChildren(children: ChildProcess[]) {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
}

/**
 * CPU seconds used so far by the workers, PostgreSQL, this process (which runs the mocks) and the
 * kernel's own threads (disk writeback): on two cores, where a burst's time goes.
 */
function cpuTimes(children: ChildProcess[]): Record<string, number> {
  const out: Record<string, number> = {};
  const ticksPerSecond = 100;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const name = /\((.*)\)/.exec(stat)?.[1] ?? '';
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    const key =
      name === 'postgres'
        ? 'postgres'
        : name.startsWith('kworker')
          ? 'kernel'
          : Number(pid) === process.pid
            ? 'bench_and_mocks'
            : children.some((ch) => ch.pid === Number(pid))
              ? 'workers'
              : undefined;
    if (key) out[key] = (out[key] ?? 0) + seconds;
  }
  return out;
}

function cpuFigures(prefix: string, before: Record<string, number>, after: Record<string, number>) {
  return Object.fromEntries(
    Object.entries(after).map(([k, v]) => [`${prefix}_cpu_${k}_s`, (v - (before[k] ?? 0)).toFixed(2)]),
  );
}

interface Measured {
  claimLateness: number[];
  outLateness: number[];
  firstDue: number;
  lastOut: number;
  published: number;
  failed: number;
}

/** Cheap enough to poll while the workers run. */
async function settledCount(c: Container, ids: string[]): Promise<number> {
  const r = await c.database.db.execute<{ n: number }>(
    sql`SELECT count(*)::int AS n FROM publications WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[]) AND status IN ('published', 'failed')`,
  );
  return r.rows[0]?.n ?? 0;
}

async function measure(c: Container, ids: string[]): Promise<Measured> {
  const result = await c.database.db.execute<{
    scheduled_at: string;
    started_at: string | null;
    published_at: string | null;
    status: string;
  }>(sql`
    SELECT p.scheduled_at, p.published_at, p.status, (SELECT min(a.started_at) FROM publication_attempts a WHERE a.publication_id = p.id) AS started_at
    FROM publications p WHERE p.id = ANY(${`{${ids.join(',')}}`}::uuid[])`);
  const m: Measured = {
    claimLateness: [],
    outLateness: [],
    firstDue: Infinity,
    lastOut: 0,
    published: 0,
    failed: 0,
  };
  for (const row of result.rows) {
    const due = new Date(row.scheduled_at).getTime();
    m.firstDue = Math.min(m.firstDue, due);
    if (row.status === 'published') m.published += 1;
    if (row.status === 'failed') m.failed += 1;
    if (row.started_at) m.claimLateness.push(new Date(row.started_at).getTime() - due);
    if (row.published_at) {
      const out = new Date(row.published_at).getTime();
      m.outLateness.push(out - due);
      m.lastOut = Math.max(m.lastOut, out);
    }
  }
  return m;
}

export async function run(args: string[]): Promise<void> {
  const short = args.includes('--short');
  /** Only the burst (while tuning the publisher). */
  const burstOnly = args.includes('--burst-only');
  /** Only the steady scenario. */
  const steadyOnly = args.includes('--steady-only');
  const steadySeconds = short ? 20 : 120;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-bench-publish-'));
  const children: ChildProcess[] = [];
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_bench', logger });
  const mocks = await startMockPlatforms({
    facebookPort: 0,
    zaloPort: 0,
    seed: 1,
    credentials: {
      facebookAppId: '100000000000001',
      facebookAppSecret: 'mock-facebook-app-secret',
      facebookVerifyToken: 'mock-facebook-verify-token',
      zaloAppId: '200000000000002',
      zaloAppSecret: 'mock-zalo-app-secret',
      zaloOaSecretKey: 'mock-zalo-oa-secret-key',
    },
  });
  const figures: Record<string, string | number> = {};
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await applyMigrations(embedded.url, logger);
    const database = connectDatabase(embedded.url, logger, { max: 20 });
    const config = loadConfig({
      NODE_ENV: 'production',
      LOA_DATA_DIR: dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      LOA_LOG_LEVEL: 'warn',
      LOA_PUBLIC_URL: PUBLIC_URL,
    });
    const platformUrls = {
      facebookGraphUrl: mocks.facebookUrl,
      zaloOpenApiUrl: mocks.zaloOpenApiUrl,
      zaloOAuthUrl: mocks.zaloOAuthUrl,
    };
    const c = buildContainer({ config, database, logger, secretKey: SECRET, platformUrls });
    const enqueuer = createAgenda({
      pool: database.pool,
      name: 'bench-enqueuer',
      pollMs: POLL_MS,
      concurrency: 1,
      logger,
    });
    await connectEnqueueOnly(enqueuer);
    c.queue.attach(enqueuer);
    cleanups.push(
      () => database.close(),
      () => disconnectEnqueueOnly(enqueuer),
    );

    const author = await c.users.createUser(SYSTEM_ACTOR, {
      email: 'bench@loa.test',
      name: 'Bench',
      password: 'bench-password-long',
      role: 'editor',
      unitId: null,
    });
    const channels: Awaited<ReturnType<Container['channels']['connect']>>[] = [];
    for (let i = 0; i < 20; i += 1) {
      const page = (await (
        await fetch(`${mocks.facebookUrl}/_mock/pages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ name: `Trang ${i}` }),
        })
      ).json()) as { id: string; access_token: string };
      channels.push(
        await c.channels.connect(SYSTEM_ACTOR, {
          platform: 'facebook',
          externalId: page.id,
          accessToken: page.access_token,
        }),
      );
    }

    /** One post and one publication each, due at the given times; jobs enqueued as the app would. */
    async function createDue(times: Date[]): Promise<string[]> {
      const ids: string[] = [];
      for (const [i, due] of times.entries()) {
        const postId = randomUUID();
        const id = await c.database.db.transaction(async (tx) => {
          await tx.insert(posts).values({
            id: postId,
            status: 'scheduled',
            title: `Cảnh báo ${i}`,
            text: `Cảnh báo lừa đảo số ${i} (${postId.slice(0, 8)}).`,
            authorId: author.id,
            slug: `bench-${postId}`,
            scheduledAt: due,
          });
          const [created] = await c.publishing.createPublications(tx, {
            postId,
            channelIds: [channels[i % channels.length]!.id],
            scheduledAt: due,
            notAfter: null,
          });
          return created!;
        });
        await c.publishing.enqueueForPost(postId);
        ids.push(id);
      }
      return ids;
    }

    async function ledgerCheck(ids: string[]) {
      const codes = await c.database.db.execute<{ link_code: string }>(
        sql`SELECT link_code FROM publications WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[])`,
      );
      const wanted = new Set(codes.rows.map((r) => r.link_code));
      const seen = new Map<string, number>();
      for (const channel of channels) {
        const { items } = (await (
          await fetch(`${mocks.facebookUrl}/_mock/posts?page_id=${channel.externalId}`)
        ).json()) as { items: { message: string | null }[] };
        for (const item of items) {
          const code = /\/l\/([a-z0-9]+)/.exec(item.message ?? '')?.[1];
          if (code && wanted.has(code)) seen.set(code, (seen.get(code) ?? 0) + 1);
        }
      }
      let duplicates = 0;
      for (const n of seen.values()) duplicates += n - 1;
      return { duplicates, missing: wanted.size - seen.size };
    }

    const workerEnv = {
      LOA_ROLE: 'worker',
      DATABASE_URL: embedded.url,
      LOA_DATA_DIR: dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      FACEBOOK_GRAPH_URL: mocks.facebookUrl,
      ZALO_OPENAPI_URL: mocks.zaloOpenApiUrl,
      ZALO_OAUTH_URL: mocks.zaloOAuthUrl,
      LOA_SECRET_KEY: SECRET,
      LOA_PUBLIC_URL: PUBLIC_URL,
      LOA_LOG_LEVEL: 'info',
      LOA_WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      LOA_WORKER_POLL_MS: String(POLL_MS),
    };
    const prof = process.env.BENCH_PROFILE
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`]
      : [];
    if (!steadyOnly) {
      const workers = [
        spawnChild([...prof, 'server/main.ts'], workerEnv),
        spawnChild([...prof, 'server/main.ts'], workerEnv),
      ];
      children.push(...workers.map((w) => w.child));
      await Promise.all(workers.map((w) => w.ready));

      // 1. Burst: 1,000 due in the same second (created ahead, all due at `due`).
      const burstCount = 1000;
      const created = Date.now();
      const due = new Date(created + 25_000);
      const burstIds = await createDue(Array.from({ length: burstCount }, () => due));
      figures.burst_setup_ms = Date.now() - created;
      await sleep(Math.max(0, due.getTime() - Date.now() - 50));
      const cpuBefore = cpuTimes(children);
      await until(
        'the burst to finish',
        async () => (await settledCount(c, burstIds)) >= burstCount,
        180_000,
        500,
      );
      const burst = await measure(c, burstIds);
      Object.assign(figures, cpuFigures('burst', cpuBefore, cpuTimes(children)));
      // How the burst was shared between the workers and batched.
      const split = await c.database.db.execute<{ n: number; batches: number }>(sql`
      SELECT count(*)::int AS n, count(DISTINCT a.started_at)::int AS batches
      FROM publication_attempts a
      WHERE a.publication_id = ANY(${`{${burstIds.join(',')}}`}::uuid[]) GROUP BY a.worker_id ORDER BY n DESC`);
      Object.assign(figures, {
        burst_per_worker: split.rows.map((r) => r.n).join('/'),
        burst_claim_batches: split.rows.reduce((sum, r) => sum + r.batches, 0),
      });
      const burstLedger = await ledgerCheck(burstIds);
      const claim = stats(burst.claimLateness);
      const out = stats(burst.outLateness);
      Object.assign(figures, {
        burst_publications: burstCount,
        burst_published: burst.published,
        burst_failed: burst.failed,
        burst_claim_lateness_p50_ms: claim.p50,
        burst_claim_lateness_p95_ms: claim.p95,
        burst_claim_lateness_p99_ms: claim.p99,
        burst_claim_lateness_max_ms: claim.max,
        burst_out_lateness_p50_ms: out.p50,
        burst_out_lateness_p95_ms: out.p95,
        burst_out_lateness_p99_ms: out.p99,
        burst_out_lateness_max_ms: out.max,
        burst_throughput_per_s: Math.round((burstCount / Math.max(1, burst.lastOut - burst.firstDue)) * 1000),
        burst_duplicates: burstLedger.duplicates,
        burst_missing: burstLedger.missing,
      });
      await stopChildren(workers.map((w) => w.child));
      if (burstOnly) return;

      // 2. Bare Agenda on the same database: no-op jobs, two processes, the same settings.
      const noop = [
        spawnChild([fileURLOf(), '--noop-worker', embedded.url], {}),
        spawnChild([fileURLOf(), '--noop-worker', embedded.url], {}),
      ];
      children.push(...noop.map((w) => w.child));
      await Promise.all(noop.map((w) => w.ready));
      const noopDue = new Date(Date.now() + 10_000);
      for (let i = 0; i < burstCount; i += 1)
        await enqueuer.agenda.schedule(noopDue, NOOP_JOB, { i, due: noopDue.toISOString() });
      await sleep(Math.max(0, noopDue.getTime() - Date.now() - 50));
      const noopCpuBefore = cpuTimes(children);
      await until(
        'the no-op jobs',
        async () => {
          const r = await c.database.db.execute<{ n: number }>(
            sql`SELECT count(*)::int AS n FROM agenda_jobs WHERE name = ${NOOP_JOB} AND last_finished_at IS NOT NULL`,
          );
          return (r.rows[0]?.n ?? 0) >= burstCount;
        },
        120_000,
        250,
      );
      Object.assign(figures, cpuFigures('agenda_noop', noopCpuBefore, cpuTimes(children)));
      const noopRows = await c.database.db.execute<{ last_run_at: string; last_finished_at: string }>(
        sql`SELECT last_run_at, last_finished_at FROM agenda_jobs WHERE name = ${NOOP_JOB}`,
      );
      const noopLateness = noopRows.rows.map((r) => new Date(r.last_run_at).getTime() - noopDue.getTime());
      const noopLast = Math.max(...noopRows.rows.map((r) => new Date(r.last_finished_at).getTime()));
      const bare = stats(noopLateness);
      const bareThroughput = Math.round((burstCount / Math.max(1, noopLast - noopDue.getTime())) * 1000);
      Object.assign(figures, {
        agenda_noop_lateness_p50_ms: bare.p50,
        agenda_noop_lateness_p99_ms: bare.p99,
        agenda_noop_lateness_max_ms: bare.max,
        agenda_noop_throughput_per_s: bareThroughput,
        burst_throughput_vs_agenda: (Number(figures.burst_throughput_per_s) / bareThroughput).toFixed(2),
      });
      await stopChildren(noop.map((w) => w.child));
    }

    // 3. Steady: 10 a second for `steadySeconds`.
    const steadyWorkers = [
      spawnChild(['server/main.ts'], workerEnv),
      spawnChild(['server/main.ts'], workerEnv),
    ];
    children.push(...steadyWorkers.map((w) => w.child));
    await Promise.all(steadyWorkers.map((w) => w.ready));
    const steadyCount = steadySeconds * 10;
    const steadyStart = Date.now() + 30_000;
    const steadyIds = await createDue(
      Array.from({ length: steadyCount }, (_, i) => new Date(steadyStart + i * 100)),
    );
    await until(
      'the steady run to finish',
      async () => (await settledCount(c, steadyIds)) >= steadyCount,
      (steadySeconds + 120) * 1000,
      500,
    );
    const steady = await measure(c, steadyIds);
    const steadyLedger = await ledgerCheck(steadyIds);
    const sc = stats(steady.claimLateness);
    const so = stats(steady.outLateness);
    Object.assign(figures, {
      steady_publications: steadyCount,
      steady_published: steady.published,
      steady_claim_lateness_p50_ms: sc.p50,
      steady_claim_lateness_p99_ms: sc.p99,
      steady_claim_lateness_max_ms: sc.max,
      steady_out_lateness_p50_ms: so.p50,
      steady_out_lateness_p99_ms: so.p99,
      steady_out_lateness_max_ms: so.max,
      steady_duplicates: steadyLedger.duplicates,
      steady_missing: steadyLedger.missing,
    });
    await stopChildren(steadyWorkers.map((w) => w.child));
  } catch (error) {
    console.error('bench failed:', error);
    process.exitCode = 1;
  } finally {
    await stopChildren(children);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await mocks.close();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
  }
}

function fileURLOf(): string {
  return new URL(import.meta.url).pathname;
}

if (process.argv[2] === '--noop-worker' && process.argv[3]) {
  await noopWorker(process.argv[3]);
}
