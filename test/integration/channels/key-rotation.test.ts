// Tokens bound to their rows and key rotation, on real PostgreSQL and the mock platforms
// (RELIABILITY S10, issue 14 "Secrets"): a ciphertext copied into another channel's row does not
// open there; `npm run rotate-key` re-encrypts every stored token under a new key, the old key
// is deleted, and Loa started on the new key opens them; it refuses while Loa is connected.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import request from 'supertest';
import {
  createTokenCrypto,
  channelTokenContext,
  TokenDecryptError,
} from '../../../server/channels/token-crypto.ts';
import { applyMigrations, connectDatabase } from '../../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../../server/db/embedded.ts';
import { makeUser } from '../../support/app.ts';
import { testLogger } from '../../support/database.ts';
import { install, newDatabase, type Install } from '../../support/install.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const OLD_KEY = 'rotation-test-old-key-long-enough-0000000';

describe('platform tokens: bound to their row, and key rotation', function () {
  this.timeout(120_000);
  let platforms: TestPlatforms;
  let site: Install;
  const work = mkdtempSync(path.join(os.tmpdir(), 'loa-rotation-test-'));
  const channels: Array<{ id: string; token: string }> = [];

  before(async () => {
    platforms = await startTestPlatforms();
    const dir = path.join(work, 'site');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'secret.key'), `${OLD_KEY}\n`, { mode: 0o600 });
    site = install(dir, await newDatabase(`loa_rotation_${randomUUID().slice(0, 8)}`), platforms);
    await applyMigrations(site.url, testLogger);
    const admin = await makeUser(site.t, 'admin');
    for (const name of ['Trang A', 'Trang B']) {
      const page = await platforms.createPage(name);
      const res = await request(site.t.app)
        .post('/api/v1/channels')
        .set(admin.auth)
        .send({ platform: 'facebook', externalId: page.id, accessToken: page.access_token });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      channels.push({ id: res.body.id as string, token: page.access_token });
    }
  });

  after(async () => {
    await site?.t.close();
    await platforms?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("does not open a token copied into another channel's row", async () => {
    const [a, b] = channels as [{ id: string; token: string }, { id: string; token: string }];
    const before = await site.handle.pool.query<{ access_token_enc: string }>(
      'SELECT access_token_enc FROM channels WHERE id = $1',
      [b.id],
    );
    await site.handle.pool.query(
      'UPDATE channels SET access_token_enc = (SELECT access_token_enc FROM channels WHERE id = $1) WHERE id = $2',
      [a.id, b.id],
    );
    try {
      const row = await site.t.c.channels.get(b.id);
      assert.throws(() => site.t.c.channels.credentials(row), TokenDecryptError);
      assert.equal(site.t.c.channels.credentials(await site.t.c.channels.get(a.id)).accessToken, a.token);
    } finally {
      await site.handle.pool.query('UPDATE channels SET access_token_enc = $1 WHERE id = $2', [
        before.rows[0]!.access_token_enc,
        b.id,
      ]);
    }
  });

  it('rotates the key: every token re-encrypted, the old key deleted, Loa on the new key opens them', async () => {
    // Loa is stopped for the rotation (its pool holds connections the command would refuse).
    await site.t.close();
    const tsx = path.resolve('node_modules/.bin/tsx');
    const result = spawnSync(tsx, ['scripts/rotate-key.ts'], {
      env: { ...process.env, LOA_DATA_DIR: site.dir, DATABASE_URL: site.url, LOA_LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /Re-encrypted 2 of 2 stored secrets/);
    const newKey = readFileSync(path.join(site.dir, 'secret.key'), 'utf8').trim();
    assert.notEqual(newKey, OLD_KEY);
    assert.ok(newKey.length >= 32);
    assert.equal(existsSync(path.join(site.dir, 'secret.key.previous')), false, 'the old key is deleted');

    const stored = await new pg.Pool({ connectionString: site.url, max: 1 });
    try {
      const rows = await stored.query<{ id: string; access_token_enc: string }>(
        'SELECT id, access_token_enc FROM channels ORDER BY id',
      );
      const fresh = createTokenCrypto(newKey);
      const old = createTokenCrypto(OLD_KEY);
      for (const row of rows.rows) {
        const context = channelTokenContext(row.id, 'access_token');
        const expected = channels.find((c) => c.id === row.id)!.token;
        assert.equal(fresh.decrypt(row.access_token_enc, context), expected);
        assert.throws(() => old.decrypt(row.access_token_enc, context), TokenDecryptError);
      }
    } finally {
      await stored.end();
    }

    // Loa started again on the new key opens the re-encrypted token.
    site = install(site.dir, site.url, platforms);
    for (const channel of channels) {
      const row = await site.t.c.channels.get(channel.id);
      assert.equal(site.t.c.channels.credentials(row).accessToken, channel.token);
    }
  });

  it('leaves a token no key opens as it is and names its channel, re-encrypting the others', async () => {
    const admin = await makeUser(site.t, 'admin');
    const broken = randomUUID();
    await site.handle.pool.query(
      `INSERT INTO channels (id, platform, external_id, name, access_token_enc, created_by)
       VALUES ($1, 'facebook', $2, 'Trang hỏng', 'not-a-token', $3)`,
      [broken, `broken-${broken}`, admin.user.id],
    );
    // Beside it, a channel the rotation above left under the current key.
    const [first] = channels as [{ id: string; token: string }];
    const before = await site.handle.pool.query<{ access_token_enc: string }>(
      'SELECT access_token_enc FROM channels WHERE id = $1',
      [first.id],
    );
    try {
      const result = await site.t.c.tokenRotation.reencryptAll();
      assert.deepEqual(result.unreadable, [broken]);
      assert.equal(result.total, 3);
      const row = await site.handle.pool.query<{ access_token_enc: string }>(
        'SELECT access_token_enc FROM channels WHERE id = $1',
        [broken],
      );
      assert.equal(row.rows[0]!.access_token_enc, 'not-a-token', 'the unreadable row is left as it is');
      const channel = await site.t.c.channels.get(first.id);
      assert.equal(site.t.c.channels.credentials(channel).accessToken, first.token);
      assert.equal(
        (await site.handle.pool.query('SELECT access_token_enc FROM channels WHERE id = $1', [first.id]))
          .rows[0].access_token_enc,
        before.rows[0]!.access_token_enc,
        'a token already under the current key is not rewritten',
      );
    } finally {
      await site.handle.pool.query('DELETE FROM channels WHERE id = $1', [broken]);
    }
  });

  it('refuses to rotate while another client (a running Loa) is connected', async () => {
    const dir = path.join(work, 'busy');
    const embedded = await startEmbeddedPostgres({ dataDir: dir, logger: testLogger });
    const handle = connectDatabase(embedded.url, testLogger, { max: 1 });
    try {
      await applyMigrations(embedded.url, testLogger);
      writeFileSync(path.join(dir, 'secret.key'), `${OLD_KEY}\n`, { mode: 0o600 });
      await handle.pool.query('SELECT 1');
      const tsx = path.resolve('node_modules/.bin/tsx');
      const result = spawnSync(tsx, ['scripts/rotate-key.ts'], {
        env: { ...process.env, LOA_DATA_DIR: dir, DATABASE_URL: embedded.url, LOA_LOG_LEVEL: 'silent' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      assert.equal(result.status, 1, result.stdout);
      assert.match(result.stderr, /Key not rotated: Loa is running on this database/);
      assert.equal(
        readFileSync(path.join(dir, 'secret.key'), 'utf8').trim(),
        OLD_KEY,
        'the key is unchanged',
      );
    } finally {
      await handle.close();
      await embedded.stop();
    }
  });
});
