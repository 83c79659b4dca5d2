// npm run restore -- <file>: brings a backup back into an EMPTY data directory (LOA_DATA_DIR) or,
// with DATABASE_URL, into an empty database; refuses anything else.
import { RestoreRefused } from '../server/db/dump.ts';
import { BackupError, restoreBackup } from '../server/system/backup.ts';
import {
  backupPlace,
  loadCliConfig,
  openConfiguredDatabase,
  readFileArgument,
} from './support/backup-cli.ts';

const file = readFileArgument('restore');
const config = loadCliConfig();
try {
  const manifest = await restoreBackup(
    {
      ...backupPlace(config),
      openDatabase: async () => {
        const { url, close } = await openConfiguredDatabase({ migrate: true, config });
        return { url, close };
      },
    },
    file,
  );
  const rows = manifest.database.tables.reduce((sum, t) => sum + t.rows, 0);
  console.log(
    `Restored ${file} (made ${manifest.createdAt}) into ${config.dataDir}: ` +
      `${rows} rows, ${manifest.media.files} media files. Start Loa with the same settings.`,
  );
} catch (error) {
  const known = error instanceof BackupError || error instanceof RestoreRefused;
  console.error(known ? `Restore refused: ${(error as Error).message}` : error);
  process.exit(1);
}
