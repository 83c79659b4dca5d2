// Backup and restore, both ways, on real PostgreSQL: an install with users, a channel whose
// token is encrypted at rest, a media file, a post and its audit trail is backed up; the backup
// is restored into an empty data directory and an empty database; every table holds the same
// rows, the media file the same bytes, the channel's token decrypts with the restored key, and
// the audit chain still verifies. A restore into anything not empty is refused and changes
// nothing. The commands themselves run once against the embedded database.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import sharp from 'sharp';
import { createAuditLog } from '../../../server/audit/audit.service.ts';
import { applyMigrations, connectDatabase, type DatabaseHandle } from '../../../server/db/database.ts';
import { RestoreRefused, restoreDatabase } from '../../../server/db/dump.ts';
import { startEmbeddedPostgres } from '../../../server/db/embedded.ts';
import {
  BackupError,
  createBackup,
  readBackup,
  restoreBackup,
  type BackupManifest,
  type BackupPlace,
} from '../../../server/system/backup.ts';
import { makeUser } from '../../support/app.ts';
import { testLogger } from '../../support/database.ts';
import { install, newDatabase, type Install } from '../../support/install.ts';
import { startTestPlatforms, type TestPlatforms } from '../../support/platforms.ts';

const KEY = 'backup-test-secret-key-long-enough-00000';

function place(dir: string): BackupPlace {
  return {
    dataDir: dir,
    mediaDir: path.join(dir, 'media'),
    secretKeyFromEnvironment: false,
    loaVersion: 'test',
  };
}

/** Every row of every table, as text in a stable order: equal means the same data. */
async function contents(handle: DatabaseHandle): Promise<Record<string, string[]>> {
  const tables = await handle.pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r','p') AND NOT c.relispartition ORDER BY 1`,
  );
  const result: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    const rows = await handle.pool.query<{ row: string }>(`SELECT t::text AS row FROM "${name}" t`);
    result[name] = rows.rows.map((r) => r.row).sort();
  }
  return result;
}

describe('backup and restore', function () {
  this.timeout(120_000);
  let platforms: TestPlatforms;
  let source: Install;
  let backupFile: string;
  let channelToken: string;
  let channelId: string;
  let mediaId: string;
  let manifest: BackupManifest;
  const work = mkdtempSync(path.join(os.tmpdir(), 'loa-backup-test-'));
  const suffix = randomUUID().slice(0, 8);

  before(async () => {
    platforms = await startTestPlatforms();
    const dir = path.join(work, 'source');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'secret.key'), `${KEY}\n`, { mode: 0o600 });
    source = install(dir, await newDatabase(`loa_backup_src_${suffix}`), platforms);
    await applyMigrations(source.url, testLogger);
    const admin = await makeUser(source.t, 'admin');
    const editor = await makeUser(source.t, 'editor');
    const page = await platforms.createPage('Trang Công an xã (sao lưu)');
    channelToken = page.access_token;
    const channel = await request(source.t.app)
      .post('/api/v1/channels')
      .set(admin.auth)
      .send({ platform: 'facebook', externalId: page.id, accessToken: page.access_token });
    assert.equal(channel.status, 201, JSON.stringify(channel.body));
    channelId = channel.body.id as string;
    const image = await sharp({ create: { width: 640, height: 400, channels: 3, background: '#2255aa' } })
      .jpeg()
      .toBuffer();
    const media = await request(source.t.app)
      .post('/api/v1/media')
      .set(editor.auth)
      .attach('file', image, 'canh-bao.jpg');
    assert.equal(media.status, 201, JSON.stringify(media.body));
    mediaId = media.body.id as string;
    const post = await request(source.t.app)
      .post('/api/v1/posts')
      .set(editor.auth)
      .send({
        text: 'Cảnh báo: giả danh công an gọi điện yêu cầu chuyển tiền',
        channelIds: [channelId],
        mediaIds: [mediaId],
        scheduledAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      });
    assert.equal(post.status, 201, JSON.stringify(post.body));
    backupFile = path.join(work, 'loa.backup');
    manifest = await createBackup(place(source.dir), source.url, backupFile);
  });

  after(async () => {
    await source?.t.close();
    await platforms?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('writes one file holding the database, the media and the key', async () => {
    assert.ok(existsSync(backupFile));
    assert.ok(!existsSync(`${backupFile}.partial`), 'no half-written file is left');
    const counts = Object.fromEntries(manifest.database.tables.map((t) => [t.name, t.rows]));
    assert.equal(counts.users, 2);
    assert.equal(counts.channels, 1);
    assert.equal(counts.media, 1);
    assert.equal(counts.posts, 1);
    assert.ok((counts.audit_log ?? 0) >= 3, 'the audit trail is in the backup');
    assert.ok(manifest.media.files >= 1);
    assert.deepEqual(manifest.keys, ['secret.key']);
    assert.ok(!readFileSync(backupFile).includes(channelToken), 'the token is stored only encrypted');
  });

  it('restores into an empty data directory and database: same rows, bytes, key and audit chain', async () => {
    const dir = path.join(work, 'restored');
    const url = await newDatabase(`loa_backup_dst_${suffix}`);
    await restoreBackup(
      {
        ...place(dir),
        openDatabase: async () => {
          await applyMigrations(url, testLogger);
          return { url, close: async () => undefined };
        },
      },
      backupFile,
    );
    const restored = install(dir, url, platforms);
    try {
      assert.deepEqual(await contents(restored.handle), await contents(source.handle));
      assert.equal(readFileSync(path.join(dir, 'secret.key'), 'utf8').trim(), KEY);
      const channel = await restored.t.c.channels.get(channelId);
      assert.equal(restored.t.c.channels.credentials(channel).accessToken, channelToken);
      const [original] = await source.t.c.media.getMany([mediaId]);
      const [copy] = await restored.t.c.media.getMany([mediaId]);
      assert.deepEqual(
        await restored.t.c.media.readFile(copy!, 'large'),
        await source.t.c.media.readFile(original!, 'large'),
      );
      assert.equal((await createAuditLog(restored.handle.db).verify()).ok, true);
      // The sequences were put back: new rows after the restore do not collide with old ones.
      await makeUser(restored.t, 'reviewer');
      assert.equal((await createAuditLog(restored.handle.db).verify()).ok, true);
    } finally {
      await restored.t.close();
    }
  });

  it('refuses a data directory that is not empty, and changes nothing', async () => {
    const url = await newDatabase(`loa_backup_busy_${suffix}`);
    const occupied = path.join(work, 'occupied');
    mkdirSync(occupied, { recursive: true });
    writeFileSync(path.join(occupied, 'note.txt'), 'mine');
    let opened = false;
    await assert.rejects(
      restoreBackup(
        {
          ...place(occupied),
          openDatabase: async () => {
            opened = true;
            return { url, close: async () => undefined };
          },
        },
        backupFile,
      ),
      (error: Error) => error instanceof BackupError && /not empty/.test(error.message),
    );
    assert.equal(opened, false, 'the database was not touched');
    assert.deepEqual(readdirSync(occupied), ['note.txt']);
  });

  it('refuses a database that already has rows, inside one transaction that changes nothing', async () => {
    const before = await contents(source.handle);
    const staging = mkdtempSync(path.join(work, 'read-'));
    const read = await readBackup(backupFile, staging);
    await assert.rejects(
      restoreDatabase(source.url, path.join(staging, 'db'), read.database),
      (error: Error) => error instanceof RestoreRefused && /not empty/.test(error.message),
    );
    assert.deepEqual(await contents(source.handle), before);
  });

  it('refuses a file that is not a Loa backup with a clear message, writing nothing', async () => {
    const bogus = path.join(work, 'not-a-backup.tgz');
    writeFileSync(bogus, 'hello, this is not a tar file');
    const dir = path.join(work, 'from-bogus');
    await assert.rejects(
      restoreBackup(
        { ...place(dir), openDatabase: () => Promise.reject(new Error('must not be opened')) },
        bogus,
      ),
      (error: Error) => error instanceof BackupError && /not a Loa backup/.test(error.message),
    );
    assert.ok(!existsSync(dir) || readdirSync(dir).length === 0);
  });

  it('npm run backup / restore work against the embedded database, refusing a second restore', async () => {
    const from = path.join(work, 'cli-from');
    const into = path.join(work, 'cli-into');
    const file = path.join(work, 'cli.backup');
    const env = (dir: string) => ({
      ...process.env,
      LOA_DATA_DIR: dir,
      DATABASE_URL: '',
      LOA_LOG_LEVEL: 'silent',
    });
    const tsx = path.resolve('node_modules/.bin/tsx');
    const run = (script: string, dir: string, ...args: string[]) =>
      spawnSync(tsx, [script, ...args], { env: env(dir), encoding: 'utf8', timeout: 90_000 });
    const made = run(
      'scripts/create-admin.ts',
      from,
      '--email',
      'sao-luu@example.vn',
      '--name',
      'Quản trị',
      '--password',
      'mat-khau-sao-luu-1',
    );
    assert.equal(made.status, 0, made.stderr + made.stdout);
    writeFileSync(path.join(from, 'secret.key'), `${KEY}\n`, { mode: 0o600 });
    const backup = run('scripts/backup.ts', from, file);
    assert.equal(backup.status, 0, backup.stderr + backup.stdout);
    assert.match(backup.stdout, /Backup written to/);
    const restore = run('scripts/restore.ts', into, file);
    assert.equal(restore.status, 0, restore.stderr + restore.stdout);
    assert.match(restore.stdout, /Restored/);
    const again = run('scripts/restore.ts', into, file);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /Restore refused: .*not empty/);
    const usage = run('scripts/restore.ts', into);
    assert.equal(usage.status, 2);
    assert.match(usage.stderr, /Usage: npm run restore -- <file>/);
    const embedded = await startEmbeddedPostgres({ dataDir: into, logger: testLogger });
    const handle = connectDatabase(embedded.url, testLogger, { max: 1 });
    try {
      const users = await handle.pool.query<{ email: string }>('SELECT email FROM users');
      assert.deepEqual(
        users.rows.map((r) => r.email),
        ['sao-luu@example.vn'],
      );
    } finally {
      await handle.close();
      await embedded.stop();
    }
    assert.equal(
      readFileSync(path.join(into, 'secret.key'), 'utf8'),
      readFileSync(path.join(from, 'secret.key'), 'utf8'),
    );
  });
});
