// Time: rescheduled and cancelled posts never go out at the old time, missed posts go out late
// after downtime (flagged), and do-not-publish-after is honoured.
import assert from 'node:assert/strict';
import { sql } from 'drizzle-orm';
import { waitFor } from '../../support/processes.ts';
import { FAST_TUNING, startPublishingHarness, type Harness } from './harness.ts';

describe('publishing: schedule changes, downtime and do-not-publish-after', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startPublishingHarness();
  });
  afterEach(async () => h.stopWorker());
  after(async () => h?.close());

  /** Waits until every publish job queued for this publication up to `before` has run. */
  async function jobsRan(publicationId: string, dueBefore: Date) {
    await waitFor(`the old job of ${publicationId} to run`, async () => {
      const result = await h.t.c.database.db.execute<{ pending: number; finished: number }>(sql`
        SELECT count(*) FILTER (WHERE next_run_at IS NOT NULL AND next_run_at <= ${dueBefore.toISOString()})::int AS pending,
               count(*) FILTER (WHERE last_finished_at IS NOT NULL)::int AS finished
        FROM agenda_jobs WHERE name = 'publication.publish' AND data->>'publicationId' = ${publicationId}`);
      const row = result.rows[0];
      return row && row.pending === 0 && row.finished > 0 ? true : undefined;
    });
  }

  it('publishes a rescheduled post at the new time, never at the old one', async () => {
    await h.startWorker();
    const fb = await h.channel('facebook');
    const postId = await h.post();
    const oldTime = new Date(Date.now() + 1_000);
    const newTime = new Date(Date.now() + 4_000);
    const [id] = await h.schedule(postId, [fb.row.id], oldTime);
    await h.t.c.database.db.transaction((tx) =>
      h.t.c.publishing.rescheduleForPost(tx, postId, newTime, null),
    );
    await h.t.c.publishing.enqueueForPost(postId);

    // The old job (queued a little after the old time, behind the worker's own look-ahead) has run.
    await jobsRan(id!, new Date(oldTime.getTime() + (FAST_TUNING.publishJobDelayMs ?? 0) + 1));
    assert.equal((await h.publication(id!)).status, 'scheduled', 'the old job did not publish');
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 0);

    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published');
    assert.ok(
      new Date(p.attemptsLog[0]!.startedAt).getTime() >= newTime.getTime(),
      'claimed at the new time',
    );
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 1);
  });

  it('never publishes a cancelled post, and refuses to cancel one that started', async () => {
    await h.startWorker();
    const fb = await h.channel('facebook');
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date(Date.now() + 1_000));
    await h.t.c.database.db.transaction((tx) => h.t.c.publishing.cancelForPost(tx, postId));
    await jobsRan(id!, new Date(Date.now() + 2_000 + (FAST_TUNING.publishJobDelayMs ?? 0)));
    assert.equal((await h.publication(id!)).status, 'cancelled');
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 0);

    const started = await h.post();
    const [out] = await h.schedule(started, [fb.row.id], new Date());
    await h.waitForStatus(out!, ['published']);
    await assert.rejects(
      h.t.c.database.db.transaction((tx) => h.t.c.publishing.cancelForPost(tx, started)),
      (error: Error & { status?: number }) => error.status === 409,
    );
    await assert.rejects(
      h.t.c.database.db.transaction((tx) =>
        h.t.c.publishing.rescheduleForPost(tx, started, new Date(), null),
      ),
      (error: Error & { status?: number }) => error.status === 409,
    );
  });

  it('after downtime publishes what fell due, flagged late, and fails what passed its do-not-publish-after', async () => {
    const fb = await h.channel('facebook');
    const zalo = await h.channel('zalo');
    const missed = new Date(Date.now() - 5 * 60_000);
    // Due while no worker ran: one with its job queued, one whose enqueue was lost.
    const queuedPost = await h.cardPost({ scheduledAt: missed });
    const [queued, queuedZalo] = await h.schedule(queuedPost, [fb.row.id, zalo.row.id], missed);
    const lostPost = await h.post({ scheduledAt: missed });
    const [lost] = await h.t.c.database.db.transaction((tx) =>
      h.t.c.publishing.createPublications(tx, {
        postId: lostPost,
        channelIds: [fb.row.id],
        scheduledAt: missed,
        notAfter: null,
      }),
    );
    const expiredPost = await h.post({ scheduledAt: missed });
    const [expired] = await h.schedule(expiredPost, [fb.row.id], missed, new Date(Date.now() - 60_000));
    const stillOkPost = await h.post({ scheduledAt: missed });
    const [stillOk] = await h.schedule(stillOkPost, [fb.row.id], missed, new Date(Date.now() + 3_600_000));

    await h.startWorker();
    for (const id of [queued!, queuedZalo!, lost!, stillOk!]) {
      const p = await h.waitForStatus(id, ['published', 'failed']);
      assert.equal(p.status, 'published', `${id}: ${p.lastError}`);
      assert.equal(p.late, true, 'flagged late');
    }
    const p = await h.waitForStatus(expired!, ['published', 'failed']);
    assert.equal(p.status, 'failed');
    assert.equal(p.lastError, 'not published: past its do-not-publish-after time');
    assert.equal(p.attempts, 0, 'never sent to the platform');
    const texts = (await h.ledger('facebook', fb.row.externalId)).map((x) => x.message ?? '');
    assert.equal(texts.length, 3);
    assert.ok(!texts.some((t) => t.includes(p.linkCode)));
  });

  it('does not publish after do-not-publish-after even when the post was due before it', async () => {
    await h.startWorker();
    const fb = await h.channel('facebook');
    const postId = await h.post();
    const [id] = await h.schedule(
      postId,
      [fb.row.id],
      new Date(Date.now() - 10_000),
      new Date(Date.now() - 1_000),
    );
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'failed');
    assert.equal(p.lastErrorKind, 'not_after');
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 0);
  });
});
