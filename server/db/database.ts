// The one connection pool and drizzle instance, and applying migrations at start.
import { fileURLToPath } from 'node:url';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import type { Logger } from '../logger.ts';
import * as schema from './schema.ts';

export type Database = NodePgDatabase<typeof schema>;
/** A database handle or an open transaction: repositories accept either. */
export type Executor = Database | Parameters<Parameters<Database['transaction']>[0]>[0];

export interface DatabaseHandle {
  pool: pg.Pool;
  db: Database;
  close(): Promise<void>;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));
// Any constant: it serialises migrations when several processes start at once.
const MIGRATION_LOCK_ID = 748_210_001;

export function connectDatabase(url: string, logger: Logger, options: { max?: number } = {}): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, idleTimeoutMillis: 30_000 });
  // An idle client losing its connection (database restart, failover) must not crash the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'database connection lost'));
  // So must a client that is checked out but between queries (a LISTEN connection, a batch
  // waiting for its next statement): the pool only listens on idle ones. Its user sees the
  // failure on its next query.
  pool.on('connect', (client) => {
    client.on('error', (error) => logger.warn({ err: error }, 'database connection lost (client in use)'));
  });
  const db = drizzle(pool, { schema });
  return {
    pool,
    db,
    close: () => {
      logger.debug(
        { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount },
        'closing pool',
      );
      return pool.end();
    },
  };
}

export async function applyMigrations(url: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_DIR });
    logger.debug('migrations applied');
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await client.end();
  }
}
