// A transaction setting shared by the writers whose loss in a database crash is recovered later.
import { sql } from 'drizzle-orm';
import type { Executor } from './database.ts';

/**
 * For writes whose loss in a database crash is recovered by reconciliation (an attempt's outcome):
 * no wait for the WAL flush.
 */
export async function asyncCommit(tx: Executor): Promise<void> {
  await tx.execute(sql`SET LOCAL synchronous_commit = off`);
}
