// Starts what the settings ask for: the database (embedded unless DATABASE_URL), migrations,
// the mock platforms, the web server and/or the worker (LOA_ROLE), and stops them in order.
// `npm start` (main.ts), `npm run demo` and `npm run seed-demo` all start Loa through here.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import os from 'node:os';
import { createApp } from './app.ts';
import {
  loadConfig,
  resolvePreviousSecretKeys,
  resolveSecretKey,
  ConfigError,
  type Config,
  type Environment,
} from './config.ts';
import { buildContainer, type Container, type MockPlatformUrls } from './container.ts';
import { applyMigrations, connectDatabase } from './db/database.ts';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './db/embedded.ts';
import { connectEnqueueOnly, createAgenda, disconnectEnqueueOnly } from './jobs/agenda.ts';
import { jobDepsFrom, jobRegistry } from './jobs/registry.ts';
import { recurringSchedules } from './jobs/schedules.ts';
import { createLogger, type Logger } from './logger.ts';
import { startMockPlatforms } from './mock-platforms/index.ts';
import { createWorker, type Worker } from './worker.ts';
import type { PlatformUrls } from './publishing/wiring.ts';

export type Stopper = () => Promise<void>;
interface NamedStopper {
  name: string;
  stop: Stopper;
}

/** What a started Loa hands to the command that started it (the demo seeds through it). */
export interface RunningLoa {
  stop: Stopper;
  container: Container;
  /** The in-process mocks' URLs; null when they are off. */
  mockUrls: MockPlatformUrls | null;
}

export interface StartOptions {
  /** Passed to the container: the time the posts module reads (the demo back-dates its campaign). */
  clock?: () => Date;
  /** Runs once the container exists, before the worker takes any job (the demo reconnects its channels). */
  beforeWorker?: (running: Omit<RunningLoa, 'stop'>) => Promise<void>;
}

export async function startLoa(
  config: Readonly<Config>,
  logger: Logger,
  options: StartOptions = {},
): Promise<RunningLoa> {
  const stoppers: NamedStopper[] = []; // run in reverse order
  const stopAll: Stopper = async () => {
    for (const { name, stop } of stoppers.reverse()) {
      logger.debug({ part: name }, 'stopping part');
      await stop().catch((error: Error) => logger.error({ err: error, part: name }, 'stop failed'));
    }
  };
  try {
    let url = config.databaseUrl;
    if (!url) {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({ dataDir: config.dataDir, logger });
      stoppers.push({ name: 'embedded database', stop: () => embedded.stop() });
      url = embedded.url;
    }
    await applyMigrations(url, logger);
    const database = connectDatabase(url, logger, { max: config.dbPoolSize });
    stoppers.push({ name: 'database pool', stop: () => database.close() });

    let mockUrls: MockPlatformUrls | null = null;
    let platformUrls: PlatformUrls | null = null;
    if (config.mockPlatforms.enabled) {
      const p = config.platforms;
      const mocks = await startMockPlatforms({
        facebookPort: config.mockPlatforms.facebookPort,
        zaloPort: config.mockPlatforms.zaloPort,
        seed: config.mockPlatforms.seed,
        logger: logger.child({ component: 'mock-platforms' }),
        credentials: {
          facebookAppId: p.facebookAppId ?? '',
          facebookAppSecret: p.facebookAppSecret ?? '',
          facebookVerifyToken: p.facebookVerifyToken ?? '',
          zaloAppId: p.zaloAppId ?? '',
          zaloAppSecret: p.zaloAppSecret ?? '',
          zaloOaSecretKey: p.zaloOaSecretKey ?? '',
        },
      });
      stoppers.push({ name: 'mock platforms', stop: () => mocks.close() });
      mockUrls = { facebook: mocks.facebookUrl, zalo: mocks.zaloOpenApiUrl };
      platformUrls = {
        facebookGraphUrl: mocks.facebookUrl,
        zaloOpenApiUrl: mocks.zaloOpenApiUrl,
        zaloOAuthUrl: mocks.zaloOAuthUrl,
      };
      logger.info(mockUrls, 'mock platforms started');
    }

    const container = buildContainer({
      config,
      database,
      logger,
      secretKey: resolveSecretKey(config),
      mockPlatforms: mockUrls,
      platformUrls,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    // A bad built-in template or card layout stops start-up here, naming the file; the first card render is paid now.
    await container.templates.start();
    // Tokens still in an older format or under a key being rotated away from are re-encrypted
    // under the current key before anything uses them (cheap when there is nothing to do).
    const tokens = await container.tokenRotation.reencryptAll();
    if (tokens.rewritten > 0)
      logger.info(
        { rewritten: tokens.rewritten, total: tokens.total },
        'stored tokens re-encrypted under the current key',
      );
    if (tokens.unreadable.length > 0)
      logger.warn(
        { rows: tokens.unreadable },
        'stored tokens that no key opens were left as they are: those channels must be reconnected',
      );
    if (config.admin) {
      const created = await container.users.ensureInitialAdmin(config.admin.email, config.admin.password);
      if (created) logger.info({ email: created.email }, 'initial admin created');
    }

    await options.beforeWorker?.({ container, mockUrls });

    if (config.role !== 'web') {
      const workerId = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
      const worker: Worker = createWorker({
        pool: database.pool,
        workerId,
        jobs: jobRegistry(
          jobDepsFrom(container, {
            workerId: workerId,
            publishConcurrency: config.worker.concurrency,
            publishCapacity: config.worker.publishCapacity,
          }),
        ),
        schedules: recurringSchedules({ heartbeatSeconds: config.worker.heartbeatSeconds }),
        pollMs: config.worker.pollMs,
        concurrency: config.worker.concurrency,
        logger,
      });
      container.queue.attach(worker.handle);
      await worker.start();
      stoppers.push({ name: 'worker', stop: () => worker.stop(30_000) });
    } else {
      const enqueuer = createAgenda({
        pool: database.pool,
        name: 'web',
        pollMs: config.worker.pollMs,
        concurrency: 1,
        logger,
      });
      await connectEnqueueOnly(enqueuer);
      container.queue.attach(enqueuer);
      stoppers.push({ name: 'job enqueuer', stop: () => disconnectEnqueueOnly(enqueuer) });
    }

    if (config.role !== 'worker') {
      const app = createApp(container);
      const server: Server = await new Promise((resolve, reject) => {
        const s = app.listen(config.port, config.host, () => resolve(s));
        s.once('error', reject);
      });
      stoppers.push({
        name: 'web server',
        stop: async () => {
          await new Promise<void>((resolve) => server.close(() => resolve()));
          await (app.locals.closeSessionStore as () => Promise<void>)();
        },
      });
      if (mockUrls) await registerMockWebhooks(mockUrls, config.port, logger);
      logger.info({ url: config.publicUrl, role: config.role }, 'Loa is ready');
    }
    return { stop: stopAll, container, mockUrls };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * A command's life: settings (a bad one stops it with the variable's name), start, then Ctrl-C
 * or SIGTERM stops everything in reverse order. `env` overrides the environment's defaults.
 */
export async function runLoa(
  run: (config: Readonly<Config>, logger: Logger) => Promise<Stopper>,
  env: Environment = process.env,
): Promise<void> {
  let config: Readonly<Config>;
  try {
    config = loadConfig(env);
    // A key file others can read, or a broken one, stops the start here with its reason.
    resolveSecretKey(config);
    resolvePreviousSecretKeys(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Loa cannot start. ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let stopping = false;
  let stop: Stopper | undefined;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (stop ? stop() : Promise.resolve()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  try {
    stop = await run(config, logger);
    if (stopping) {
      await stop();
      process.exit(0);
    }
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    process.exit(1);
  }
}

/**
 * The in-process mocks deliver their webhooks to this Loa (as a Page's app subscription and an
 * OA's webhook URL would on the real platforms). A refusal is logged, never fatal: collection
 * runs on its schedule without webhooks.
 */
async function registerMockWebhooks(mocks: MockPlatformUrls, port: number, logger: Logger): Promise<void> {
  const base = `http://127.0.0.1:${port}/api/v1/webhooks`;
  const targets = [
    { url: `${mocks.facebook}/_mock/webhooks`, body: { url: `${base}/facebook` } },
    { url: `${mocks.zalo}/_mock/webhooks`, body: { url: `${base}/zalo` } },
  ];
  for (const target of targets) {
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(target.body),
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) logger.warn({ url: target.url, status: res.status }, 'mock webhook not registered');
    } catch (error) {
      logger.warn({ err: error, url: target.url }, 'mock webhook not registered');
    }
  }
}
