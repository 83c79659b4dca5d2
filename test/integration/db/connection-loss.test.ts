// A database client that is checked out from the pool but idle between queries (Agenda's
// LISTEN connection, a batch between statements) loses its connection when PostgreSQL restarts
// or an administrator ends it: the process must not crash, and the client's user sees the
// failure on its next query.
import assert from 'node:assert/strict';
import { connectDatabase } from '../../../server/db/database.ts';
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
});
