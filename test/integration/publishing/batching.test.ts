// Publications due together are claimed and settled in batches, by the real worker against the
// mocks: each still goes out exactly once with its own attempt, audit entries and post status,
// and a stopping worker finishes what it claimed before it lets go.
import assert from 'node:assert/strict';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { entryHash } from '../../../server/audit/audit.service.ts';
import { auditLog, postEvents, posts } from '../../../server/db/schema.ts';
import { waitFor } from '../../support/processes.ts';
import { startPublishingHarness, type Harness } from './harness.ts';

describe('publishing: batches of due publications', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startPublishingHarness();
  });
  afterEach(async () => {
    await h.stopWorker();
    await h.control('facebook', 'DELETE', '/faults');
  });
  after(async () => h?.close());

  /** true once `count` of the publications have the status. */
  async function countIn(ids: string[], status: string, count: number) {
    const r = await h.t.c.database.db.execute<{ n: number }>(
      sql`SELECT count(*)::int AS n FROM publications WHERE id = ANY(${`{${ids.join(',')}}`}::uuid[]) AND status = ${status}`,
    );
    return (r.rows[0]?.n ?? 0) === count ? true : undefined;
  }

  async function dueTogether(count: number, channelId: string, at: Date) {
    const postIds: string[] = [];
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const postId = await h.post({ scheduledAt: at });
      postIds.push(postId);
      ids.push(...(await h.schedule(postId, [channelId], at)));
    }
    return { postIds, ids };
  }

  it('claims forty publications due at once in a few batches, each out once with its own history', async () => {
    const fb = await h.channel('facebook');
    const { postIds, ids } = await dueTogether(40, fb.row.id, new Date(Date.now() + 1500));
    await h.startWorker();
    await waitFor('all forty published', () => countIn(ids, 'published', 40));

    const attempts = await h.t.c.publishing.repo.attemptsFor(ids);
    assert.equal(attempts.length, 40, 'one attempt each');
    assert.ok(attempts.every((a) => a.outcome === 'published' && a.finishedAt !== null));
    const batches = new Set(attempts.map((a) => a.startedAt.toISOString())).size;
    assert.ok(batches <= 10, `claimed in ${batches} batches, expected a few`);

    const ledger = await h.ledger('facebook', fb.row.externalId);
    for (const id of ids) {
      const row = await h.t.c.publishing.repo.findById(id);
      assert.equal(ledger.filter((item) => item.message?.includes(`/l/${row?.linkCode}`)).length, 1);
      assert.equal(ledger.find((item) => item.id === row?.externalId)?.published, true);
    }

    const postRows = await h.t.c.database.db
      .select({ status: posts.status, publishedAt: posts.publishedAt })
      .from(posts)
      .where(inArray(posts.id, postIds));
    assert.ok(postRows.every((p) => p.status === 'published' && p.publishedAt !== null));
    const events = await h.t.c.database.db
      .select({ action: postEvents.action })
      .from(postEvents)
      .where(inArray(postEvents.postId, postIds));
    assert.equal(events.filter((e) => e.action === 'published').length, 40);
    for (const action of ['publication.claimed', 'publication.published']) {
      const entries = await h.t.c.database.db
        .select({ id: auditLog.targetId })
        .from(auditLog)
        .where(and(eq(auditLog.action, action), inArray(auditLog.targetId, ids)));
      assert.equal(new Set(entries.map((e) => e.id)).size, 40, `${action} for each`);
      assert.equal(entries.length, 40);
    }
    // Written in one statement per batch, each entry is still sealed into the chain on its own.
    await h.t.c.auditLog.seal();
    const sealed = await h.t.c.database.db.select().from(auditLog).where(inArray(auditLog.targetId, ids));
    assert.ok(sealed.length >= 80);
    for (const row of sealed) {
      assert.ok(row.seq !== null && row.prevHash !== null);
      const { at, actorId, actorLabel, action, targetType, targetId, details, ip } = row;
      const fields = { at, actorId, actorLabel, action, targetType, targetId, details, ip };
      assert.equal(row.hash, entryHash(row.prevHash, fields));
    }
  });

  it('a stopping worker waits for the publications it claimed in a batch before it lets go', async () => {
    const fb = await h.channel('facebook');
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 6,
      delayMs: 800,
    });
    const { ids } = await dueTogether(6, fb.row.id, new Date(Date.now() + 500));
    await h.startWorker();
    await waitFor('all six claimed', () => countIn(ids, 'publishing', 6), 10_000);
    await h.stopWorker();
    for (const id of ids) {
      const row = await h.t.c.publishing.repo.findById(id);
      assert.equal(row?.status, 'published', 'finished before the worker stopped');
    }
  });

  it('renews only its own leases, and skips a row being settled instead of waiting for it', async () => {
    const fb = await h.channel('facebook');
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date(Date.now() + 3_600_000));
    const db = h.t.c.database.db;
    await db.execute(
      sql`UPDATE publications SET status = 'publishing', lease_owner = 'w#1', lease_expires_at = now() + interval '1 second' WHERE id = ${id!}`,
    );
    const repo = h.t.c.publishing.repo;
    assert.deepEqual(await repo.renewLeases([{ id: id!, owner: 'other#1', leaseMs: 60_000 }]), []);
    assert.deepEqual(await repo.renewLeases([{ id: id!, owner: 'w#1', leaseMs: 60_000 }]), [id]);
    const lease = await repo.findById(id!);
    assert.ok((lease?.leaseExpiresAt?.getTime() ?? 0) > Date.now() + 50_000);

    // Another transaction holds the row (a settlement in progress): renewal passes it by at once.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = db.transaction(async (tx) => {
      await tx.execute(sql`SELECT id FROM publications WHERE id = ${id!} FOR UPDATE`);
      locked();
      await held;
    });
    await isLocked;
    try {
      // Waiting for the lock would never end here (the holder waits for this test): bound it.
      const renewed = await Promise.race([
        repo.renewLeases([{ id: id!, owner: 'w#1', leaseMs: 60_000 }]),
        new Promise<string>((resolve) => setTimeout(() => resolve('waited for the lock'), 5_000).unref()),
      ]);
      assert.deepEqual(renewed, []);
    } finally {
      release();
      await holder;
    }
    await db.execute(sql`UPDATE publications SET status = 'cancelled' WHERE id = ${id!}`);
  });
});
