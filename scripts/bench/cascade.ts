// `npm run bench -- cascade [--units N]`: a province hands one approved warning down to its
// communes (default 300, the size of a large province; each with a Facebook Page and a Zalo OA
// on the mock platforms), on an embedded PostgreSQL of its own. Measures the cascade (one draft
// per commune, re-filled from its profile, with its own card) against rendering the same cards
// alone, in the same run, with the same number in flight and an empty card cache each time.
// Ends with `name: value` lines: cascade_ms, drafts_per_s, cards_alone_ms, ratio_vs_cards
// (= cards_alone_ms / cascade_ms; 1 would mean the cascade costs nothing beyond its cards).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq, inArray } from 'drizzle-orm';
import { SYSTEM_ACTOR, type Actor } from '../../server/auth/actor.ts';
import { loadConfig } from '../../server/config.ts';
import { buildContainer } from '../../server/container.ts';
import { applyMigrations, connectDatabase } from '../../server/db/database.ts';
import { startEmbeddedPostgres } from '../../server/db/embedded.ts';
import { channels, posts } from '../../server/db/schema.ts';
import { createLogger } from '../../server/logger.ts';
import { startMockPlatforms } from '../../server/mock-platforms/index.ts';
import { createRenderer } from '../../server/rendering/index.ts';
import { createTemplatesRepo } from '../../server/templates/templates.repo.ts';
import { createTemplatesService } from '../../server/templates/templates.service.ts';

const SECRET = 'bench-secret-key-that-is-long-enough-0000';
const PUBLIC_URL = 'https://loa.example.vn';
const TEMPLATE = 'dau-tu-tien-ao';
/** Cards in flight, in the cascade and in the cards-alone baseline alike. */
const IN_FLIGHT = 2;
const logger = createLogger('warn');

async function control<T>(base: string, route: string, body: unknown): Promise<T> {
  const res = await fetch(`${base}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Runs `task` over `items`, `limit` at a time. */
async function inBatches<T>(items: T[], limit: number, task: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += limit) await Promise.all(items.slice(i, i + limit).map(task));
}

const phone = (i: number) =>
  `0235 37${String(Math.floor(i / 100)).padStart(2, '0')} ${String(i % 100).padStart(3, '0')}`;

export async function run(args: string[]): Promise<void> {
  const unitsArg = args.indexOf('--units');
  const count = unitsArg >= 0 ? Number(args[unitsArg + 1]) : 300;
  if (!(Number.isInteger(count) && count > 0 && count <= 2000)) throw new Error('--units must be 1–2000');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'loa-bench-cascade-'));
  const embedded = await startEmbeddedPostgres({ dataDir, database: 'loa_bench', logger });
  const mocks = await startMockPlatforms({
    facebookPort: 0,
    zaloPort: 0,
    seed: 1,
    credentials: {
      facebookAppId: '100000000000001',
      facebookAppSecret: 'mock-facebook-app-secret',
      facebookVerifyToken: 'mock-facebook-verify-token',
      zaloAppId: '200000000000002',
      zaloAppSecret: 'mock-zalo-app-secret',
      zaloOaSecretKey: 'mock-zalo-oa-secret-key',
    },
  });
  const figures: Record<string, string | number> = {};
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await applyMigrations(embedded.url, logger);
    const database = connectDatabase(embedded.url, logger, { max: 20 });
    cleanups.push(() => database.close());
    const config = loadConfig({
      NODE_ENV: 'production',
      LOA_DATA_DIR: dataDir,
      LOA_MOCK_PLATFORMS: 'off',
      LOA_LOG_LEVEL: 'warn',
      LOA_PUBLIC_URL: PUBLIC_URL,
    });
    const c = buildContainer({
      config,
      database,
      logger,
      secretKey: SECRET,
      platformUrls: {
        facebookGraphUrl: mocks.facebookUrl,
        zaloOpenApiUrl: mocks.zaloOpenApiUrl,
        zaloOAuthUrl: mocks.zaloOAuthUrl,
      },
    });
    await c.templates.start();
    const { db } = database;

    // The province, its communes (each with its own hotline and area), a Page and an OA each.
    let setup = performance.now();
    const province = await c.users.createUnit(SYSTEM_ACTOR, {
      name: 'Công an tỉnh Quảng Nam',
      profile: { hotline: '0235 3822 123', area: 'tỉnh Quảng Nam' },
    });
    const communes: Awaited<ReturnType<typeof c.users.createUnit>>[] = [];
    for (let i = 0; i < count; i++) {
      communes.push(
        await c.users.createUnit(SYSTEM_ACTOR, {
          name: `Công an xã số ${i + 1}`,
          parentId: province.id,
          profile: { hotline: phone(i), area: `xã số ${i + 1}` },
        }),
      );
    }
    await inBatches(communes, 20, async (unit) => {
      const page = await control<{ id: string; access_token: string }>(mocks.facebookUrl, '/_mock/pages', {
        name: unit.name,
      });
      const oa = await control<{ oa_id: string; access_token: string; refresh_token: string }>(
        mocks.zaloOpenApiUrl,
        '/_mock/oas',
        { name: `${unit.name} OA` },
      );
      const rows = [
        await c.channels.connect(SYSTEM_ACTOR, {
          platform: 'facebook',
          externalId: page.id,
          accessToken: page.access_token,
        }),
        await c.channels.connect(SYSTEM_ACTOR, {
          platform: 'zalo',
          externalId: oa.oa_id,
          accessToken: oa.access_token,
          refreshToken: oa.refresh_token,
        }),
      ];
      // Channel connection does not take a unit yet; the channel belongs to the commune.
      await db
        .update(channels)
        .set({ unitId: unit.id })
        .where(
          inArray(
            channels.id,
            rows.map((r) => r.id),
          ),
        );
    });
    const people = async (role: 'editor' | 'reviewer', email: string) => {
      const user = await c.users.createUser(SYSTEM_ACTOR, {
        email,
        name: role,
        password: 'bench-password-long',
        role,
        unitId: province.id,
      });
      return { ...user, via: 'token', ip: null, scope: null } satisfies Actor;
    };
    const editor = await people('editor', 'editor@loa.test');
    const reviewer = await people('reviewer', 'reviewer@loa.test');
    for (const unit of communes.slice(0, 50)) {
      await c.users.createUser(SYSTEM_ACTOR, {
        email: `editor-${unit.id}@loa.test`,
        name: 'Biên tập xã',
        password: 'bench-password-long',
        role: 'editor',
        unitId: unit.id,
      });
    }
    const parent = await c.posts.createPost(editor, {
      templateId: TEMPLATE,
      variables: { date: '2026-12-01' },
      withCard: true,
      channelIds: [],
      scheduledAt: new Date(Date.now() + 86_400_000),
    });
    // Approved (its own publications are not what is measured here).
    await db.update(posts).set({ status: 'scheduled' }).where(eq(posts.id, parent.id));
    figures.setup_s = ((performance.now() - setup) / 1000).toFixed(1);

    // The same cards alone: a second templates service whose renderer has an empty cache.
    const aloneCache = path.join(dataDir, 'alone-cards');
    const alone = createTemplatesService({
      db,
      repo: createTemplatesRepo(db),
      renderer: createRenderer({ cacheDir: aloneCache }),
      audit: c.auditLog.record,
      backgroundImage: async () => null,
      settings: { mediaDir: dataDir, cacheDir: aloneCache, publicUrl: PUBLIC_URL, timeZone: config.timeZone },
    });
    await alone.start();
    const profiles = await c.units.forRender(communes.map((u) => u.id));
    setup = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < communes.length) {
          const unit = profiles.get(communes[next++]!.id)!;
          await alone.renderPost({
            templateId: TEMPLATE,
            variables: {
              ...parent.variables,
              unitName: unit.values.name,
              hotline: unit.values.hotline ?? '',
              area: unit.values.area ?? '',
            },
            withCard: true,
            unit,
          });
        }
      }),
    );
    const cardsMs = performance.now() - setup;

    const started = performance.now();
    const result = await c.cascade.cascade(reviewer, parent.id, {});
    const cascadeMs = performance.now() - started;
    const drafts = await db
      .select({ id: posts.id, card: posts.card })
      .from(posts)
      .where(eq(posts.parentPostId, parent.id));
    if (result.items.length !== count || drafts.length !== count || drafts.some((d) => !d.card)) {
      throw new Error(
        `expected ${count} drafts with cards, got ${result.items.length} (${drafts.length} stored)`,
      );
    }
    const again = performance.now();
    const second = await c.cascade.cascade(reviewer, parent.id, {});
    const secondMs = performance.now() - again;

    Object.assign(figures, {
      units: count,
      cards_in_flight: IN_FLIGHT,
      cards_alone_ms: Math.round(cardsMs),
      cascade_ms: Math.round(cascadeMs),
      drafts_per_s: (count / (cascadeMs / 1000)).toFixed(1),
      ratio_vs_cards: (cardsMs / cascadeMs).toFixed(2),
      second_cascade_ms: Math.round(secondMs),
      second_cascade_created: second.items.length,
    });
  } catch (error) {
    console.error('bench failed:', error);
    process.exitCode = 1;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await mocks.close();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
    for (const [name, value] of Object.entries(figures)) console.log(`${name}: ${value}`);
  }
}
