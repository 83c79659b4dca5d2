// Publishing tests: the mock platforms on port 0, the app with its connectors pointed at them,
// a real Agenda worker in this process, and factories for channels, posts and publications.
import { randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import type { ChannelRow } from '../../../server/channels/channels.repo.ts';
import { posts, type Platform } from '../../../server/db/schema.ts';
import { jobDepsFrom, jobRegistry } from '../../../server/jobs/registry.ts';
import { recurringSchedules } from '../../../server/jobs/schedules.ts';
import { startMockPlatforms, type RunningMockPlatforms } from '../../../server/mock-platforms/index.ts';
import type { PublishingTuning } from '../../../server/publishing/wiring.ts';
import { createWorker, type Worker } from '../../../server/worker.ts';
import { createTestApp, makeUser, type TestApp } from '../../support/app.ts';
import { isolatedTestDatabase, testDatabase, testLogger } from '../../support/database.ts';
import { waitFor } from '../../support/processes.ts';

export const mockCredentials = {
  facebookAppId: '100000000000001',
  facebookAppSecret: 'mock-facebook-app-secret',
  facebookVerifyToken: 'mock-facebook-verify-token',
  zaloAppId: '200000000000002',
  zaloAppSecret: 'mock-zalo-app-secret',
  zaloOaSecretKey: 'mock-zalo-oa-secret-key',
};

/** Short timeouts and backoff: every failure path finishes in seconds. */
export const FAST_TUNING: PublishingTuning = {
  connectorTimeoutMs: 3_000,
  zaloVerifyBudgetMs: 3_000,
  leaseMarginMs: 1_000,
  retry: { maxAttempts: 5, backoffBaseMs: 200, backoffMaxMs: 1_000 },
  sweepGraceMs: 500,
  publishJobDelayMs: 300,
  staleJobLockMs: 5_000,
  connectors: { rateLimitWaitMs: 1_500, zaloVerifyPolling: { firstDelayMs: 50, maxDelayMs: 200 } },
};

/** A 1×1 PNG (the mocks sniff bytes). */
export const tinyPng = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);

export interface LedgerItem {
  id: string | null;
  message?: string | null;
  text?: string;
  title?: string;
  tracking_link?: string | null;
  media: { id?: string; url?: string | null }[];
  published: boolean;
  verified?: boolean;
  broadcasts?: { message_id: string }[];
}

export interface Harness {
  t: TestApp;
  mocks: RunningMockPlatforms;
  worker?: Worker;
  authorId: string;
  startWorker(options?: { pollMs?: number }): Promise<Worker>;
  stopWorker(): Promise<void>;
  control<T = unknown>(
    platform: Platform,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T>;
  channel(
    platform: Platform,
    name?: string,
    unitId?: string,
  ): Promise<{ row: ChannelRow; accessToken: string }>;
  post(values?: Partial<typeof posts.$inferInsert>): Promise<string>;
  schedule(
    postId: string,
    channelIds: string[],
    scheduledAt: Date,
    notAfter?: Date | null,
  ): Promise<string[]>;
  ledger(platform: Platform, externalId: string): Promise<LedgerItem[]>;
  publication(id: string): Promise<Awaited<ReturnType<TestApp['c']['publishing']['listForPost']>>[number]>;
  waitForStatus(
    id: string,
    statuses: string[],
    timeoutMs?: number,
  ): Promise<Awaited<ReturnType<Harness['publication']>>>;
  cardPost(values?: Partial<typeof posts.$inferInsert>): Promise<string>;
  close(): Promise<void>;
}

/** Leaves no due work behind for other suites, and finds none from them. */
export async function clearPublishingWork(database?: string): Promise<void> {
  const { handle } = await (database ? isolatedTestDatabase(database) : testDatabase());
  await handle.db.execute(
    sql`UPDATE publications SET status = 'cancelled' WHERE status IN ('scheduled', 'publishing')`,
  );
  await handle.db.execute(sql`DELETE FROM agenda_jobs WHERE name LIKE 'publication.%'`);
}

/** `options.database` names a database of the file's own (see isolatedTestDatabase). */
export async function startPublishingHarness(
  tuning: PublishingTuning = FAST_TUNING,
  options: { database?: string } = {},
): Promise<Harness> {
  await clearPublishingWork(options.database);
  const mocks = await startMockPlatforms({
    facebookPort: 0,
    zaloPort: 0,
    seed: 7,
    credentials: mockCredentials,
    // Test files share one database: each file's mocks number their Pages and OAs apart.
    idStart: randomInt(1, 1_000_000) * 1000,
  });
  const t = await createTestApp(
    { LOA_PUBLIC_URL: 'https://loa.example.vn' },
    {
      platformUrls: {
        facebookGraphUrl: mocks.facebookUrl,
        zaloOpenApiUrl: mocks.zaloOpenApiUrl,
        zaloOAuthUrl: mocks.zaloOAuthUrl,
      },
      mockPlatforms: { facebook: mocks.facebookUrl, zalo: mocks.zaloOpenApiUrl },
      publishingTuning: tuning,
    },
    options,
  );
  const author = await makeUser(t, 'editor');
  // A real card, as the templates service stores it: publishing stamps the QR code on it.
  const card = await t.c.renderer.renderCard({ layout: 'canh-bao', size: 'feed', headline: 'Cảnh báo' });
  const cardFile = path.relative(t.c.config.mediaDir, card.path).split(path.sep).join('/');

  const base = (platform: Platform) => (platform === 'facebook' ? mocks.facebookUrl : mocks.zaloOpenApiUrl);
  async function control<T>(
    platform: Platform,
    method: 'GET' | 'POST' | 'DELETE',
    p: string,
    body?: unknown,
  ): Promise<T> {
    const res = await fetch(`${base(platform)}/_mock${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const parsed = (await res.json()) as T;
    if (!res.ok) throw new Error(`control ${method} ${p}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  const h: Harness = {
    t,
    mocks,
    authorId: author.user.id,
    async startWorker(options = {}) {
      const workerId = `test-worker-${randomUUID().slice(0, 6)}`;
      const worker = createWorker({
        pool: t.c.database.pool,
        workerId,
        jobs: jobRegistry(jobDepsFrom(t.c, { workerId: workerId, publishConcurrency: 20 })),
        schedules: recurringSchedules({ heartbeatSeconds: 60 }),
        pollMs: options.pollMs ?? 200,
        concurrency: 20,
        logger: testLogger,
      });
      t.c.queue.attach(worker.handle);
      await worker.start();
      h.worker = worker;
      return worker;
    },
    async stopWorker() {
      const worker = h.worker;
      h.worker = undefined;
      t.c.queue.detach();
      await worker?.stop(10_000);
      // A stopped worker's heartbeat must not make a later suite's health check see a worker.
      await t.c.database.db.execute(sql`DELETE FROM worker_heartbeats WHERE worker_id LIKE 'test-worker-%'`);
    },
    control,
    async channel(platform, name, unitId) {
      if (platform === 'facebook') {
        const page = await control<{ id: string; access_token: string }>('facebook', 'POST', '/pages', {
          name: name ?? 'Công an tỉnh Thử nghiệm',
        });
        const row = await t.c.channels.connect(SYSTEM_ACTOR, {
          platform,
          externalId: page.id,
          accessToken: page.access_token,
          ...(unitId && { unitId }),
        });
        return { row, accessToken: page.access_token };
      }
      const oa = await control<{
        oa_id: string;
        access_token: string;
        refresh_token: string;
        expires_in: string;
      }>('zalo', 'POST', '/oas', { name: name ?? 'Zalo OA Thử nghiệm' });
      const row = await t.c.channels.connect(SYSTEM_ACTOR, {
        platform,
        externalId: oa.oa_id,
        accessToken: oa.access_token,
        refreshToken: oa.refresh_token,
        expiresIn: Number(oa.expires_in),
        ...(unitId && { unitId }),
      });
      return { row, accessToken: oa.access_token };
    },
    async post(values = {}) {
      const id = randomUUID();
      await t.c.database.db.insert(posts).values({
        id,
        status: 'scheduled',
        title: 'Cảnh báo: giả danh công an gọi điện',
        text: `Cảnh báo lừa đảo: kẻ gian giả danh công an gọi điện yêu cầu chuyển tiền. Mã ${id.slice(0, 8)}.`,
        authorId: author.user.id,
        slug: `canh-bao-${id.slice(0, 12)}`,
        scheduledAt: new Date(),
        ...values,
      });
      return id;
    },
    async cardPost(values = {}) {
      return h.post({
        withCard: true,
        card: {
          layout: 'canh-bao',
          size: 'feed',
          headline: 'Cảnh báo',
          body: null,
          file: cardFile,
          mime: card.mime,
          width: card.width,
          height: card.height,
          altText: card.altText,
        },
        ...values,
      });
    },
    async schedule(postId, channelIds, scheduledAt, notAfter = null) {
      const ids = await t.c.database.db.transaction((tx) =>
        t.c.publishing.createPublications(tx, { postId, channelIds, scheduledAt, notAfter }),
      );
      await t.c.publishing.enqueueForPost(postId);
      return ids;
    },
    async ledger(platform, externalId) {
      const query = platform === 'facebook' ? `page_id=${externalId}` : `oa_id=${externalId}`;
      return (await control<{ items: LedgerItem[] }>(platform, 'GET', `/posts?${query}`)).items;
    },
    async publication(id) {
      const row = await t.c.publishing.repo.findById(id);
      if (!row) throw new Error(`no publication ${id}`);
      const found = (await t.c.publishing.listForPost(row.postId)).find((p) => p.id === id);
      if (!found) throw new Error(`no publication ${id}`);
      return found;
    },
    async waitForStatus(id, statuses, timeoutMs = 20_000) {
      return waitFor(
        `publication ${id} to be ${statuses.join('|')}`,
        async () => {
          const p = await h.publication(id);
          return statuses.includes(p.status) ? p : undefined;
        },
        timeoutMs,
      );
    },
    async close() {
      await h.stopWorker();
      await clearPublishingWork(options.database);
      await t.close();
      await mocks.close();
    },
  };
  return h;
}
