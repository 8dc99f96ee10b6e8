// Test support: a separate process appending audit events to a shared SQLite file
// (as rotate-keys does next to a running server). argv: <sqlite path> <count> <label>
import { createDatabase } from '../../db/database.ts';
import { recordAudit } from './audit.service.ts';

const [path, count, label] = process.argv.slice(2);
const handle = createDatabase({ kind: 'sqlite', path: path! });
for (let i = 0; i < Number(count); i++) {
  // A read before the append inside the same transaction: the pattern that meets SQLITE_BUSY_SNAPSHOT.
  await recordAudit(handle.db, {
    action: 'settings.updated',
    actor: null,
    details: { keys: [`${label}-${i}`] },
  });
}
await handle.close();
