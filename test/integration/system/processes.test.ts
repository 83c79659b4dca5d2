// Loa as real processes: web and worker roles apart, and the embedded database surviving kill -9.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../../server/db/embedded.ts';
import { testDatabase } from '../../support/database.ts';
import { clearPublishingWork } from '../publishing/harness.ts';
import { freePort, getJson, startLoa, waitFor, type LoaProcess } from '../../support/processes.ts';

describe('Loa processes', function () {
  this.timeout(120_000);
  const started: LoaProcess[] = [];
  afterEach(async () => {
    for (const p of started.splice(0)) {
      if (p.child.exitCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
  });

  it('runs LOA_ROLE=web and LOA_ROLE=worker as two processes on one database; health shows the worker', async () => {
    const db = await testDatabase();
    const port = await freePort();
    const common = {
      DATABASE_URL: db.url,
      LOA_MOCK_PLATFORMS: 'off',
      LOA_DATA_DIR: db.dataDir,
      LOA_HEARTBEAT_SECONDS: '1',
      PORT: String(port),
    };
    const web = startLoa({ ...common, LOA_ROLE: 'web' });
    started.push(web);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('web ready', async () =>
      (await getJson(`${base}/api/v1/health`)).status === 200 ? true : undefined,
    );
    // The heartbeat is one recurring job per database: suites before this one may have left it
    // due up to a minute from now (Agenda keeps a pending run time when a worker re-registers it),
    // or locked by a worker they killed with SIGKILL (the lock holds for a minute).
    await db.handle.pool.query(
      `UPDATE agenda_jobs SET next_run_at = now(), locked_at = NULL WHERE name = 'system.heartbeat'`,
    );
    // Only this worker may answer for the health check, and it starts with nothing left over
    // from other suites to publish (to real platform addresses, as the mocks are off here).
    await clearPublishingWork();
    await db.handle.pool.query('DELETE FROM worker_heartbeats');
    const worker = startLoa({ ...common, LOA_ROLE: 'worker' });
    started.push(worker);
    // Agenda may run the due heartbeat before the worker has logged that it started.
    await waitFor('worker started', async () => (/worker started/.test(worker.output()) ? true : undefined));
    const health = await waitFor('worker heartbeat', async () => {
      const { body } = await getJson(`${base}/api/v1/health`);
      return body.worker === 'ok' ? body : undefined;
    });
    assert.equal(health.db, 'ok');
    assert.equal(health.mockPlatforms, null);
    assert.match(worker.output(), /worker started/);
    assert.doesNotMatch(web.output(), /worker started/, 'the web process runs no jobs');
    // The worker process serves no HTTP.
    assert.doesNotMatch(worker.output(), /Loa is ready/);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, 'drains and exits cleanly on SIGTERM');
  });

  it('keeps its data across kill -9 of the app with the embedded database, and leaves no postgres behind on SIGINT', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-proc-'));
    const port = await freePort();
    const env = {
      LOA_DATA_DIR: dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      PORT: String(port),
      LOA_ADMIN_EMAIL: 'admin@loa.test',
      LOA_ADMIN_PASSWORD: 'mat-khau-rat-dai',
    };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const base = `http://127.0.0.1:${port}`;
    const token = async () => {
      const res = await fetch(`${base}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@loa.test', password: 'mat-khau-rat-dai' }),
      });
      return res.status === 201 ? ((await res.json()) as { token: string }).token : undefined;
    };
    try {
      const first = startLoa({ ...env, DATABASE_URL: '' });
      started.push(first);
      const adminToken = await waitFor('first start', token, 60_000);
      const unit = await fetch(`${base}/api/v1/units`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${adminToken}` },
        body: JSON.stringify({ name: 'Công an tỉnh Kiểm Thử' }),
      });
      assert.equal(unit.status, 201);

      first.child.kill('SIGKILL');
      await first.exited;

      const second = startLoa({ ...env, DATABASE_URL: '' });
      started.push(second);
      const again = await waitFor('restart after kill -9', token, 60_000);
      const units = (await (
        await fetch(`${base}/api/v1/units`, { headers: { authorization: `Bearer ${again}` } })
      ).json()) as { items: { name: string }[] };
      assert.ok(
        units.items.some((u) => u.name === 'Công an tỉnh Kiểm Thử'),
        'data kept',
      );

      const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
      const postgresPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      assert.ok(isAlive(postgresPid));
      second.child.kill('SIGINT');
      assert.equal(await second.exited, 0);
      // pg_ctl returns once the pid file is gone; the process itself may take a moment more to exit.
      await waitFor('postgres to exit', async () => (isAlive(postgresPid) ? undefined : true), 10_000);
      assert.equal(existsSync(pidFile), false);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses to start with a bad setting, naming it', async () => {
    const bad = startLoa({ LOA_ROLE: 'everything', PORT: 'x' });
    started.push(bad);
    assert.equal(await bad.exited, 2);
    assert.match(bad.output(), /LOA_ROLE: .*"web"\|"worker"\|"all".*got "everything"/);
    assert.match(bad.output(), /PORT:/);
  });
});
