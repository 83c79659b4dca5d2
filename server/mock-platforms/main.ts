// `npm run mock-platforms`: both mocks alone, so Loa can run against them from another
// process (LOA_MOCK_PLATFORMS=off) and be killed without losing the platforms' record.
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startMockPlatforms } from './index.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel, 'mock-platforms');
const p = config.platforms;
const required = {
  facebookAppId: p.facebookAppId,
  facebookAppSecret: p.facebookAppSecret,
  facebookVerifyToken: p.facebookVerifyToken,
  zaloAppId: p.zaloAppId,
  zaloAppSecret: p.zaloAppSecret,
  zaloOaSecretKey: p.zaloOaSecretKey,
};
const missing = Object.entries(required)
  .filter(([, value]) => !value)
  .map(([name]) => name);
if (missing.length > 0) {
  logger.fatal({ missing }, 'mock platforms need app credentials');
  process.exit(1);
}

const mocks = await startMockPlatforms({
  facebookPort: config.mockPlatforms.facebookPort,
  zaloPort: config.mockPlatforms.zaloPort,
  host: config.host === '0.0.0.0' ? '127.0.0.1' : config.host,
  seed: config.mockPlatforms.seed,
  credentials: required as { [K in keyof typeof required]: string },
  logger,
});
logger.info(
  {
    facebookUrl: mocks.facebookUrl,
    zaloOpenApiUrl: mocks.zaloOpenApiUrl,
    zaloOAuthUrl: mocks.zaloOAuthUrl,
    seed: config.mockPlatforms.seed,
  },
  'mock platforms listening',
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'mock platforms stopping');
  await mocks.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
