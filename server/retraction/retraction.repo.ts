// All SQL on publication retractions. Like publishing, a retraction attempt is taken with one
// conditional UPDATE (a lease), so two workers never remove the same post at once, and a worker
// that died mid-call leaves a lease that runs out.
import { and, asc, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db/database.ts';
import { publicationRetractions } from '../db/schema.ts';
import { liveJobExists } from '../jobs/job-table.ts';

export type RetractionRow = typeof publicationRetractions.$inferSelect;

export function createRetractionRepo(db: Executor) {
  return {
    /** Asks for removal; a publication asked twice keeps its first row (and its history). */
    async request(rows: { publicationId: string; postId: string }[], tx: Executor): Promise<void> {
      if (rows.length === 0) return;
      await tx
        .insert(publicationRetractions)
        .values(rows.map((r) => ({ ...r, status: 'pending' as const, nextAttemptAt: sql`now()` })))
        .onConflictDoNothing();
    },
    async findByPost(postId: string, tx: Executor = db): Promise<RetractionRow[]> {
      return tx
        .select()
        .from(publicationRetractions)
        .where(eq(publicationRetractions.postId, postId))
        .orderBy(asc(publicationRetractions.requestedAt));
    },
    async findById(publicationId: string, tx: Executor = db): Promise<RetractionRow | undefined> {
      const [row] = await tx
        .select()
        .from(publicationRetractions)
        .where(eq(publicationRetractions.publicationId, publicationId));
      return row;
    },

    /** Pending and due, or retracting with a lease that ran out; undefined when not ours to take. */
    async claim(
      publicationId: string,
      settings: { owner: string; leaseMs: number },
      tx: Executor = db,
    ): Promise<RetractionRow | undefined> {
      const [row] = await tx
        .update(publicationRetractions)
        .set({
          status: 'retracting',
          attempts: sql`${publicationRetractions.attempts} + 1`,
          leaseOwner: settings.owner,
          leaseExpiresAt: sql`now() + ${settings.leaseMs}::int * interval '1 millisecond'`,
          nextAttemptAt: null,
          updatedAt: sql`now()`,
        })
        .where(
          and(
            eq(publicationRetractions.publicationId, publicationId),
            sql`((${publicationRetractions.status} = 'pending' AND (${publicationRetractions.nextAttemptAt} IS NULL OR ${publicationRetractions.nextAttemptAt} <= now()))
              OR (${publicationRetractions.status} = 'retracting' AND ${publicationRetractions.leaseExpiresAt} < now()))`,
          ),
        )
        .returning();
      return row;
    },

    /** The outcome of an attempt, fenced on the lease owner: undefined when the lease was lost. */
    async settle(
      publicationId: string,
      owner: string,
      values: Partial<
        Pick<RetractionRow, 'status' | 'lastError' | 'lastErrorKind' | 'nextAttemptAt' | 'retractedAt'>
      >,
      tx: Executor = db,
    ): Promise<RetractionRow | undefined> {
      const [row] = await tx
        .update(publicationRetractions)
        .set({ ...values, leaseOwner: null, leaseExpiresAt: null, updatedAt: new Date() })
        .where(
          and(
            eq(publicationRetractions.publicationId, publicationId),
            eq(publicationRetractions.status, 'retracting'),
            eq(publicationRetractions.leaseOwner, owner),
          ),
        )
        .returning();
      return row;
    },

    /** Failed retractions of a post go back to the queue (someone asked again). */
    async requeueFailed(postId: string, tx: Executor): Promise<RetractionRow[]> {
      return tx
        .update(publicationRetractions)
        .set({ status: 'pending', attempts: 0, nextAttemptAt: sql`now()`, updatedAt: new Date() })
        .where(and(eq(publicationRetractions.postId, postId), eq(publicationRetractions.status, 'failed')))
        .returning();
    },

    /**
     * Retractions that have no job that will still run: due pending ones whose job was lost (an
     * enqueue after commit that failed, downtime) and expired leases (a killed worker).
     */
    async orphaned(graceMs: number, staleJobLockMs: number, jobName: string, limit = 500): Promise<string[]> {
      const result = await db.execute<{ publication_id: string }>(sql`
        SELECT r.publication_id FROM publication_retractions r
        WHERE ((r.status = 'pending' AND coalesce(r.next_attempt_at, r.requested_at) <= now() - ${graceMs}::int * interval '1 millisecond')
            OR (r.status = 'retracting' AND r.lease_expires_at < now()))
          AND NOT ${liveJobExists({
            name: jobName,
            publicationId: sql`r.publication_id::text`,
            staleLockMs: staleJobLockMs,
            alsoWhen: sql`(r.status = 'pending' OR j.locked_at IS NULL)`,
          })}
        ORDER BY r.requested_at LIMIT ${limit}`);
      return result.rows.map((r) => r.publication_id);
    },
  };
}

export type RetractionRepo = ReturnType<typeof createRetractionRepo>;
