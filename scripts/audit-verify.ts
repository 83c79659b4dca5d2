// npm run audit:verify — walks the audit log's hash chain and names the first broken entry.
import { createAuditLog } from '../server/audit/audit.service.ts';
import { withDatabase } from './support/database.ts';

await withDatabase(async ({ db }) => {
  const result = await createAuditLog(db).verify();
  if (result.ok) {
    console.log(`Audit log intact: ${result.entries} entries verified.`);
    return 0;
  }
  console.error(
    `Audit log BROKEN at entry #${result.brokenId} (${result.reason}); ${result.entries} entries before it are intact.`,
  );
  return 1;
});
