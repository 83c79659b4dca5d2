// Retract and supersede, over the API, against the mock platforms with a real worker: the post
// disappears from both platforms' ledgers, its public page stays and says why, failures are
// retried and shown, and only reviewers and admins can do it.
import assert from 'node:assert/strict';
import { and, eq } from 'drizzle-orm';
import request from 'supertest';
import {
  auditLog,
  links,
  notifications,
  postEvents,
  posts,
  publications,
} from '../../../server/db/schema.ts';
import { signedInAgent } from '../../support/app.ts';
import { waitFor } from '../../support/processes.ts';
import { startRetractionHarness, type RetractionHarness } from './retraction-harness.ts';

interface LedgerRow {
  id: string | null;
  deleted_time?: string;
}

describe('retraction: retract and supersede everywhere', function () {
  this.timeout(90_000);
  let r: RetractionHarness;

  before(async () => {
    r = await startRetractionHarness();
  });
  afterEach(async () => {
    await r.h.control('facebook', 'DELETE', '/faults');
    await r.h.control('zalo', 'DELETE', '/faults');
  });
  after(async () => r?.close());

  const api = () => request(r.h.t.app);
  const ledger = async (platform: 'facebook' | 'zalo') =>
    (await r.h.ledger(
      platform,
      platform === 'facebook' ? r.facebook.row.externalId : r.zalo.row.externalId,
    )) as unknown as LedgerRow[];

  async function externalIds(postId: string) {
    return (await r.h.t.c.publishing.listForPost(postId)).map((p) => ({
      platform: p.platform,
      externalId: p.externalId!,
    }));
  }

  function onLedger(rows: LedgerRow[], externalId: string): LedgerRow | undefined {
    // Facebook ids are `{page}_{post}`; the ledger keeps the full id or the post part.
    return rows.find(
      (x) =>
        x.id !== null &&
        (x.id === externalId ||
          externalId.endsWith(`_${x.id}`) ||
          x.id.endsWith(externalId.split('_').pop()!)),
    );
  }

  it('removes the post from Facebook and Zalo, keeps its public page marked, and records every step', async () => {
    const post = await r.publishedPost();
    const ids = await externalIds(post.id);
    const res = await api()
      .post(`/api/v1/posts/${post.id}/retract`)
      .set(r.reviewer.auth)
      .send({ reason: 'Số điện thoại trong bài bị sai' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'retracted');
    assert.equal(res.body.retractReason, 'Số điện thoại trong bài bị sai');
    assert.equal(res.body.retractions.length, 2);

    const removals = await r.waitRetracted(post.id);
    assert.deepEqual(
      removals.map((x) => x.status),
      ['retracted', 'retracted'],
    );
    for (const { platform, externalId } of ids) {
      const item = onLedger(await ledger(platform!), externalId);
      assert.ok(item, `${platform} post ${externalId} on the ledger`);
      assert.ok(item.deleted_time, `${platform} post deleted`);
    }

    const page = await api().get(`/w/${post.slug}`);
    assert.equal(page.status, 200, 'the public page stays');
    assert.match(page.text, /Đã gỡ ngày .+ vì: Số điện thoại trong bài bị sai/);
    assert.match(page.text, /<meta property="og:title" content="\[Đã gỡ\]/);

    const db = r.h.t.c.database.db;
    const history = (await db.select().from(postEvents).where(eq(postEvents.postId, post.id))).map(
      (e) => e.action,
    );
    assert.ok(history.includes('retracted'));
    assert.ok(history.includes('retraction_completed'));
    const actions = (await db.select().from(auditLog).where(eq(auditLog.targetId, post.id))).map(
      (a) => a.action,
    );
    assert.ok(actions.includes('post.retracted'));
    for (const p of removals) {
      const pubActions = (await db.select().from(auditLog).where(eq(auditLog.targetId, p.publicationId))).map(
        (a) => a.action,
      );
      assert.ok(pubActions.includes('publication.retracted'), pubActions.join());
    }
    // A click on an old tracked link now lands on the page that says it was retracted.
    const [link] = await db.select().from(links).where(eq(links.postId, post.id));
    assert.equal(link!.target, `https://loa.example.vn/w/${post.slug}`);
  });

  it('refuses with 409 a post that is not published, or already retracted', async () => {
    const draft = await api()
      .post('/api/v1/posts')
      .set(r.editor.auth)
      .send({
        text: 'Bản nháp chưa đăng',
        channelIds: [r.facebook.row.id],
        scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
      });
    assert.equal(draft.status, 201);
    const notOut = await api()
      .post(`/api/v1/posts/${draft.body.id}/retract`)
      .set(r.reviewer.auth)
      .send({ reason: 'x' });
    assert.equal(notOut.status, 409);
    assert.equal(notOut.body.error.code, 'not_published');

    const post = await r.publishedPost();
    assert.equal(
      (
        await api()
          .post(`/api/v1/posts/${post.id}/retract`)
          .set(r.admin.auth)
          .send({ reason: 'Hết hiệu lực' })
      ).status,
      200,
    );
    const twice = await api()
      .post(`/api/v1/posts/${post.id}/retract`)
      .set(r.admin.auth)
      .send({ reason: 'Lần hai' });
    assert.equal(twice.status, 409);
    assert.equal(twice.body.error.code, 'already_retracted');
    assert.equal(
      (await api().post(`/api/v1/posts/${post.id}/retract`).set(r.admin.auth).send({ reason: '  ' })).status,
      422,
    );
    await r.waitRetracted(post.id);
  });

  it('lets an editor only ask: 403 to retract, and a request notifies the reviewers without changing the post', async () => {
    const post = await r.publishedPost();
    const denied = await api()
      .post(`/api/v1/posts/${post.id}/retract`)
      .set(r.editor.auth)
      .send({ reason: 'Sai' });
    assert.equal(denied.status, 403);
    const asked = await api()
      .post(`/api/v1/posts/${post.id}/retract-request`)
      .set(r.editor.auth)
      .send({ reason: 'Thông tin đã cũ' });
    assert.equal(asked.status, 202, JSON.stringify(asked.body));
    assert.equal(asked.body.status, 'published');
    const db = r.h.t.c.database.db;
    const notes = await db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, r.reviewer.user.id), eq(notifications.kind, 'retract_requested')));
    assert.equal(notes.length, 1);
    assert.match(notes[0]!.message, /Thông tin đã cũ/);
    assert.equal(notes[0]!.link, `/posts/${post.id}`);
    const [row] = await db.select().from(posts).where(eq(posts.id, post.id));
    assert.equal(row!.status, 'published');
    assert.equal((await r.removals(post.id)).length, 0, 'nothing removed');
    // A reviewer cannot ask (they retract), a member cannot do either.
    assert.equal(
      (
        await api()
          .post(`/api/v1/posts/${post.id}/retract-request`)
          .set(r.reviewer.auth)
          .send({ reason: 'x' })
      ).status,
      403,
    );
  });

  it('supersedes: the old post is retracted and both public pages link to each other', async () => {
    const old = await r.publishedPost('Cảnh báo cũ: số đường dây nóng 0000 000 000.');
    const newer = await r.publishedPost('Cảnh báo mới: đường dây nóng đúng là 0235 3822 123.');
    const res = await api()
      .post(`/api/v1/posts/${old.id}/supersede`)
      .set(r.reviewer.auth)
      .send({ byPostId: newer.id });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.status, 'retracted');
    assert.equal(res.body.supersededBy, newer.id);
    assert.match(res.body.retractReason, /Được thay thế bởi/);

    const oldPage = await api().get(`/w/${old.slug}`);
    assert.match(oldPage.text, /Đã được thay thế bởi:/);
    assert.ok(oldPage.text.includes(`href="https://loa.example.vn/w/${newer.slug}"`), 'old → new');
    const newPage = await api().get(`/w/${newer.slug}`);
    assert.match(newPage.text, /Cảnh báo này thay thế cảnh báo trước:/);
    assert.ok(newPage.text.includes(`href="https://loa.example.vn/w/${old.slug}"`), 'new → old');

    await r.waitRetracted(old.id);
    for (const { platform, externalId } of await externalIds(old.id)) {
      assert.ok(
        onLedger(await ledger(platform!), externalId)?.deleted_time,
        `old post gone from ${platform}`,
      );
    }
    for (const { platform, externalId } of await externalIds(newer.id)) {
      assert.equal(
        onLedger(await ledger(platform!), externalId)?.deleted_time,
        undefined,
        `new post stays on ${platform}`,
      );
    }
    const self = await api()
      .post(`/api/v1/posts/${newer.id}/supersede`)
      .set(r.reviewer.auth)
      .send({ byPostId: newer.id });
    assert.equal(self.status, 422);
  });

  it('retries when a platform fails during retraction, until done, and shows the attempts on the post page', async () => {
    const post = await r.publishedPost();
    const ids = await externalIds(post.id);
    const fbId = ids.find((x) => x.platform === 'facebook')!.externalId;
    await r.h.control('facebook', 'POST', '/faults', {
      method: 'DELETE',
      path: fbId.split('_').pop(),
      times: 2,
      status: 500,
      body: {
        error: { message: 'An unknown error occurred', type: 'OAuthException', code: 1, fbtrace_id: 'x' },
      },
    });
    await r.h.control('zalo', 'POST', '/faults', {
      path: '/article/remove',
      times: 2,
      status: 500,
      body: { message: 'Internal Server Error' },
    });
    assert.equal(
      (
        await api()
          .post(`/api/v1/posts/${post.id}/retract`)
          .set(r.reviewer.auth)
          .send({ reason: 'Đã hết hiệu lực' })
      ).status,
      200,
    );

    const removals = await r.waitRetracted(post.id);
    for (const removal of removals) {
      assert.equal(removal.status, 'retracted', `${removal.platform}: ${removal.lastError}`);
      assert.equal(removal.attempts, 3, `${removal.platform} tried three times`);
    }
    for (const { platform, externalId } of ids)
      assert.ok(onLedger(await ledger(platform!), externalId)?.deleted_time, `${platform} deleted`);
    const retries = await r.h.t.c.database.db
      .select()
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, 'publication.retract_retry_scheduled'),
          eq(auditLog.targetId, removals[0]!.publicationId),
        ),
      );
    assert.equal(retries.length, 2);

    const { agent, ip } = await signedInAgent(r.h.t, r.reviewer.user.email);
    const panel = await agent.get(`/posts/${post.id}/retraction`).set('X-Forwarded-For', ip);
    assert.equal(panel.status, 200);
    assert.match(panel.text, /Đã gỡ lúc .+ vì: Đã hết hiệu lực/);
    assert.equal(
      (panel.text.match(/<td class="retraction-attempts">3<\/td>/g) ?? []).length,
      2,
      'attempts shown per channel',
    );
    const detail = await agent.get(`/posts/${post.id}`).set('X-Forwarded-For', ip);
    assert.ok(detail.text.includes(`hx-get="/posts/${post.id}/retraction"`), 'the post page loads the panel');
  });

  it('cancels a publication waiting for a retry and still finds and removes the post an earlier attempt left on the platform', async () => {
    const post = await r.publishedPost();
    const db = r.h.t.c.database.db;
    const fb = (await r.h.t.c.publishing.listForPost(post.id)).find((p) => p.platform === 'facebook')!;
    // As after an attempt that reached Facebook but never heard back: a retry is queued, no id is known.
    await db
      .update(publications)
      .set({
        status: 'scheduled',
        externalId: null,
        publishedAt: null,
        nextAttemptAt: new Date(Date.now() + 3_600_000),
      })
      .where(eq(publications.id, fb.id));
    await db.update(posts).set({ status: 'publishing' }).where(eq(posts.id, post.id));

    const res = await api()
      .post(`/api/v1/posts/${post.id}/retract`)
      .set(r.admin.auth)
      .send({ reason: 'Khẩn: sai nội dung' });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const removals = await r.waitRetracted(post.id);
    assert.deepEqual(removals.map((x) => x.status).sort(), ['retracted', 'retracted']);
    const [row] = await db.select().from(publications).where(eq(publications.id, fb.id));
    assert.equal(row!.status, 'cancelled', 'the retry never runs');
    assert.ok(
      onLedger(await ledger('facebook'), fb.externalId!)?.deleted_time,
      'found by its tracked-link code and deleted',
    );
  });

  it('puts back on the queue a removal whose job was lost (the retraction sweep)', async () => {
    const post = await r.publishedPost();
    const { t } = r.h;
    const handle = r.h.worker!.handle;
    t.c.queue.detach();
    try {
      // Committed, but the enqueue after it fails: nothing would ever remove the post without the sweep.
      assert.equal(
        (await api().post(`/api/v1/posts/${post.id}/retract`).set(r.reviewer.auth).send({ reason: 'Sai' }))
          .status,
        200,
      );
    } finally {
      t.c.queue.attach(handle);
    }
    assert.deepEqual(
      (await r.removals(post.id)).map((x) => x.status),
      ['pending', 'pending'],
    );
    const log = t.c.logger;
    const removals = await waitFor('the sweep to re-enqueue and the worker to remove', async () => {
      await t.c.retraction.workerSide.sweep(log);
      const rows = await r.removals(post.id);
      return rows.every((x) => x.status === 'retracted') ? rows : undefined;
    });
    assert.equal(removals.length, 2);
  });

  it('retracts from the post page form and asks from the editor form', async () => {
    const post = await r.publishedPost();
    const editor = await signedInAgent(r.h.t, r.editor.user.email);
    const editorPanel = await editor.agent
      .get(`/posts/${post.id}/retraction`)
      .set('X-Forwarded-For', editor.ip);
    assert.match(editorPanel.text, /action="\/posts\/[^"]+\/retract-request"/);
    assert.ok(!/action="\/posts\/[^"]+\/retract"/.test(editorPanel.text), 'no retract form for an editor');
    const asked = await editor.agent
      .post(`/posts/${post.id}/retract-request`)
      .set('X-Forwarded-For', editor.ip)
      .type('form')
      .send({ _csrf: editor.csrf, reason: 'Sai địa bàn' });
    assert.equal(asked.status, 303);

    const reviewer = await signedInAgent(r.h.t, r.reviewer.user.email);
    const panel = await reviewer.agent
      .get(`/posts/${post.id}/retraction`)
      .set('X-Forwarded-For', reviewer.ip);
    assert.match(panel.text, /action="\/posts\/[^"]+\/retract"/);
    const done = await reviewer.agent
      .post(`/posts/${post.id}/retract`)
      .set('X-Forwarded-For', reviewer.ip)
      .type('form')
      .send({ _csrf: reviewer.csrf, reason: 'Sai địa bàn' });
    assert.equal(done.status, 303);
    const [row] = await r.h.t.c.database.db.select().from(posts).where(eq(posts.id, post.id));
    assert.equal(row!.status, 'retracted');
    await r.waitRetracted(post.id);
  });
});
