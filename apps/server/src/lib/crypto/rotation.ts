// Re-encrypts every registered sealed column to the active key.
//
// Batches are keyset-paged on the id column; each batch is read and rewritten inside one
// transaction, and each UPDATE is conditional on the old sealed text, so a value changed
// concurrently (e.g. a token refreshed meanwhile, which is sealed with the active key anyway)
// is left alone rather than overwritten. Values already under the active key are skipped, so
// running it twice rewrites nothing the second time. Values that cannot be opened are never
// touched; they are counted and their row ids reported so an operator can act.
import { sql, type Kysely } from 'kysely';
import type { KeyRing } from './key-ring.ts';
import { inspectSealed, open, seal, SealError } from './seal.ts';
import { listSealedColumns, type SealedColumn } from './sealed-columns.ts';

export interface ColumnRotationReport {
  table: string;
  column: string;
  scanned: number;
  alreadyCurrent: number;
  /** Rows re-encrypted, by the key id they were sealed with before. */
  rotatedFrom: Record<string, number>;
  rotated: number;
  failed: { id: string; code: string }[];
}

export interface RotationReport {
  activeKeyId: string;
  columns: ColumnRotationReport[];
  rotated: number;
  failed: number;
}

/**
 * SQLite (WAL): a transaction that read before writing fails at once with SQLITE_BUSY(_SNAPSHOT)
 * when a server process committed in between; the whole batch is simply run again.
 */
export async function retryBusy<T>(fn: () => Promise<T>, attempts = 12): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (i >= attempts || typeof code !== 'string' || !code.startsWith('SQLITE_BUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * i + Math.random() * 20));
    }
  }
}

export interface RotationOptions {
  batchSize?: number;
  columns?: readonly SealedColumn[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry names tables dynamically
type AnyDb = Kysely<any>;

export async function rotateSealedColumns(
  db: AnyDb,
  keyRing: KeyRing,
  options: RotationOptions = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 200;
  const columns = options.columns ?? listSealedColumns();
  const report: RotationReport = {
    activeKeyId: keyRing.activeKeyId,
    columns: [],
    rotated: 0,
    failed: 0,
  };
  for (const col of columns) {
    const r: ColumnRotationReport = {
      table: col.table,
      column: col.column,
      scanned: 0,
      alreadyCurrent: 0,
      rotatedFrom: {},
      rotated: 0,
      failed: [],
    };
    let lastId: unknown = undefined;
    for (;;) {
      const batchCount = await retryBusy(() =>
        db.transaction().execute(async (trx) => {
          let q = trx
            .selectFrom(col.table)
            .select([
              col.idColumn,
              col.column,
              ...col.aadColumns.filter((c) => c !== col.idColumn && c !== col.column),
            ])
            .where(col.column, 'is not', null)
            .orderBy(col.idColumn)
            .limit(batchSize);
          if (lastId !== undefined) q = q.where(col.idColumn, '>', lastId);
          const rows = (await q.execute()) as Record<string, unknown>[];
          for (const row of rows) {
            lastId = row[col.idColumn];
            r.scanned++;
            const sealed = String(row[col.column]);
            try {
              const { keyId } = inspectSealed(sealed);
              if (keyId === keyRing.activeKeyId) {
                r.alreadyCurrent++;
                continue;
              }
              const aad = col.aad(row);
              const resealed = seal(keyRing, open(keyRing, sealed, aad), aad);
              const res = await trx
                .updateTable(col.table)
                .set({ [col.column]: resealed })
                .where(col.idColumn, '=', row[col.idColumn])
                .where(col.column, '=', sealed)
                .executeTakeFirst();
              if (Number(res.numUpdatedRows) === 1) {
                r.rotated++;
                r.rotatedFrom[keyId] = (r.rotatedFrom[keyId] ?? 0) + 1;
              }
            } catch (error) {
              if (!(error instanceof SealError)) throw error;
              r.failed.push({ id: String(row[col.idColumn]), code: error.code });
            }
          }
          return rows.length;
        }),
      );
      if (batchCount < batchSize) break;
    }
    report.columns.push(r);
    report.rotated += r.rotated;
    report.failed += r.failed.length;
  }
  return report;
}

/** Counts sealed values per key id in every registered column (for `rotate-keys --dry-run`). */
export async function countSealedByKey(
  db: AnyDb,
  columns: readonly SealedColumn[] = listSealedColumns(),
): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const col of columns) {
    const counts: Record<string, number> = {};
    const rows = (await db
      .selectFrom(col.table)
      .select(sql<string>`${sql.ref(col.column)}`.as('v'))
      .where(col.column, 'is not', null)
      .execute()) as { v: string }[];
    for (const { v } of rows) {
      let keyId = 'malformed';
      try {
        keyId = inspectSealed(v).keyId;
      } catch {
        /* counted as malformed */
      }
      counts[keyId] = (counts[keyId] ?? 0) + 1;
    }
    out[`${col.table}.${col.column}`] = counts;
  }
  return out;
}
