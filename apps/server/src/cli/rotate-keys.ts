/**
 * npm run rotate-keys -w @scim-console/server [-- --dry-run] [-- --batch-size=200]
 *
 * Re-encrypts every sealed column (lib/crypto registry) to ENCRYPTION_ACTIVE_KEY, in batches,
 * each batch in one transaction. Idempotent: values already under the active key are left
 * alone, so an interrupted run is finished by running it again. Prints counts per column and
 * per old key id, and writes one `keys.rotated` audit event. Exit code 1 when some value could
 * not be opened (its row ids are printed; nothing is changed for them).
 *
 * Procedure: add the new key to ENCRYPTION_KEYS and make it active, restart the servers (new
 * values use it), run this, check `--dry-run` shows only the new key, then remove the old key.
 */
import { pathToFileURL } from 'node:url';
import { loadConfig, type Config } from '../config.ts';
import { createDatabase, type DatabaseHandle } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import {
  countSealedByKey,
  keyRingFor,
  listSealedColumns,
  rotateSealedColumns,
  type RotationReport,
} from '../lib/crypto/index.ts';
import { recordAudit } from '../modules/audit/audit.service.ts';
// Every module that stores sealed values registers its columns when its repository loads;
// importing the app's module graph loads all of them.
import '../app.ts';

export interface RotateKeysOptions {
  dryRun?: boolean;
  batchSize?: number;
  out?: (line: string) => void;
  /** An already open database (tests); otherwise config.database is opened and closed. */
  database?: DatabaseHandle;
}

export async function rotateKeys(
  config: Config,
  options: RotateKeysOptions = {},
): Promise<{ report: RotationReport | null; counts: Record<string, Record<string, number>> }> {
  const out = options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const keyRing = keyRingFor(config.encryption);
  const handle = options.database ?? createDatabase(config.database);
  try {
    await migrateToLatest(handle.db, handle.dialect);
    const columns = listSealedColumns();
    out(
      `Active key: ${keyRing.activeKeyId}; known keys: ${keyRing.keyIds.join(', ')}; sealed columns: ${columns.length}`,
    );
    if (options.dryRun) {
      const counts = await countSealedByKey(handle.db, columns);
      for (const [column, byKey] of Object.entries(counts))
        out(`  ${column}: ${formatCounts(byKey)}`);
      return { report: null, counts };
    }
    const report = await rotateSealedColumns(handle.db, keyRing, {
      batchSize: options.batchSize ?? 200,
      columns,
    });
    for (const c of report.columns) {
      out(
        `  ${c.table}.${c.column}: scanned ${c.scanned}, rotated ${c.rotated} (${formatCounts(c.rotatedFrom)}), already current ${c.alreadyCurrent}, failed ${c.failed.length}`,
      );
      for (const f of c.failed) out(`    could not open id=${f.id} (${f.code})`);
    }
    out(
      `Rotated ${report.rotated} value(s) to ${keyRing.activeKeyId}; ${report.failed} failure(s).`,
    );
    await recordAudit(handle.db, {
      action: 'keys.rotated',
      actor: null,
      outcome:
        report.failed > 0
          ? {
              status: 500,
              error: {
                code: 'ROTATION_INCOMPLETE',
                message: `${report.failed} value(s) could not be opened`,
              },
            }
          : { status: 200 },
      details: {
        activeKeyId: report.activeKeyId,
        rotated: report.rotated,
        failed: report.failed,
        columns: report.columns.map((c) => ({
          table: c.table,
          column: c.column,
          rotated: c.rotated,
          rotatedFrom: c.rotatedFrom,
          failed: c.failed.length,
        })),
      },
    });
    return { report, counts: await countSealedByKey(handle.db, columns) };
  } finally {
    if (!options.database) await handle.close();
  }
}

function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k}: ${n}`).join(', ');
}

async function main(argv: string[]): Promise<number> {
  const dryRun = argv.includes('--dry-run');
  const batchArg = argv.find((a) => a.startsWith('--batch-size='));
  const batchSize = batchArg ? Number(batchArg.split('=')[1]) : undefined;
  if (
    batchSize !== undefined &&
    (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
  ) {
    process.stderr.write('--batch-size must be an integer between 1 and 10000\n');
    return 2;
  }
  const unknown = argv.filter((a) => a !== '--dry-run' && !a.startsWith('--batch-size='));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown argument(s): ${unknown.join(' ')}\nUsage: rotate-keys [--dry-run] [--batch-size=N]\n`,
    );
    return 2;
  }
  const config = loadConfig();
  const { report } = await rotateKeys(config, { dryRun, ...(batchSize ? { batchSize } : {}) });
  return report && report.failed > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      // Config and database errors carry readable messages; never print key material.
      process.stderr.write(
        `rotate-keys failed: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
