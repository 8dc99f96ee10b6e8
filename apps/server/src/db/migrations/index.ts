/**
 * Every migration, listed explicitly (no directory scanning: bundlers and tsx see the same
 * list). Frozen: never edit a migration that has shipped; add a new one.
 * Names sort by time; Kysely runs them in that order.
 */
import type { Migration } from './migration.ts';
import * as core from './2026-12-04T16-00-core.ts';
import * as auditConnections from './2026-12-04T16-10-audit-connections.ts';
import * as tokenVaultQueries from './2026-12-04T16-20-token-vault-queries.ts';

export const migrations: Record<string, Migration> = {
  '2026-12-04T16-00-core': core,
  '2026-12-04T16-10-audit-connections': auditConnections,
  '2026-12-04T16-20-token-vault-queries': tokenVaultQueries,
};
