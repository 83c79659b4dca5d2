// npm run rotate-key: re-encrypts every stored platform token under a new key.
//
// - Key in the data directory (no LOA_SECRET_KEY): makes a new secret.key, re-encrypts, deletes
//   the old key. Stop Loa first (web and worker): a running process keeps the old key in memory.
// - LOA_SECRET_KEY: set the new key as LOA_SECRET_KEY and the old one as LOA_SECRET_KEY_PREVIOUS
//   (Loa keeps running and reads both), run this, then remove LOA_SECRET_KEY_PREVIOUS.
// Signed-in sessions and members' open share links are signed with the key too: after a rotation
// people sign in again and reload their feed.
import { createChannelConnectRepo } from '../server/channels/channel-connect.repo.ts';
import { createChannelsRepo } from '../server/channels/channels.repo.ts';
import { createTokenCrypto } from '../server/channels/token-crypto.ts';
import { createTokenRotation } from '../server/channels/token-rotation.ts';
import { ConfigError, resolvePreviousSecretKeys, resolveSecretKey } from '../server/config.ts';
import { connectDatabase } from '../server/db/database.ts';
import { createLogger } from '../server/logger.ts';
import { finishKeyRotation, startKeyRotation, type KeySet } from '../server/system/key-rotation.ts';
import { loadCliConfig, openConfiguredDatabase } from './support/backup-cli.ts';

const force = process.argv.includes('--force');
const config = loadCliConfig();
const { url, close, othersConnected } = await openConfiguredDatabase({ migrate: true, config });
let code = 0;
try {
  const fileKey = config.secretKey === undefined;
  if (fileKey && othersConnected && !force) {
    throw new ConfigError([
      'Loa is running on this database: stop the web and worker processes first (a running process keeps the old key), or pass --force if these connections are not Loa',
    ]);
  }
  const keys: KeySet = fileKey
    ? await startKeyRotation(config.dataDir)
    : { current: resolveSecretKey(config), previous: resolvePreviousSecretKeys(config) };
  const handle = connectDatabase(url, createLogger('warn'), { max: 1 });
  try {
    const rotation = createTokenRotation({
      db: handle.db,
      crypto: createTokenCrypto(keys.current, keys.previous),
      channels: createChannelsRepo(handle.db),
      flows: createChannelConnectRepo(handle.db),
    });
    const result = await rotation.reencryptAll();
    console.log(`Re-encrypted ${result.rewritten} of ${result.total} stored secrets under the current key.`);
    if (result.unreadable.length > 0)
      console.log(
        `${result.unreadable.length} stored secrets open under no key and were left as they are; reconnect these channels: ${result.unreadable.join(', ')}`,
      );
  } finally {
    await handle.close();
  }
  if (fileKey) {
    await finishKeyRotation(config.dataDir);
    console.log(`New key written to ${config.dataDir}/secret.key; the old key is deleted.`);
  } else if (keys.previous.length > 0) {
    console.log('Every token is under LOA_SECRET_KEY now: remove LOA_SECRET_KEY_PREVIOUS from the settings.');
  } else {
    console.log('No LOA_SECRET_KEY_PREVIOUS was set: tokens were only brought to the current format.');
  }
} catch (error) {
  code = 1;
  console.error(error instanceof ConfigError ? `Key not rotated: ${error.problems.join('; ')}` : error);
} finally {
  await close();
}
process.exit(code);
