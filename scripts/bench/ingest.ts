// `npm run bench -- ingest [--short]`: engagement storage on an embedded PostgreSQL of its own.
// History is written day after day as the collector writes it (150 new publications a day,
// each snapshotted at +15 min, +1 h, +6 h, +24 h, +72 h, +7 d, then daily to 90 days), through
// the collector's own statement (engagement.repo.ts insertSnapshots: the multi-row insert into
// the monthly partitions plus both rollups), in batches of 5,000. Figures:
//   snapshots_per_s      rows stored per second of insert time (rollups included)
//   overview_1m_p50/p95  the 30-day overview (totals, by channel, by campaign, by day) at 1 million snapshots
//   overview_5m_p50/p95  the same at 5 million (200k and 1M with --short)
//   overview_ratio_p95   5M / 1M: the dashboard does not slow as history grows
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { applyMigrations, connectDatabase } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { createEngagementRepo, type SnapshotInput } from '../../server/engagement/engagement.repo.ts';
import { createLogger } from '../../server/logger.ts';

const logger = createLogger('warn');
const PER_DAY = 150;
const HORIZON_DAYS = 90;
const BATCH = 5000;
const CHANNELS = 20;
const CAMPAIGNS = 8;
const UNITS = 10;
const TIME_ZONE = 'Asia/Ho_Chi_Minh';
const DAY_MS = 86_400_000;
const QUERY_RUNS = 60;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Minutes after publication of each snapshot taken on day `age` of a publication's life. */
function offsetsOnDay(age: number): number[] {
  if (age === 0) return [15, 60, 360];
  if (age === 1) return [1440];
  if (age === 3) return [4320];
  if (age === 7) return [10_080];
  if (age >= 8 && age <= HORIZON_DAYS) return [age * 1440];
  return [];
}

export async function run(args: string[]): Promise<void> {
  const short = args.includes('--short');
  const firstMark = short ? 200_000 : 1_000_000;
  const secondMark = short ? 1_000_000 : 5_000_000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-bench-ingest-'));
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_bench', logger });
  const database = connectDatabase(embedded.url, logger, { max: 10 });
  try {
    await applyMigrations(embedded.url, logger);
    const { db } = database;
    const repo = createEngagementRepo(db);

    // Enough publications for the whole history (the last mark needs ~ 410 days at 150 a day).
    const days = Math.ceil(secondMark / (PER_DAY * 80)) + HORIZON_DAYS;
    const start = new Date(Date.UTC(2024, 0, 1));
    const authorId = randomUUID();
    await db.execute(sql`INSERT INTO users (id, email, name, role, password_hash)
      VALUES (${authorId}, 'bench@loa', 'Bench', 'admin', 'x')`);
    await db.execute(
      sql`INSERT INTO units (id, name) SELECT gen_random_uuid(), 'Đơn vị ' || g FROM generate_series(1, ${UNITS}) g`,
    );
    await db.execute(
      sql`INSERT INTO campaigns (id, name) SELECT gen_random_uuid(), 'Chiến dịch ' || g FROM generate_series(1, ${CAMPAIGNS}) g`,
    );
    await db.execute(sql`INSERT INTO channels (id, platform, external_id, name, access_token_enc)
      SELECT gen_random_uuid(), CASE WHEN g % 5 = 0 THEN 'zalo' ELSE 'facebook' END, 'bench-' || g, 'Kênh ' || g, 'x'
      FROM generate_series(1, ${CHANNELS}) g`);
    const total = days * PER_DAY;
    await db.execute(sql`
      WITH u AS (SELECT array_agg(id ORDER BY name) AS ids FROM units),
           c AS (SELECT array_agg(id ORDER BY name) AS ids FROM campaigns),
           ch AS (SELECT array_agg(id ORDER BY name) AS ids FROM channels),
           made AS (
             INSERT INTO posts (id, status, title, text, author_id, slug, scheduled_at, unit_id, campaign_id)
             SELECT gen_random_uuid(), 'published', 'Cảnh báo ' || g, 'Nội dung', ${authorId}, 'bench-' || g,
               ${start.toISOString()}::timestamptz + ((g - 1) / ${PER_DAY}) * interval '1 day',
               (SELECT ids[1 + g % ${UNITS}] FROM u), (SELECT ids[1 + g % ${CAMPAIGNS}] FROM c)
             FROM generate_series(1, ${total}) g RETURNING id, scheduled_at, slug
           )
      INSERT INTO publications (id, post_id, channel_id, status, scheduled_at, link_code, external_id, published_at)
      SELECT gen_random_uuid(), m.id, (SELECT ids[1 + (substr(m.slug, 7)::int) % ${CHANNELS}] FROM ch), 'published',
        m.scheduled_at, 'b' || substr(m.slug, 7), 'x_' || m.id, m.scheduled_at
      FROM made m`);
    const pubs = await db.execute<{ id: string }>(sql`SELECT id FROM publications ORDER BY published_at, id`);
    const ids = pubs.rows.map((r) => r.id);
    await repo.ensurePartitions(start, new Date(start.getTime() + (days + HORIZON_DAYS + 1) * DAY_MS));

    let written = 0;
    let insertMs = 0;
    let measuredFirst = false;
    const pending: SnapshotInput[] = [];
    const flush = async () => {
      while (pending.length) {
        const rows = pending.splice(0, BATCH);
        const t0 = performance.now();
        await repo.insertSnapshots(db, rows, TIME_ZONE);
        insertMs += performance.now() - t0;
        written += rows.length;
      }
    };

    const measure = async (label: string, lastDay: number) => {
      await db.execute(sql`ANALYZE engagement_totals`);
      const to = new Date(start.getTime() + lastDay * DAY_MS).toISOString().slice(0, 10);
      const from = new Date(start.getTime() + (lastDay - 29) * DAY_MS).toISOString().slice(0, 10);
      const times: number[] = [];
      for (let i = 0; i < QUERY_RUNS; i++) {
        const t0 = performance.now();
        await repo.overview({ from, to, scope: null });
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      const p50 = percentile(times, 50);
      const p95 = percentile(times, 95);
      process.stdout.write(`${label}_p50_ms: ${p50.toFixed(2)}\n${label}_p95_ms: ${p95.toFixed(2)}\n`);
      return p95;
    };

    let p95First = NaN;
    let lastDay = 0;
    for (let day = 0; day < days + HORIZON_DAYS && written + pending.length < secondMark; day++) {
      const firstPub = Math.max(0, (day - HORIZON_DAYS) * PER_DAY);
      const lastPub = Math.min(ids.length, (day + 1) * PER_DAY);
      for (let index = firstPub; index < lastPub; index++) {
        const publishedDay = Math.floor(index / PER_DAY);
        const age = day - publishedDay;
        for (const minutes of offsetsOnDay(age)) {
          const hours = minutes / 60;
          const reach = 2000 + (index % 97) * 40;
          const grown = reach * (1 - Math.exp(-hours / 6));
          const zalo = (index + 1) % 5 === 0;
          pending.push({
            publicationId: ids[index] ?? '',
            fetchedAt: new Date(
              start.getTime() + publishedDay * DAY_MS + minutes * 60_000 + (index % 600) * 1000,
            ),
            occurrence: null,
            impressions: zalo ? null : Math.floor(grown * 1.4),
            reactions: zalo ? null : Math.floor(grown * 0.08),
            comments: zalo ? null : Math.floor(grown * 0.01),
            shares: zalo ? null : Math.floor(grown * 0.01),
            clicks: zalo ? null : Math.floor(grown * 0.03),
            linkClicks: Math.floor(grown * 0.02),
          });
        }
      }
      // Chronological per publication: a day's batch goes in before the next day's.
      await flush();
      lastDay = day;
      if (!measuredFirst && written >= firstMark) {
        measuredFirst = true;
        p95First = await measure(short ? 'overview_200k' : 'overview_1m', day);
      }
      if (written >= secondMark) break;
    }
    const p95Second = await measure(short ? 'overview_1m' : 'overview_5m', lastDay);
    const partitions = await db.execute<{ n: number }>(sql`
      SELECT count(*)::int AS n FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'engagement_snapshots'`);
    const rollup = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM engagement_totals`);
    process.stdout.write(
      [
        `snapshots: ${written}`,
        `snapshots_per_s: ${Math.round(written / (insertMs / 1000))}`,
        `partitions: ${partitions.rows[0]?.n ?? 0}`,
        `overview_rollup_rows: ${rollup.rows[0]?.n ?? 0}`,
        `overview_ratio_p95: ${(p95Second / p95First).toFixed(2)}`,
      ].join('\n') + '\n',
    );
  } finally {
    await database.close();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
