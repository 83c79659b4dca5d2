// npm run backup -- <file>: the database, the media files and Loa's generated keys, in one file.
// Works while Loa runs (the database copy is one consistent snapshot).
import { BackupError, createBackup } from '../server/system/backup.ts';
import { openConfiguredDatabase, backupPlace, readFileArgument } from './support/backup-cli.ts';

const file = readFileArgument('backup');
const { config, url, close } = await openConfiguredDatabase({ migrate: false });
try {
  const manifest = await createBackup(backupPlace(config), url, file);
  const rows = manifest.database.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(
    `Backup written to ${file}: ${manifest.database.tables.length} tables, ${rows} rows, ` +
      `${manifest.media.files} media files, keys: ${manifest.keys.join(', ') || 'none (LOA_SECRET_KEY)'}`,
  );
  console.log('It holds the keys that decrypt the channels’ tokens: keep it as safe as the data directory.');
  await close();
} catch (error) {
  await close();
  console.error(error instanceof BackupError ? error.message : error);
  process.exit(1);
}
