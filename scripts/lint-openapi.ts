// `npm run lint:openapi`: writes the OpenAPI document the routes generate to a temporary file
// and lints it with Redocly CLI (config: redocly.yaml, which fails on errors and on operations
// without an operationId). Exits with redocly's status. `npm run check` runs it, and so does
// test/integration/system/openapi-lint.test.ts inside `npm test`.
// The document is built from the route declarations alone: the database handle is never
// queried (pg connects lazily), so this needs no running PostgreSQL.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRoutes } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { buildContainer } from '../server/container.ts';
import { connectDatabase } from '../server/db/database.ts';
import { openApiDocument } from '../server/http/api-route.ts';
import { createLogger } from '../server/logger.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'loa-openapi-'));
const logger = createLogger('silent');
const config = loadConfig({
  NODE_ENV: 'production',
  LOA_DATA_DIR: dir,
  LOA_MOCK_PLATFORMS: 'off',
  LOA_LOG_LEVEL: 'silent',
  FACEBOOK_WWW_URL: 'https://www.facebook.com',
});
const database = connectDatabase('postgres://loa@127.0.0.1:1/unused', logger);
let status: number;
try {
  const c = buildContainer({ config, database, logger, secretKey: 'openapi-lint-key-that-is-long-enough' });
  const file = path.join(dir, 'openapi.json');
  writeFileSync(
    file,
    JSON.stringify(
      openApiDocument(apiRoutes(c), { version: config.version, serverUrl: config.publicUrl }),
      null,
      2,
    ),
  );
  const lint = spawnSync(
    process.execPath,
    [
      path.join(root, 'node_modules/@redocly/cli/bin/cli.js'),
      'lint',
      '--format',
      'stylish',
      '--config',
      path.join(root, 'redocly.yaml'),
      file,
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  status = lint.status ?? 1;
} finally {
  await database.close();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(status);
