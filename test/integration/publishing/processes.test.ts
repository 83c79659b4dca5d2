// Worker processes (server/main.ts, LOA_ROLE=worker) against mocks started by the test: a worker
// killed with SIGKILL mid-publish leaves a post that the next worker reconciles, never re-sends;
// two workers with 500 publications due at the same moment publish each exactly once.
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import {
  connectEnqueueOnly,
  createAgenda,
  disconnectEnqueueOnly,
  type AgendaHandle,
} from '../../../server/jobs/agenda.ts';
import { testDatabase, testLogger } from '../../support/database.ts';
import { startLoa, waitFor, type LoaProcess } from '../../support/processes.ts';
import { startPublishingHarness, type Harness } from './harness.ts';

describe('publishing: worker processes', function () {
  this.timeout(120_000);
  let h: Harness;
  let enqueuer: AgendaHandle;
  const started: LoaProcess[] = [];

  before(async () => {
    h = await startPublishingHarness();
    // This process only enqueues (like a web process); the spawned workers run the jobs.
    enqueuer = createAgenda({
      pool: h.t.c.database.pool,
      name: 'test-enqueuer',
      pollMs: 1000,
      concurrency: 1,
      logger: testLogger,
    });
    await connectEnqueueOnly(enqueuer);
    h.t.c.queue.attach(enqueuer);
  });
  afterEach(async () => {
    for (const p of started.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
      // Its heartbeat must not make a later suite's health check see a worker.
      await h.t.c.database.db.execute(sql`DELETE FROM worker_heartbeats WHERE pid = ${p.child.pid ?? -1}`);
    }
    await h.control('facebook', 'DELETE', '/faults');
  });
  after(async () => {
    h?.t.c.queue.detach();
    await disconnectEnqueueOnly(enqueuer);
    await h?.close();
  });

  async function worker(): Promise<LoaProcess> {
    const db = await testDatabase();
    const p = startLoa({
      LOA_ROLE: 'worker',
      DATABASE_URL: db.url,
      LOA_DATA_DIR: db.dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      FACEBOOK_GRAPH_URL: h.mocks.facebookUrl,
      ZALO_OPENAPI_URL: h.mocks.zaloOpenApiUrl,
      ZALO_OAUTH_URL: h.mocks.zaloOAuthUrl,
      LOA_SECRET_KEY: 'test-secret-key-that-is-long-enough-000',
      LOA_PUBLIC_URL: 'https://loa.example.vn',
      LOA_LOG_LEVEL: 'info',
      LOA_WORKER_CONCURRENCY: '50',
    });
    started.push(p);
    await waitFor(
      'worker started',
      async () => (/worker started/.test(p.output()) ? true : undefined),
      60_000,
    );
    return p;
  }

  it('after a worker is killed with SIGKILL mid-publish, the next worker reconciles: exactly one post', async () => {
    const fb = await h.channel('facebook', 'Trang thử kill -9');
    // The platform carries the post out at once but answers 10 s later: the kill lands in between.
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 1,
      delayMs: 10_000,
    });
    const first = await worker();
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    await waitFor('the platform to accept the post', async () =>
      (await h.ledger('facebook', fb.row.externalId)).length === 1 ? true : undefined,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    const orphan = await h.publication(id!);
    assert.equal(orphan.status, 'publishing', 'left mid-publish');
    assert.equal(orphan.attemptsLog[0]?.finishedAt, null);

    await worker();
    const p = await h.waitForStatus(id!, ['published', 'failed'], 60_000);
    assert.equal(p.status, 'published', p.lastError ?? '');
    assert.equal(
      (await h.ledger('facebook', fb.row.externalId)).length,
      1,
      'exactly one post on the platform',
    );
    assert.deepEqual(
      p.attemptsLog.map((a) => a.outcome),
      [null, 'reconciled'],
    );
  });

  it('two worker processes and 500 publications due at the same moment: exactly 500 posts', async () => {
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h.channel('facebook', `Trang số ${i + 1}`)),
    );
    await Promise.all([worker(), worker()]);
    const due = new Date(Date.now() + 8_000);
    const ids: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const page = pages[i % pages.length]!;
      const postId = await h.post({ scheduledAt: due });
      ids.push(...(await h.schedule(postId, [page.row.id], due)));
    }
    assert.equal(ids.length, 500);
    const idArray = `{${ids.join(',')}}`;
    await waitFor(
      'all 500 published',
      async () => {
        const rows = await h.t.c.database.db.execute<{ n: number }>(
          sql`SELECT count(*)::int AS n FROM publications WHERE id = ANY(${idArray}::uuid[]) AND status = 'published'`,
        );
        return rows.rows[0]?.n === 500 ? true : undefined;
      },
      90_000,
    );
    const ledger = (await Promise.all(pages.map((p) => h.ledger('facebook', p.row.externalId)))).flat();
    assert.equal(ledger.length, 500, 'exactly 500 posts on the platform');
    const codes = await h.t.c.database.db.execute<{ link_code: string }>(
      sql`SELECT link_code FROM publications WHERE id = ANY(${idArray}::uuid[])`,
    );
    for (const { link_code: code } of codes.rows) {
      assert.equal(
        ledger.filter((post) => post.message?.includes(`/l/${code}`)).length,
        1,
        `code ${code} posted once`,
      );
    }
    const attempts = await h.t.c.database.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM publication_attempts WHERE publication_id = ANY(${idArray}::uuid[])`,
    );
    assert.equal(attempts.rows[0]?.n, 500, 'one attempt each');
  });
});
