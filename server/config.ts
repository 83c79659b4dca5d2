// Every setting Loa reads, parsed once from the environment with one zod schema.
// Nothing else in the codebase reads process.env.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const MOCK_DEFAULTS = {
  FACEBOOK_APP_ID: '100000000000001',
  FACEBOOK_APP_SECRET: 'mock-facebook-app-secret',
  FACEBOOK_VERIFY_TOKEN: 'mock-facebook-verify-token',
  ZALO_APP_ID: '200000000000002',
  ZALO_APP_SECRET: 'mock-zalo-app-secret',
  ZALO_OA_SECRET_KEY: 'mock-zalo-oa-secret-key',
} as const;

const REAL_FACEBOOK_WWW_URL = 'https://www.facebook.com';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();
const optionalUrl = optionalText.pipe(z.url({ protocol: /^https?$/ }).optional());
const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0'])
  .transform((v) => ['on', 'true', '1'].includes(v));
const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: port(3000),
    HOST: z.string().default('0.0.0.0'),
    DATABASE_URL: optionalText.pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
        .optional(),
    ),
    LOA_DATA_DIR: z.string().min(1).default('./data'),
    LOA_MEDIA_DIR: optionalText,
    LOA_ROLE: z.enum(['web', 'worker', 'all']).default('all'),
    LOA_ADMIN_EMAIL: optionalText.pipe(z.email().optional()),
    LOA_ADMIN_PASSWORD: optionalText.pipe(z.string().min(10, 'must be at least 10 characters').optional()),
    LOA_MOCK_PLATFORMS: onOff.optional(),
    MOCK_FACEBOOK_PORT: port(4010),
    MOCK_ZALO_PORT: port(4020),
    MOCK_SEED: z.coerce.number().int().default(42),
    FACEBOOK_GRAPH_URL: optionalUrl,
    ZALO_OPENAPI_URL: optionalUrl,
    ZALO_OAUTH_URL: optionalUrl,
    FACEBOOK_WWW_URL: optionalUrl,
    FACEBOOK_APP_ID: optionalText,
    FACEBOOK_APP_SECRET: optionalText,
    FACEBOOK_VERIFY_TOKEN: optionalText,
    ZALO_APP_ID: optionalText,
    ZALO_APP_SECRET: optionalText,
    ZALO_OA_SECRET_KEY: optionalText,
    LOA_PUBLIC_URL: optionalUrl,
    LOA_SECRET_KEY: optionalText.pipe(z.string().min(32, 'must be at least 32 characters').optional()),
    // Keys being rotated away from (comma-separated): still open the tokens they encrypted until
    // `npm run rotate-key` has re-encrypted them under LOA_SECRET_KEY.
    // GET /metrics is served only when this is set, to requests bearing it.
    LOA_METRICS_TOKEN: optionalText.pipe(z.string().min(16, 'must be at least 16 characters').optional()),
    LOA_SECRET_KEY_PREVIOUS: optionalText.pipe(
      z
        .string()
        .transform((v) => v.split(',').map((k) => k.trim()))
        .pipe(z.array(z.string().min(32, 'every previous key must be at least 32 characters')))
        .optional(),
    ),
    LOA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOA_DEFAULT_LANGUAGE: z.enum(['vi', 'en']).default('vi'),
    LOA_TIMEZONE: z.string().default('Asia/Ho_Chi_Minh'),
    LOA_REQUIRE_APPROVAL: onOff.default(true),
    LOA_API_TOKEN_TTL_DAYS: positiveInt(30),
    LOA_SESSION_TTL_HOURS: positiveInt(12),
    LOA_LOGIN_MAX_PER_ACCOUNT: positiveInt(5),
    LOA_LOGIN_MAX_PER_IP: positiveInt(30),
    LOA_LOGIN_WINDOW_SECONDS: positiveInt(900),
    LOA_UPLOAD_MAX_BYTES: positiveInt(10 * 1024 * 1024),
    LOA_UPLOAD_MAX_PIXELS: positiveInt(40_000_000),
    LOA_WORKER_CONCURRENCY: positiveInt(50),
    LOA_DB_POOL_SIZE: positiveInt(30),
    LOA_WORKER_POLL_MS: positiveInt(1000),
    LOA_PUBLISH_CAPACITY: positiveInt(200),
    LOA_ENGAGEMENT_OFFSETS_MINUTES: z
      .string()
      .regex(/^\d+(,\d+)*$/, 'comma-separated minutes, e.g. 15,60,360')
      .default('15,60,360,1440,4320,10080'),
    LOA_ENGAGEMENT_HORIZON_DAYS: positiveInt(90),
    LOA_ENGAGEMENT_BATCH: positiveInt(50),
    LOA_ENGAGEMENT_METRICS: z.string().min(1).default('post_media_view,post_clicks'),
    LOA_ENGAGEMENT_SLOW_AT_PERCENT: positiveInt(80),
    LOA_ENGAGEMENT_STOP_AT_PERCENT: positiveInt(95),
    LOA_ENGAGEMENT_RETENTION_DAYS: positiveInt(90),
    LOA_HEARTBEAT_SECONDS: positiveInt(15),
    LOA_SECURE_COOKIES: onOff.optional(),
    LOA_STRICT_RESPONSES: onOff.optional(),
  })
  .superRefine((env, ctx) => {
    if (Boolean(env.LOA_ADMIN_EMAIL) !== Boolean(env.LOA_ADMIN_PASSWORD)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.LOA_ADMIN_EMAIL ? 'LOA_ADMIN_PASSWORD' : 'LOA_ADMIN_EMAIL'],
        message: 'LOA_ADMIN_EMAIL and LOA_ADMIN_PASSWORD must be set together',
      });
    }
    if (env.LOA_TIMEZONE && !isValidTimeZone(env.LOA_TIMEZONE)) {
      ctx.addIssue({ code: 'custom', path: ['LOA_TIMEZONE'], message: 'is not an IANA time zone' });
    }
  });

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Role = 'web' | 'worker' | 'all';

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  mediaDir: string;
  role: Role;
  admin: { email: string; password: string } | undefined;
  mockPlatforms: {
    enabled: boolean;
    facebookPort: number;
    zaloPort: number;
    seed: number;
  };
  platforms: {
    facebookGraphUrl: string | undefined;
    zaloOpenApiUrl: string | undefined;
    zaloOAuthUrl: string | undefined;
    /**
     * Where a person's browser is sent for Facebook Login and the Share Dialog. Undefined while
     * Loa runs the mocks and FACEBOOK_WWW_URL is unset: the mock's URL is only known once it
     * listens, so `facebookWwwUrl()` fills it in.
     */
    facebookWwwUrl: string | undefined;
    facebookAppId: string | undefined;
    facebookAppSecret: string | undefined;
    facebookVerifyToken: string | undefined;
    zaloAppId: string | undefined;
    zaloAppSecret: string | undefined;
    zaloOaSecretKey: string | undefined;
  };
  publicUrl: string;
  secretKey: string | undefined;
  previousSecretKeys: readonly string[];
  metricsToken: string | undefined;
  logLevel: string;
  defaultLanguage: 'vi' | 'en';
  timeZone: string;
  requireApproval: boolean;
  apiTokenTtlDays: number;
  sessionTtlHours: number;
  login: { maxPerAccount: number; maxPerIp: number; windowSeconds: number };
  upload: { maxBytes: number; maxPixels: number };
  worker: { concurrency: number; pollMs: number; heartbeatSeconds: number; publishCapacity: number };
  engagement: {
    offsetsMinutes: number[];
    horizonDays: number;
    batchSize: number;
    metrics: string[];
    slowAtPercent: number;
    stopAtPercent: number;
    retentionDays: number;
  };
  dbPoolSize: number;
  secureCookies: boolean;
  /**
   * An API response carrying a field its declared schema lacks: refused (`strict`, a 500) or left
   * out (`strip`). LOA_STRICT_RESPONSES; default strict under NODE_ENV=test, strip otherwise.
   */
  responses: 'strict' | 'strip';
  version: string;
}

export type Environment = Record<string, string | undefined>;

/** Parses settings; throws ConfigError naming every bad variable and what is wrong with it. */
export function loadConfig(env: Environment = process.env, cwd = process.cwd()): Readonly<Config> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'settings');
        const got = typeof issue.path[0] === 'string' ? env[issue.path[0]] : undefined;
        return `${name}: ${issue.message}${got !== undefined ? ` (got "${got}")` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const realUrlsSet = Boolean(e.FACEBOOK_GRAPH_URL || e.ZALO_OPENAPI_URL || e.ZALO_OAUTH_URL);
  const mocksEnabled = e.LOA_MOCK_PLATFORMS ?? !realUrlsSet;
  const credential = (name: keyof typeof MOCK_DEFAULTS) =>
    e[name] ?? (mocksEnabled || !realUrlsSet ? MOCK_DEFAULTS[name] : undefined);
  const dataDir = path.resolve(cwd, e.LOA_DATA_DIR);

  const config: Config = {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    mediaDir: e.LOA_MEDIA_DIR ? path.resolve(cwd, e.LOA_MEDIA_DIR) : path.join(dataDir, 'media'),
    role: e.LOA_ROLE,
    admin:
      e.LOA_ADMIN_EMAIL && e.LOA_ADMIN_PASSWORD
        ? { email: e.LOA_ADMIN_EMAIL.toLowerCase(), password: e.LOA_ADMIN_PASSWORD }
        : undefined,
    mockPlatforms: {
      enabled: mocksEnabled,
      facebookPort: e.MOCK_FACEBOOK_PORT,
      zaloPort: e.MOCK_ZALO_PORT,
      seed: e.MOCK_SEED,
    },
    platforms: {
      facebookGraphUrl: e.FACEBOOK_GRAPH_URL,
      zaloOpenApiUrl: e.ZALO_OPENAPI_URL,
      zaloOAuthUrl: e.ZALO_OAUTH_URL,
      facebookWwwUrl: e.FACEBOOK_WWW_URL ?? (mocksEnabled ? undefined : REAL_FACEBOOK_WWW_URL),
      facebookAppId: credential('FACEBOOK_APP_ID'),
      facebookAppSecret: credential('FACEBOOK_APP_SECRET'),
      facebookVerifyToken: credential('FACEBOOK_VERIFY_TOKEN'),
      zaloAppId: credential('ZALO_APP_ID'),
      zaloAppSecret: credential('ZALO_APP_SECRET'),
      zaloOaSecretKey: credential('ZALO_OA_SECRET_KEY'),
    },
    publicUrl: (e.LOA_PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    secretKey: e.LOA_SECRET_KEY,
    previousSecretKeys: e.LOA_SECRET_KEY_PREVIOUS ?? [],
    metricsToken: e.LOA_METRICS_TOKEN,
    logLevel: e.LOA_LOG_LEVEL,
    defaultLanguage: e.LOA_DEFAULT_LANGUAGE,
    timeZone: e.LOA_TIMEZONE,
    requireApproval: e.LOA_REQUIRE_APPROVAL,
    apiTokenTtlDays: e.LOA_API_TOKEN_TTL_DAYS,
    sessionTtlHours: e.LOA_SESSION_TTL_HOURS,
    login: {
      maxPerAccount: e.LOA_LOGIN_MAX_PER_ACCOUNT,
      maxPerIp: e.LOA_LOGIN_MAX_PER_IP,
      windowSeconds: e.LOA_LOGIN_WINDOW_SECONDS,
    },
    upload: { maxBytes: e.LOA_UPLOAD_MAX_BYTES, maxPixels: e.LOA_UPLOAD_MAX_PIXELS },
    worker: {
      concurrency: e.LOA_WORKER_CONCURRENCY,
      pollMs: e.LOA_WORKER_POLL_MS,
      heartbeatSeconds: e.LOA_HEARTBEAT_SECONDS,
      publishCapacity: e.LOA_PUBLISH_CAPACITY,
    },
    engagement: {
      offsetsMinutes: e.LOA_ENGAGEMENT_OFFSETS_MINUTES.split(',').map(Number),
      horizonDays: e.LOA_ENGAGEMENT_HORIZON_DAYS,
      batchSize: Math.min(50, e.LOA_ENGAGEMENT_BATCH),
      metrics: e.LOA_ENGAGEMENT_METRICS.split(',')
        .map((m) => m.trim())
        .filter(Boolean),
      slowAtPercent: e.LOA_ENGAGEMENT_SLOW_AT_PERCENT,
      stopAtPercent: e.LOA_ENGAGEMENT_STOP_AT_PERCENT,
      retentionDays: e.LOA_ENGAGEMENT_RETENTION_DAYS,
    },
    dbPoolSize: e.LOA_DB_POOL_SIZE,
    secureCookies: e.LOA_SECURE_COOKIES ?? false,
    responses: (e.LOA_STRICT_RESPONSES ?? e.NODE_ENV === 'test') ? 'strict' : 'strip',
    version: readVersion(),
  };
  return Object.freeze(config);
}

/**
 * The Facebook "www" base (Login dialog, Share Dialog), without a trailing slash: FACEBOOK_WWW_URL,
 * else the running Facebook mock's URL, else the real https://www.facebook.com.
 */
export function facebookWwwUrl(
  config: Pick<Config, 'platforms'>,
  mockPlatforms: { facebook: string } | null | undefined,
): string {
  const url = config.platforms.facebookWwwUrl ?? mockPlatforms?.facebook ?? REAL_FACEBOOK_WWW_URL;
  return url.replace(/\/+$/, '');
}

function readVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  const parsed = z.object({ version: z.string() }).safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data.version : '0.0.0';
}

/**
 * The key that signs sessions and encrypts platform tokens at rest: LOA_SECRET_KEY if set,
 * otherwise generated once into the data directory and reused by every later start. A key file
 * that others can read, or one too short to be a key, stops the start: reusing it silently would
 * leave every token as weak as that file.
 */
export function resolveSecretKey(config: Pick<Config, 'secretKey' | 'dataDir'>): string {
  if (config.secretKey) return config.secretKey;
  const file = path.join(config.dataDir, SECRET_KEY_FILE);
  if (existsSync(file)) return readKeyFile(file)[0]!;
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readKeyFile(file)[0]!;
    throw error;
  }
}

export const SECRET_KEY_FILE = 'secret.key';
/** Keys rotated away from by `npm run rotate-key`, one a line, while their tokens are re-encrypted. */
export const PREVIOUS_KEYS_FILE = 'secret.key.previous';

/** The keys that still open older tokens: LOA_SECRET_KEY_PREVIOUS, or the data directory's file. */
export function resolvePreviousSecretKeys(
  config: Pick<Config, 'secretKey' | 'previousSecretKeys' | 'dataDir'>,
): string[] {
  if (config.secretKey) return [...config.previousSecretKeys];
  const file = path.join(config.dataDir, PREVIOUS_KEYS_FILE);
  return existsSync(file) ? readKeyFile(file) : [];
}

function readKeyFile(file: string): string[] {
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new ConfigError([
      `${file} can be read by other users (mode ${mode.toString(8)}); make it private: chmod 600 ${file}`,
    ]);
  }
  const keys = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  if (keys.length === 0 || keys.some((key) => key.length < 32)) {
    throw new ConfigError([
      `${file} does not hold a key of at least 32 characters; restore the right file, or remove it to make a new key (stored platform tokens then have to be reconnected)`,
    ]);
  }
  return keys;
}

/** The process-level switch that test runs and CI set; read here so nothing else touches process.env. */
export function isCi(env: Environment = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}
