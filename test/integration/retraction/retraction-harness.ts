// Retraction tests: the publishing harness (mocks on port 0, the app pointed at them) with a
// worker that also runs the retraction jobs, and posts published for real through it.
import { randomUUID } from 'node:crypto';
import assert from 'node:assert/strict';
import { eq } from 'drizzle-orm';
import request from 'supertest';
import { sql } from 'drizzle-orm';
import { posts } from '../../../server/db/schema.ts';
import { jobDepsFrom, jobRegistry } from '../../../server/jobs/registry.ts';
import { recurringSchedules } from '../../../server/jobs/schedules.ts';
import { createWorker } from '../../../server/worker.ts';
import { makeUser } from '../../support/app.ts';
import { testDatabase, testLogger } from '../../support/database.ts';
import { waitFor } from '../../support/processes.ts';
import { startPublishingHarness, type Harness } from '../publishing/harness.ts';

export interface RetractionHarness {
  h: Harness;
  admin: Awaited<ReturnType<typeof makeUser>>;
  reviewer: Awaited<ReturnType<typeof makeUser>>;
  editor: Awaited<ReturnType<typeof makeUser>>;
  facebook: Awaited<ReturnType<Harness['channel']>>;
  zalo: Awaited<ReturnType<Harness['channel']>>;
  /** An admin's urgent post to both channels, published by the worker; resolves once it is out everywhere. */
  publishedPost(text?: string): Promise<{ id: string; slug: string; title: string }>;
  removals(postId: string): ReturnType<Harness['t']['c']['retraction']['statusForPost']>;
  waitRetracted(postId: string): ReturnType<Harness['t']['c']['retraction']['statusForPost']>;
  close(): Promise<void>;
}

async function clearRetractionWork(): Promise<void> {
  const { handle } = await testDatabase();
  await handle.db.execute(
    sql`UPDATE publication_retractions SET status = 'failed' WHERE status IN ('pending', 'retracting')`,
  );
  await handle.db.execute(sql`DELETE FROM agenda_jobs WHERE name LIKE 'publication.retract%'`);
}

export async function startRetractionHarness(): Promise<RetractionHarness> {
  await clearRetractionWork();
  const h = await startPublishingHarness();
  const { t } = h;
  const workerId = `retraction-worker-${randomUUID().slice(0, 6)}`;
  const worker = createWorker({
    pool: t.c.database.pool,
    workerId,
    jobs: jobRegistry(jobDepsFrom(t.c, { workerId: workerId, publishConcurrency: 20 })),
    schedules: recurringSchedules({ heartbeatSeconds: 60 }),
    pollMs: 200,
    concurrency: 20,
    logger: testLogger,
  });
  t.c.queue.attach(worker.handle);
  await worker.start();
  // The harness stops it on close.
  h.worker = worker;

  const [admin, reviewer, editor, facebook, zalo] = await Promise.all([
    makeUser(t, 'admin', { name: 'Quản Trị Khẩn' }),
    makeUser(t, 'reviewer', { name: 'Người Duyệt' }),
    makeUser(t, 'editor', { name: 'Biên Tập' }),
    h.channel('facebook', 'Công an tỉnh Thử nghiệm'),
    h.channel('zalo', 'Công an tỉnh Thử nghiệm OA'),
  ]);

  async function removals(postId: string) {
    return t.c.retraction.statusForPost(postId);
  }

  return {
    h,
    admin,
    reviewer,
    editor,
    facebook,
    zalo,
    async publishedPost(text) {
      const body = {
        text:
          text ?? `Cảnh báo: giả danh công an gọi điện yêu cầu chuyển tiền. Mã ${randomUUID().slice(0, 8)}.`,
        withCard: true,
        channelIds: [facebook.row.id, zalo.row.id],
        scheduledAt: new Date().toISOString(),
        urgent: true,
      };
      const res = await request(t.app).post('/api/v1/posts').set(admin.auth).send(body);
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const id = res.body.id as string;
      const row = await waitFor(
        `post ${id} published`,
        async () => {
          const [p] = await t.c.database.db.select().from(posts).where(eq(posts.id, id));
          return p && ['published', 'partially_failed', 'failed'].includes(p.status) ? p : undefined;
        },
        30_000,
      );
      assert.equal(row.status, 'published');
      return { id, slug: row.slug, title: row.title };
    },
    removals,
    async waitRetracted(postId) {
      return waitFor(
        `post ${postId} removed everywhere`,
        async () => {
          const rows = await removals(postId);
          return rows.length > 0 && rows.every((r) => r.status === 'retracted' || r.status === 'failed')
            ? rows
            : undefined;
        },
        30_000,
      );
    },
    async close() {
      await clearRetractionWork();
      await h.close();
    },
  };
}
