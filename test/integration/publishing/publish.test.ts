// Publishing over real HTTP against the mock platforms, with a real Agenda worker: each outcome
// the publisher must handle, asserted on the platforms' own ledgers.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { SYSTEM_ACTOR } from '../../../server/auth/actor.ts';
import { auditLog, media, notifications, posts } from '../../../server/db/schema.ts';
import { makeUser } from '../../support/app.ts';
import { waitFor } from '../../support/processes.ts';
import { startPublishingHarness, tinyPng, type Harness } from './harness.ts';

describe('publishing: one publication per channel, against the mocks', function () {
  this.timeout(60_000);
  let h: Harness;

  before(async () => {
    h = await startPublishingHarness();
    await h.startWorker();
  });
  afterEach(async () => {
    await h.control('facebook', 'DELETE', '/faults');
    await h.control('zalo', 'DELETE', '/faults');
  });
  after(async () => h?.close());

  it('publishes to a Facebook Page and a Zalo OA, records both ids, carries the tracked link and marks the post published', async () => {
    const fb = await h.channel('facebook');
    const zalo = await h.channel('zalo');
    const postId = await h.cardPost();
    const [fbPub, zaloPub] = await h.schedule(postId, [fb.row.id, zalo.row.id], new Date());
    const a = await h.waitForStatus(fbPub!, ['published', 'failed']);
    const b = await h.waitForStatus(zaloPub!, ['published', 'failed']);
    assert.equal(a.status, 'published', a.lastError ?? '');
    assert.equal(b.status, 'published', b.lastError ?? '');

    const fbLedger = await h.ledger('facebook', fb.row.externalId);
    assert.equal(fbLedger.length, 1);
    assert.equal(fbLedger[0]!.id !== null && a.externalId?.endsWith(fbLedger[0]!.id.split('_').pop()!), true);
    assert.ok(
      fbLedger[0]!.message?.includes(`https://loa.example.vn/l/${a.linkCode}`),
      'the tracked link is in the text',
    );

    const zaloLedger = await h.ledger('zalo', zalo.row.externalId);
    assert.equal(zaloLedger.length, 1);
    assert.equal(zaloLedger[0]!.id, b.externalId);
    assert.ok(zaloLedger[0]!.text?.includes(`/l/${b.linkCode}`), 'the tracked link is in the article body');
    assert.equal(zaloLedger[0]!.tracking_link, `https://loa.example.vn/l/${b.linkCode}`);

    const post = await waitFor('post published', async () => {
      const [row] = await h.t.c.database.db.select().from(posts).where(eq(posts.id, postId));
      return row?.status === 'published' ? row : undefined;
    });
    assert.ok(post.publishedAt);
    assert.equal(a.late, false);
    assert.deepEqual(
      a.attemptsLog.map((x) => x.outcome),
      ['published'],
    );
    const actions = (
      await h.t.c.database.db
        .select()
        .from(auditLog)
        .where(eq(auditLog.targetId, fbPub!))
        .orderBy(auditLog.id)
    ).map((r) => r.action);
    assert.deepEqual(actions, ['publication.claimed', 'publication.published']);
  });

  it('posts several photos to Facebook as one post (unpublished uploads + attached_media)', async () => {
    const fb = await h.channel('facebook');
    const mediaIds: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const sha = createHash('sha256').update(randomUUID()).digest('hex');
      const file = `files/${sha.slice(0, 2)}/${sha}.png`;
      const full = path.join(h.t.c.config.mediaDir, file);
      await import('node:fs').then((fs) => fs.mkdirSync(path.dirname(full), { recursive: true }));
      writeFileSync(full, tinyPng);
      const [row] = await h.t.c.database.db
        .insert(media)
        .values({
          sha256: sha,
          file,
          mime: 'image/png',
          width: 1,
          height: 1,
          bytes: tinyPng.length,
          altText: `Ảnh ${i}`,
        })
        .returning();
      mediaIds.push(row!.id);
    }
    const postId = await h.post({ mediaIds });
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published', p.lastError ?? '');
    const ledger = (await h.ledger('facebook', fb.row.externalId)).filter((x) => x.published);
    assert.equal(ledger.length, 1, 'one post, not one per photo');
    assert.equal(ledger[0]!.media.length, 3);
  });

  it('polls Zalo verify until the article is processed', async () => {
    await h.control('zalo', 'POST', '/config', { articleVerifyPolls: 3 });
    try {
      const zalo = await h.channel('zalo');
      const postId = await h.cardPost();
      const [id] = await h.schedule(postId, [zalo.row.id], new Date());
      const p = await h.waitForStatus(id!, ['published', 'failed']);
      assert.equal(p.status, 'published', p.lastError ?? '');
      const ledger = await h.ledger('zalo', zalo.row.externalId);
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0]!.verified, true);
      const [entry] = await h.t.c.database.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.targetId, id!), eq(auditLog.action, 'publication.published')));
      assert.ok(
        Number(entry?.details.verifyPolls) >= 4,
        `verify was polled until ready: ${JSON.stringify(entry?.details)}`,
      );
    } finally {
      await h.control('zalo', 'POST', '/config', { articleVerifyPolls: 2 });
    }
  });

  it('retries transient 500s with backoff and posts exactly once', async () => {
    const fb = await h.channel('facebook');
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 2,
      status: 500,
      body: {
        error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, fbtrace_id: 'x' },
      },
    });
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published', p.lastError ?? '');
    assert.equal(p.attempts, 3);
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 1, 'exactly one post');
    assert.deepEqual(
      p.attemptsLog.map((a) => a.errorKind ?? a.outcome),
      ['transient', 'transient', 'published'],
    );
  });

  it('waits the rate limit out (the wait the platform named) and then posts', async () => {
    const fb = await h.channel('facebook');
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 1,
      status: 400,
      body: {
        error: { message: 'Page request limit reached', type: 'OAuthException', code: 32, fbtrace_id: 'x' },
      },
    });
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published', p.lastError ?? '');
    const [limited, ok] = p.attemptsLog;
    assert.equal(limited?.outcome, 'rate_limited');
    const waited = new Date(ok!.startedAt).getTime() - new Date(limited!.finishedAt!).getTime();
    assert.ok(waited >= 1_500, `waited ${waited} ms, at least the 1.5 s the limit named`);
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 1);
  });

  it('marks the channel needs_reconnect when its token expired, fails its queued publications with the reason and tells the admins', async () => {
    const admin = await makeUser(h.t, 'admin');
    const fb = await h.channel('facebook', 'Trang sắp hết hạn');
    await h.control('facebook', 'POST', '/tokens/expire', { access_token: fb.accessToken });
    const first = await h.post();
    const second = await h.post({ scheduledAt: new Date(Date.now() + 3_600_000) });
    const [id] = await h.schedule(first, [fb.row.id], new Date());
    const [queued] = await h.schedule(second, [fb.row.id], new Date(Date.now() + 3_600_000));
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'failed');
    assert.equal(p.lastErrorKind, 'auth_expired');
    assert.match(p.lastError ?? '', /needs reconnecting/);
    assert.equal(p.attempts, 1, 'no retries on a dead token');
    const other = await h.publication(queued!);
    assert.equal(other.status, 'failed');
    assert.match(other.lastError ?? '', /needs reconnecting/);

    const channel = (await h.t.c.channels.list(SYSTEM_ACTOR)).find((c) => c.id === fb.row.id);
    assert.equal(channel?.status, 'needs_reconnect');
    assert.ok(channel?.statusReason);
    const notices = await h.t.c.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, admin.user.id));
    assert.ok(
      notices.some((n) => n.kind === 'channel_needs_reconnect' && n.message.includes('Trang sắp hết hạn')),
    );
    const authorNotices = await h.t.c.database.db
      .select()
      .from(notifications)
      .where(eq(notifications.userId, h.authorId));
    assert.ok(authorNotices.some((n) => n.kind === 'publication_failed' && n.link === `/posts/${first}`));
    assert.equal((await h.ledger('facebook', fb.row.externalId)).length, 0);
  });

  it('refreshes an expired Zalo token once (the rotated pair stored first) and goes on publishing', async () => {
    const zalo = await h.channel('zalo');
    const before = h.t.c.channels.credentials(zalo.row);
    await h.control('zalo', 'POST', '/tokens/expire', { access_token: zalo.accessToken });
    const postId = await h.cardPost();
    const [id] = await h.schedule(postId, [zalo.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published', p.lastError ?? '');
    const row = await h.t.c.channels.get(zalo.row.id);
    assert.equal(row.status, 'active');
    const after = h.t.c.channels.credentials(row);
    assert.notEqual(after.accessToken, before.accessToken);
    assert.notEqual(after.refreshToken, before.refreshToken);
    assert.equal((await h.ledger('zalo', zalo.row.externalId)).length, 1);
  });

  it('reconciles a post the platform accepted while the answer was lost, and never posts it twice', async () => {
    const fb = await h.channel('facebook');
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 1,
      drop: true,
    });
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'published', p.lastError ?? '');
    const ledger = await h.ledger('facebook', fb.row.externalId);
    assert.equal(ledger.length, 1, 'posted once');
    assert.deepEqual(
      p.attemptsLog.map((a) => a.outcome),
      ['unknown', 'reconciled'],
    );
    assert.ok(p.externalId?.endsWith(ledger[0]!.id!.split('_').pop()!));
  });

  it('fails a publication at once with the platform message when the platform rejects the content', async () => {
    const fb = await h.channel('facebook');
    await h.control('facebook', 'POST', '/faults', {
      method: 'POST',
      path: `/${fb.row.externalId}/feed`,
      times: 1,
      status: 400,
      body: {
        error: { message: 'This content is blocked', type: 'OAuthException', code: 368, fbtrace_id: 'x' },
      },
    });
    const postId = await h.post();
    const [id] = await h.schedule(postId, [fb.row.id], new Date());
    const p = await h.waitForStatus(id!, ['published', 'failed']);
    assert.equal(p.status, 'failed');
    assert.equal(p.lastErrorKind, 'rejected');
    assert.match(p.lastError ?? '', /This content is blocked/);
    assert.equal(p.attempts, 1);
    const [post] = await h.t.c.database.db.select().from(posts).where(eq(posts.id, postId));
    assert.equal(post?.status, 'failed');
  });
});
