// A database client that is checked out from the pool but idle between queries (Agenda's
// LISTEN connection, a batch between statements) loses its connection when PostgreSQL restarts
// or an administrator ends it: the process must not crash, and the client's user sees the
// failure on its next query.
import assert from 'node:assert/strict';
import { connectDatabase } from '../../../server/db/database.ts';
import { connectEnqueueOnly, createAgenda, disconnectEnqueueOnly } from '../../../server/jobs/agenda.ts';
import { testDatabase, testLogger } from '../../support/database.ts';
import { waitFor } from '../../support/processes.ts';

describe('database: a checked-out client losing its connection', () => {
  it('is reported, not thrown, and the pool goes on with a new connection', async () => {
    const { url, handle: admin } = await testDatabase();
    const handle = connectDatabase(url, testLogger, { max: 2 });
    try {
      const client = await handle.pool.connect();
      assert.ok(client.listenerCount('error') > 0, 'a checked-out client has an error listener');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      const pid = rows[0]!.pid;
      await admin.pool.query('SELECT pg_terminate_backend($1)', [pid]);
      // Without a listener the 'error' event would be an uncaught exception that fails this run.
      await waitFor(
        'the backend to end',
        async () => {
          const alive = await admin.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
          return alive.rowCount === 0 ? true : undefined;
        },
        10_000,
      );
      await assert.rejects(client.query('SELECT 1'));
      client.release(true);
      const again = await handle.pool.query<{ ok: number }>('SELECT 1 AS ok');
      assert.equal(again.rows[0]!.ok, 1);
    } finally {
      await handle.close();
    }
  });

  it("does not crash when Agenda's LISTEN connection is ended", async () => {
    const { url, handle: admin } = await testDatabase();
    const handle = connectDatabase(url, testLogger, { max: 3 });
    const jobs = createAgenda({
      pool: handle.pool,
      name: 'listen-loss',
      pollMs: 60_000,
      concurrency: 1,
      logger: testLogger,
    });
    try {
      await connectEnqueueOnly(jobs);
      const listening = await waitFor('the LISTEN connection', async () => {
        const { rows } = await admin.pool.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %' AND pid <> pg_backend_pid()",
        );
        return rows[0]?.pid;
      });
      await admin.pool.query('SELECT pg_terminate_backend($1)', [listening]);
      await waitFor(
        'the LISTEN backend to end',
        async () => {
          const alive = await admin.pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [listening]);
          return alive.rowCount === 0 ? true : undefined;
        },
        10_000,
      );
      // Still here: the process took the channel's error as a warning.
      const { rows } = await handle.pool.query<{ ok: number }>('SELECT 1 AS ok');
      assert.equal(rows[0]!.ok, 1);
    } finally {
      await disconnectEnqueueOnly(jobs).catch(() => undefined);
      await handle.close();
    }
  });
});
