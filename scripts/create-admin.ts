// npm run create-admin [-- --email a@b.vn --name "Tên" --password "..."]
// Prompts for whatever is not given (the password without echo); flags alone suit scripts.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline/promises';
import { SYSTEM_ACTOR } from '../server/auth/actor.ts';
import { buildContainer } from '../server/container.ts';
import { AppError } from '../server/errors.ts';
import { createLogger } from '../server/logger.ts';
import { createUserSchema } from '../server/users/users.schemas.ts';
import { withDatabase } from './support/database.ts';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
});

async function ask(question: string, hidden = false): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error(`Missing --${question.split(' ')[0]?.toLowerCase()} (no terminal to ask)`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  if (hidden) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
      write(s.includes(question) ? s : '');
  }
  const answer = await rl.question(`${question}: `);
  rl.close();
  if (hidden) process.stdout.write('\n');
  return answer.trim();
}

const email = values.email ?? (await ask('Email'));
const name = values.name ?? (await ask('Name (họ tên)'));
const password = values.password ?? (await ask('Password (at least 10 characters)', true));

const input = createUserSchema.safeParse({ email, name, password, role: 'admin' });
if (!input.success) {
  console.error(
    `Could not create the admin: ${input.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
  );
  process.exit(1);
}

await withDatabase(async (database, config) => {
  const c = buildContainer({
    config,
    database,
    logger: createLogger('warn'),
    secretKey: 'unused-by-create-admin-000000000000',
  });
  try {
    const user = await c.users.createUser(SYSTEM_ACTOR, {
      email: email.toLowerCase(),
      name: name.normalize('NFC'),
      password,
      role: 'admin',
    });
    console.log(`Admin created: ${user.email}`);
    return 0;
  } catch (error) {
    if (error instanceof AppError) {
      const details = Array.isArray(error.details)
        ? error.details.map((d: { path: string; message: string }) => `${d.path}: ${d.message}`).join('; ')
        : '';
      console.error(`Could not create the admin: ${error.message}${details ? ` (${details})` : ''}`);
      return 1;
    }
    throw error;
  }
});
