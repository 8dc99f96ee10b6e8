// The registry of every database column that holds a sealed value. Key rotation walks it, so
// a module that stores a sealed value MUST register its column here at import time (next to
// the repository that writes it); a column that is not registered would keep its old key and
// become unreadable once that key is retired.
import type { SealAad } from './seal.ts';

export interface SealedColumn {
  readonly table: string;
  /** A unique, orderable column used for keyset batching. */
  readonly idColumn: string;
  /** The column holding the sealed text (NULL allowed: skipped). */
  readonly column: string;
  /** Columns the AAD is computed from (besides the id). */
  readonly aadColumns: readonly string[];
  /** Rebuilds the associated data the value was sealed with, from the row. */
  aad(row: Readonly<Record<string, unknown>>): SealAad;
}

const registry = new Map<string, SealedColumn>();

export function registerSealedColumn(column: SealedColumn): void {
  // Keyed by table.column: registering again (e.g. a module re-evaluated by a test runner)
  // replaces the entry instead of rotating the column twice.
  registry.set(`${column.table}.${column.column}`, Object.freeze({ ...column }));
}

export function listSealedColumns(): readonly SealedColumn[] {
  return [...registry.values()];
}
