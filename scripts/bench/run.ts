// Benchmark dispatcher: `npm run bench -- <scenario> [args]` runs scripts/bench/<scenario>.ts.
// A scenario module exports `run(args: string[]): Promise<void>` (or does its work when
// imported) and ends by printing one `name: value` figure per line.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const scenarios = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run.ts' && !file.endsWith('.d.ts'))
  .map((file) => file.slice(0, -'.ts'.length))
  .sort();

const [name, ...args] = process.argv.slice(2);
const file = name && /^[a-z0-9][a-z0-9-]*$/.test(name) ? path.join(here, `${name}.ts`) : undefined;
if (!file || !existsSync(file)) {
  console.error(`${name ? `Unknown scenario "${name}". ` : ''}Usage: npm run bench -- <scenario>`);
  console.error(`Scenarios: ${scenarios.join(', ') || '(none)'}`);
  process.exit(1);
}

const scenario: unknown = await import(pathToFileURL(file).href);
if (
  typeof scenario === 'object' &&
  scenario !== null &&
  'run' in scenario &&
  typeof scenario.run === 'function'
) {
  await (scenario.run as (args: string[]) => Promise<void>)(args);
}
