// npm run seed-demo [-- --reset]: builds the demo (server/demo/seed-demo.ts) in its data
// directory (data/demo unless LOA_DATA_DIR), with the database, the mocks and a worker running
// for as long as it takes, prints what it made and the logins, and stops. A second run says the
// demo exists and changes nothing. `npm run demo` seeds the same way and then keeps Loa running.
import { parseArgs } from 'node:util';
import { createDemoClock, seedDemo } from '../server/demo/seed-demo.ts';
import { runLoa, startLoa } from '../server/start.ts';
import {
  demoEnvironment,
  MEDIA_ROOT,
  newPasswords,
  printDemo,
  resetDemoData,
  savedPasswords,
  savePasswords,
} from './support/demo.ts';

const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });

// No web server: the seed needs none, and a running Loa keeps its port.
const env = demoEnvironment({ LOA_LOG_LEVEL: 'warn', ...process.env, LOA_ROLE: 'worker' });

await runLoa(async (config, logger) => {
  if (values.reset) {
    const refusal = resetDemoData(config);
    if (refusal) throw new Error(refusal);
  }
  const clock = createDemoClock();
  const loa = await startLoa(config, logger, { clock: clock.now });
  try {
    const mocks = loa.mockUrls ?? mockUrlsFrom(config.platforms);
    const passwords = savedPasswords(config) ?? newPasswords();
    const result = await seedDemo(
      { container: loa.container, mocks, clock, logger, mediaRoot: MEDIA_ROOT },
      passwords,
    );
    if (result.created) savePasswords(config, passwords);
    printDemo(result, config, savedPasswords(config));
    if (loa.mockUrls)
      process.stdout.write(
        'The mock platforms ran inside this command: start the demo with `npm run demo`, which makes its Pages and OAs again.\n',
      );
  } finally {
    await loa.stop();
  }
  process.exit(0);
}, env);

/** Mocks run apart (`npm run mock-platforms`, LOA_MOCK_PLATFORMS=off): their control plane is on the same URLs. */
function mockUrlsFrom(platforms: {
  facebookGraphUrl: string | undefined;
  zaloOpenApiUrl: string | undefined;
}) {
  if (!platforms.facebookGraphUrl || !platforms.zaloOpenApiUrl)
    throw new Error(
      'The demo needs the mock platforms: leave LOA_MOCK_PLATFORMS on, or point FACEBOOK_GRAPH_URL and ZALO_OPENAPI_URL at them.',
    );
  return { facebook: platforms.facebookGraphUrl, zalo: platforms.zaloOpenApiUrl };
}
