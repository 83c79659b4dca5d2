import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ConfigError,
  facebookWwwUrl,
  loadConfig,
  resolvePreviousSecretKeys,
  resolveSecretKey,
} from '../../server/config.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, '/srv/loa');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({}, '/srv/loa');
    assert.equal(config.port, 3000);
    assert.equal(config.role, 'all');
    assert.equal(config.dataDir, '/srv/loa/data');
    assert.equal(config.mediaDir, '/srv/loa/data/media');
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.mockPlatforms.enabled, true);
    assert.equal(config.mockPlatforms.facebookPort, 4010);
    assert.equal(config.mockPlatforms.zaloPort, 4020);
    assert.equal(config.publicUrl, 'http://localhost:3000');
    assert.equal(config.defaultLanguage, 'vi');
    assert.equal(config.timeZone, 'Asia/Ho_Chi_Minh');
    assert.ok(config.platforms.facebookAppSecret, 'mock credentials default when the mocks are on');
    assert.ok(Object.isFrozen(config));
  });

  it('turns the mocks off by default when a real platform URL is set', () => {
    const config = loadConfig({ FACEBOOK_GRAPH_URL: 'https://graph.facebook.com' }, '/srv/loa');
    assert.equal(config.mockPlatforms.enabled, false);
    assert.equal(config.platforms.facebookAppSecret, undefined);
  });

  it('sends people to the Facebook mock for Login while the mocks run, else to www.facebook.com', () => {
    const mocks = loadConfig({}, '/srv/loa');
    assert.equal(mocks.platforms.facebookWwwUrl, undefined);
    assert.equal(facebookWwwUrl(mocks, { facebook: 'http://127.0.0.1:4010' }), 'http://127.0.0.1:4010');
    const real = loadConfig({ FACEBOOK_GRAPH_URL: 'https://graph.facebook.com' }, '/srv/loa');
    assert.equal(facebookWwwUrl(real, null), 'https://www.facebook.com');
    const set = loadConfig({ FACEBOOK_WWW_URL: 'https://fb.example/' }, '/srv/loa');
    assert.equal(facebookWwwUrl(set, { facebook: 'http://127.0.0.1:4010' }), 'https://fb.example');
    assert.match(problemsOf({ FACEBOOK_WWW_URL: 'ftp://x' }).join('\n'), /^FACEBOOK_WWW_URL: /m);
  });

  it('names each bad variable and what is wrong with it', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOA_ROLE: 'boss',
      DATABASE_URL: 'mysql://x',
      LOA_PUBLIC_URL: 'not a url',
    });
    assert.equal(problems.length, 4);
    assert.match(problems.find((p) => p.startsWith('PORT:')) ?? '', /got "eighty"/);
    assert.match(problems.find((p) => p.startsWith('LOA_ROLE:')) ?? '', /web|worker|all/);
    assert.match(problems.find((p) => p.startsWith('DATABASE_URL:')) ?? '', /postgres/);
    assert.ok(problems.some((p) => p.startsWith('LOA_PUBLIC_URL:')));
  });

  it('refuses an admin email without a password, a short password, a bad port range and time zone', () => {
    assert.ok(problemsOf({ LOA_ADMIN_EMAIL: 'a@b.vn' }).some((p) => p.startsWith('LOA_ADMIN_PASSWORD:')));
    assert.ok(
      problemsOf({ LOA_ADMIN_EMAIL: 'a@b.vn', LOA_ADMIN_PASSWORD: 'short' }).some((p) =>
        /at least 10/.test(p),
      ),
    );
    assert.ok(problemsOf({ MOCK_FACEBOOK_PORT: '70000' }).some((p) => p.startsWith('MOCK_FACEBOOK_PORT:')));
    assert.ok(problemsOf({ LOA_TIMEZONE: 'Mars/Olympus' }).some((p) => p.startsWith('LOA_TIMEZONE:')));
    assert.ok(problemsOf({ LOA_MOCK_PLATFORMS: 'maybe' }).some((p) => p.startsWith('LOA_MOCK_PLATFORMS:')));
  });

  it('lower-cases the admin email and strips a trailing slash from the public URL', () => {
    const config = loadConfig(
      {
        LOA_ADMIN_EMAIL: 'Admin@Loa.VN',
        LOA_ADMIN_PASSWORD: 'long enough pw',
        LOA_PUBLIC_URL: 'https://loa.example.vn/',
      },
      '/x',
    );
    assert.equal(config.admin?.email, 'admin@loa.vn');
    assert.equal(config.publicUrl, 'https://loa.example.vn');
  });
});

describe('the secret key file (RELIABILITY S10)', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'loa-key-'));
    dirs.push(dir);
    return dir;
  };
  after(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('is made once, private, and reused', () => {
    const dir = dataDir();
    const key = resolveSecretKey({ dataDir: dir, secretKey: undefined });
    assert.ok(key.length >= 32);
    assert.equal(statSync(path.join(dir, 'secret.key')).mode & 0o777, 0o600);
    assert.equal(resolveSecretKey({ dataDir: dir, secretKey: undefined }), key);
  });

  it('stops the start when others can read it', () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'secret.key'), 'k'.repeat(40), { mode: 0o644 });
    chmodSync(path.join(dir, 'secret.key'), 0o644);
    assert.throws(
      () => resolveSecretKey({ dataDir: dir, secretKey: undefined }),
      (error: Error) =>
        error instanceof ConfigError && /can be read by other users .*chmod 600/.test(error.message),
    );
  });

  it('stops the start when it is too short to be a key', () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'secret.key'), 'short\n', { mode: 0o600 });
    assert.throws(
      () => resolveSecretKey({ dataDir: dir, secretKey: undefined }),
      (error: Error) => error instanceof ConfigError && /at least 32 characters/.test(error.message),
    );
  });

  it('reads the previous keys of a rotation from LOA_SECRET_KEY_PREVIOUS or the data directory', () => {
    const dir = dataDir();
    assert.deepEqual(
      resolvePreviousSecretKeys({ dataDir: dir, secretKey: undefined, previousSecretKeys: [] }),
      [],
    );
    writeFileSync(path.join(dir, 'secret.key.previous'), `${'a'.repeat(32)}\n${'b'.repeat(32)}\n`, {
      mode: 0o600,
    });
    assert.deepEqual(
      resolvePreviousSecretKeys({ dataDir: dir, secretKey: undefined, previousSecretKeys: [] }),
      ['a'.repeat(32), 'b'.repeat(32)],
    );
    const fromEnv = loadConfig({
      LOA_SECRET_KEY: 'c'.repeat(32),
      LOA_SECRET_KEY_PREVIOUS: `${'d'.repeat(32)}, ${'e'.repeat(32)}`,
    });
    assert.deepEqual(resolvePreviousSecretKeys(fromEnv), ['d'.repeat(32), 'e'.repeat(32)]);
    assert.throws(() => loadConfig({ LOA_SECRET_KEY_PREVIOUS: 'short' }), /at least 32 characters/);
  });
});
