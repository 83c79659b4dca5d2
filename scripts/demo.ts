// npm run demo [-- --reset]: Loa with the embedded database, the mock platforms and the worker,
// as `npm start`, in the demo's own data directory (data/demo unless LOA_DATA_DIR), seeded with
// the demo province the first time (server/demo/seed-demo.ts) and ready to sign in. On later
// starts the in-process mocks begin empty: the demo's Pages and OAs are made again and its
// channels reconnected before the worker takes any job. Ctrl-C stops everything.
import { parseArgs } from 'node:util';
import { createDemoClock, demoExists, reconnectDemoChannels, seedDemo } from '../server/demo/seed-demo.ts';
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

await runLoa(async (config, logger) => {
  if (values.reset) {
    const refusal = resetDemoData(config);
    if (refusal) throw new Error(refusal);
  }
  if (!config.mockPlatforms.enabled)
    throw new Error('npm run demo runs against the mock platforms: leave LOA_MOCK_PLATFORMS on.');
  const clock = createDemoClock();
  let existed = false;
  const loa = await startLoa(config, logger, {
    clock: clock.now,
    beforeWorker: async ({ container, mockUrls }) => {
      existed = await demoExists(container);
      if (existed && mockUrls) {
        const count = await reconnectDemoChannels({ container, mocks: mockUrls, logger });
        logger.info({ channels: count }, 'demo channels reconnected to the mock platforms');
      }
    },
  });
  try {
    const mocks = loa.mockUrls;
    if (!mocks) throw new Error('the mock platforms did not start');
    const passwords = savedPasswords(config) ?? newPasswords();
    if (!existed) logger.info('seeding the demo (about a minute)');
    const result = await seedDemo(
      { container: loa.container, mocks, clock, logger, mediaRoot: MEDIA_ROOT },
      passwords,
    );
    if (result.created) savePasswords(config, passwords);
    printDemo(result, config, savedPasswords(config));
    process.stdout.write('Loa is running with the demo. Ctrl-C stops it.\n');
  } catch (error) {
    await loa.stop();
    throw error;
  }
  return loa.stop;
}, demoEnvironment());
