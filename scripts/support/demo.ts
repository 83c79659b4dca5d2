// What `npm run demo` and `npm run seed-demo` share: the demo's own data directory, its
// passwords (made at the first seed, kept beside the database, printed), and the printout.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, Environment } from '../../server/config.ts';
import type { DemoLogin, DemoPasswords, SeedResult } from '../../server/demo/seed-demo.ts';

export const MEDIA_ROOT = path.resolve(import.meta.dirname, '..', '..', 'media');
const LOGINS_FILE = 'demo-logins.json';

/** The demo lives in data/demo unless LOA_DATA_DIR says otherwise: `npm start`'s data stays apart. */
export function demoEnvironment(env: Environment = process.env): Environment {
  return { ...env, LOA_DATA_DIR: env.LOA_DATA_DIR ?? path.join('data', 'demo') };
}

/** Fresh passwords for a first seed: nothing is built into the app. */
export function newPasswords(): DemoPasswords {
  const word = () => randomBytes(9).toString('base64url');
  return { admin: word(), editor: word(), reviewer: word(), member: word() };
}

export function savePasswords(config: Readonly<Config>, passwords: DemoPasswords): void {
  mkdirSync(config.dataDir, { recursive: true });
  const file = path.join(config.dataDir, LOGINS_FILE);
  writeFileSync(file, `${JSON.stringify(passwords, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
}

export function savedPasswords(config: Readonly<Config>): DemoPasswords | null {
  const file = path.join(config.dataDir, LOGINS_FILE);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as DemoPasswords;
}

/**
 * `--reset`: the demo's embedded database and files are deleted before the start. Refused on an
 * external database, and on a data directory the demo did not make (no logins file in it).
 */
export function resetDemoData(config: Readonly<Config>): string | null {
  if (config.databaseUrl) return 'With DATABASE_URL set, --reset is refused: empty that database yourself.';
  if (!existsSync(config.dataDir)) return null;
  if (!existsSync(path.join(config.dataDir, LOGINS_FILE)))
    return `${config.dataDir} was not made by the demo (no ${LOGINS_FILE}): not deleted.`;
  rmSync(config.dataDir, { recursive: true, force: true });
  return null;
}

function passwordFor(login: DemoLogin, passwords: DemoPasswords | null): string {
  if (!passwords) return '(printed at the first seed)';
  return login.role === 'admin'
    ? passwords.admin
    : login.role === 'editor'
      ? passwords.editor
      : login.role === 'reviewer'
        ? passwords.reviewer
        : passwords.member;
}

export function printDemo(
  result: SeedResult,
  config: Readonly<Config>,
  passwords: DemoPasswords | null,
  out: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): void {
  out('');
  if (result.created) {
    const s = result.summary;
    out(
      `Demo made: ${s.province} with ${s.communes} communes, ${s.staff} staff, ${s.members} consenting members.`,
    );
    out(`  ${s.channels} channels on the mock platforms (Facebook Pages and Zalo OAs).`);
    out(
      `  Campaign "${s.campaign}": ${s.posts.published} posts published (${s.publications} publications), ` +
        `${s.posts.scheduled} scheduled, ${s.posts.in_review} in review, ${s.posts.draft} drafts.`,
    );
    out(
      `  ${s.memberShares} member shares, ${s.clicks} tracked-link clicks, ${s.snapshots} engagement snapshots collected.`,
    );
  } else {
    out('The demo exists already: nothing was changed (npm run demo -- --reset starts it afresh).');
  }
  out('');
  out(`Sign in at ${config.publicUrl}/login:`);
  const staff = result.logins.filter((l) => l.role !== 'member');
  for (const login of staff)
    out(
      `  ${login.role.padEnd(8)} ${login.email.padEnd(28)} ${passwordFor(login, passwords)}  ${login.name}, ${login.unit ?? 'no unit'}`,
    );
  const members = result.logins.filter((l) => l.role === 'member');
  const first = members[0];
  if (first)
    out(
      `  member   ${first.email} … ${members[members.length - 1]?.email ?? ''} (${members.length}), password ${passwordFor(first, passwords)}`,
    );
  out('');
}
