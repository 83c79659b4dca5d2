// Telling members about a published post: in the app and by Web Push, delivered to a local push
// endpoint that decrypts what it receives (RFC 8291, aes128gcm) with the browser's keys; never
// at night except urgent posts; a daily digest instead for those who chose it; nothing after
// an opt-out.
import assert from 'node:assert/strict';
import { createECDH, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, createServer, type Server } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { eq, sql } from 'drizzle-orm';
import ece from 'http_ece';
import request from 'supertest';
import { createNoticesRepo } from '../../../server/amplification/notices.repo.ts';
import { createNoticesService } from '../../../server/amplification/notices.service.ts';
import { createPushSender } from '../../../server/amplification/push-sender.ts';
import { loadOrCreateVapidKeys } from '../../../server/amplification/vapid-keys.ts';
import { memberPostNotices, notifications } from '../../../server/db/schema.ts';
import { fromWallClock } from '../../../server/shared/zoned-time.ts';
import { startMembersHarness, type MembersHarness } from './members-harness.ts';

interface Received {
  endpoint: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A certificate for 127.0.0.1 (push services are HTTPS only, and web-push speaks nothing else). */
function selfSignedCertificate(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loa-push-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        path.join(dir, 'key.pem'),
        '-out',
        path.join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(path.join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A stand-in push service: it stores what it receives, answering 201 like FCM or Mozilla's. */
async function startPushService(): Promise<{
  url: string;
  received: Received[];
  agent: Agent;
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const tls = selfSignedCertificate();
  const server: Server = createServer(tls, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ endpoint: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(req.url?.includes('gone') ? 410 : 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    received,
    agent: new Agent({ ca: tls.cert }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A browser's push subscription keys (P-256 key pair and auth secret). */
function browserKeys() {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const auth = randomBytes(16).toString('base64url');
  return { ecdh, auth, p256dh: ecdh.getPublicKey().toString('base64url') };
}

describe('members’ notifications', function () {
  this.timeout(60_000);
  let h: MembersHarness;
  let push: Awaited<ReturnType<typeof startPushService>>;
  before(async () => {
    h = await startMembersHarness();
    push = await startPushService();
  });
  after(async () => {
    await push.close();
    await h.close();
  });

  /** The notices service at a given local wall-clock hour (LOA_TIMEZONE). */
  function noticesAt(localHour: number) {
    const c = h.t.c;
    const wall = new Date();
    wall.setUTCHours(localHour, 0, 0, 0);
    const at = fromWallClock(
      new Date(Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate(), localHour)),
      c.config.timeZone,
    );
    return createNoticesService({
      db: c.database.db,
      repo: createNoticesRepo(c.database.db),
      members: c.amplification.repos.members,
      notify: c.notifications.notify,
      push: createPushSender({
        keys: () => loadOrCreateVapidKeys(c.config.dataDir),
        publicUrl: c.config.publicUrl,
        logger: c.logger,
        forget: (endpoint) => c.amplification.repos.members.deletePushSubscriptionByEndpoint(endpoint),
        agent: push.agent,
      }),
      consentVersion: c.amplification.members.consent.version,
      t: (key, options) => c.i18n.getFixedT('vi')(key, options ?? {}),
      settings: { timeZone: c.config.timeZone },
      logger: c.logger,
      now: () => at,
    });
  }

  async function subscribe(m: Awaited<ReturnType<MembersHarness['member']>>, path: string) {
    const keys = browserKeys();
    const res = await request(h.t.app)
      .post('/api/v1/me/push-subscriptions')
      .set(m.auth)
      .send({
        endpoint: `${push.url}${path}`,
        expirationTime: null,
        keys: { p256dh: keys.p256dh, auth: keys.auth },
      });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return keys;
  }

  /**
   * The member's notifications about these posts (or their digests): other test files publish
   * posts for everyone into the same database, and those reach this member too.
   */
  async function inApp(userId: string, postIds?: string[]) {
    const rows = await h.t.c.database.db.select().from(notifications).where(eq(notifications.userId, userId));
    if (!postIds) return rows;
    return rows.filter((n) => postIds.some((id) => n.link === `/feed#post-${id}`));
  }

  /**
   * Runs the notice sweep at that hour until nothing is left to tell, as the recurring job does
   * minute after minute: other files leave published posts in the shared database, more than one
   * sweep's fifty. Returns how many posts were told about.
   */
  async function notifyAll(localHour: number): Promise<number> {
    const notices = noticesAt(localHour);
    let posts = 0;
    for (let sweep = 0; sweep < 200; sweep++) {
      const told = await notices.notifyPublished();
      if (told.posts === 0) return posts;
      posts += told.posts;
    }
    throw new Error('the notice sweeps never ran out of posts');
  }

  it('notifies the post’s members in the app and by an encrypted Web Push, once, and nobody who opted out', async () => {
    const unit = await h.unit('Công an phường Thuận Hóa');
    const sibling = await h.unit('Công an phường Phú Xuân');
    const member = await h.member(unit.id);
    const keys = await subscribe(member, `/send/${member.user.id}`);
    const leaver = await h.member(unit.id);
    await subscribe(leaver, `/send/${leaver.user.id}`);
    assert.equal((await request(h.t.app).delete('/api/v1/me/consent').set(leaver.auth)).status, 200);
    const neighbour = await h.member(sibling.id);

    const keyRes = await request(h.t.app).get('/api/v1/me/push-key').set(member.auth);
    assert.equal(keyRes.status, 200);
    assert.match(keyRes.body.publicKey, /^[A-Za-z0-9_-]{80,}$/);

    const post = await h.publishedPost([unit.id]);
    assert.ok((await notifyAll(10)) >= 1);

    const mine = await inApp(member.user.id, [post.id]);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.kind, 'member_new_post');
    assert.equal(mine[0]?.link, `/feed#post-${post.id}`);
    assert.match(mine[0]?.message ?? '', /Bài cảnh báo mới để chia sẻ/);
    assert.equal((await inApp(leaver.user.id)).length, 0, 'opted out: no notification');
    assert.equal((await inApp(neighbour.user.id, [post.id])).length, 0, 'another unit: no notification');

    const deliveries = push.received.filter((r) => r.endpoint === `/send/${member.user.id}`);
    assert.ok(deliveries.length >= 1);
    assert.equal(push.received.filter((r) => r.endpoint === `/send/${leaver.user.id}`).length, 0);
    for (const delivery of deliveries) {
      assert.equal(delivery.headers['content-encoding'], 'aes128gcm');
      assert.match(String(delivery.headers.authorization), /^vapid t=[^,]+, k=/);
      assert.ok(!delivery.body.toString('latin1').includes('Bài cảnh báo'), 'the body is encrypted');
    }
    const payloads = deliveries.map(
      (delivery) =>
        JSON.parse(
          ece
            .decrypt(delivery.body, { version: 'aes128gcm', privateKey: keys.ecdh, authSecret: keys.auth })
            .toString('utf8'),
        ) as { title: string; body: string; url: string },
    );
    const forPost = payloads.filter((p) => p.url === `/feed#post-${post.id}`);
    assert.equal(forPost.length, 1);
    assert.match(forPost[0]?.body ?? '', new RegExp(post.title.slice(0, 20)));

    // Told once: a second sweep (or a second worker) does nothing more for this post.
    await notifyAll(11);
    assert.equal(
      push.received.filter((r) => r.endpoint === `/send/${member.user.id}`).length,
      deliveries.length,
    );
    assert.equal((await inApp(member.user.id, [post.id])).length, 1);
    const [notice] = await h.t.c.database.db
      .select()
      .from(memberPostNotices)
      .where(eq(memberPostNotices.postId, post.id));
    assert.equal(notice?.members, 1);
  });

  it('waits for the morning at night, except for an urgent post', async () => {
    const unit = await h.unit('Công an xã Phong Điền');
    const member = await h.member(unit.id);
    const calm = await h.publishedPost([unit.id]);
    const urgent = await h.publishedPost([unit.id]);
    await h.t.c.database.db.execute(sql`UPDATE posts SET urgent = true WHERE id = ${urgent.id}`);
    await notifyAll(23);
    let mine = await inApp(member.user.id, [calm.id, urgent.id]);
    assert.deepEqual(
      mine.map((n) => n.link),
      [`/feed#post-${urgent.id}`],
    );
    await notifyAll(3);
    assert.equal((await inApp(member.user.id, [calm.id, urgent.id])).length, 1, 'still night at 03:00');
    await notifyAll(6);
    mine = await inApp(member.user.id, [calm.id, urgent.id]);
    assert.deepEqual(
      mine.map((n) => n.link).sort(),
      [`/feed#post-${calm.id}`, `/feed#post-${urgent.id}`].sort(),
    );
  });

  it('tells an urgent post at night at once, even behind a sweep’s worth of posts waiting for the morning', async () => {
    const unit = await h.unit('Công an xã Phú Vang');
    const member = await h.member(unit.id);
    const waiting: string[] = [];
    for (let i = 0; i < 51; i++) waiting.push((await h.publishedPost([unit.id])).id);
    const urgent = await h.publishedPost([unit.id]);
    await h.t.c.database.db.execute(sql`UPDATE posts SET urgent = true WHERE id = ${urgent.id}`);
    // One sweep, as the job runs once a minute: the urgent post is in it.
    await noticesAt(23).notifyPublished();
    assert.deepEqual(
      (await inApp(member.user.id, [urgent.id, ...waiting])).map((n) => n.link),
      [`/feed#post-${urgent.id}`],
    );
    await notifyAll(7);
    assert.equal((await inApp(member.user.id, waiting)).length, 51, 'the others in the morning');
  });

  it('sends a daily digest instead to members who chose it, in the morning, once', async () => {
    const unit = await h.unit('Công an xã Quảng Điền');
    const member = await h.member(unit.id);
    const patched = await request(h.t.app).patch('/api/v1/me').set(member.auth).send({ digest: 'daily' });
    assert.equal(patched.body.member.digest, 'daily');
    await h.publishedPost([unit.id]);
    await h.publishedPost([]);
    await notifyAll(10);
    assert.equal((await inApp(member.user.id)).length, 0, 'no instant notice for a digest member');
    const early = await noticesAt(6).sendDigests();
    assert.equal(early, 0);
    assert.ok((await noticesAt(8).sendDigests()) >= 1);
    const mine = await inApp(member.user.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.kind, 'member_digest');
    assert.match(mine[0]?.message ?? '', /bài cảnh báo mới/);
    await noticesAt(9).sendDigests();
    assert.equal((await inApp(member.user.id)).length, 1, 'one digest a day');
  });
});
