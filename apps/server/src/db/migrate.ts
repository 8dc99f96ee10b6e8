/**
 * Runs the explicit migration list with Kysely's Migrator. On PostgreSQL the run is also
 * wrapped in a session-level advisory lock so replicas starting together take turns
 * (Kysely additionally locks inside its own transaction).
 */
import {
  Migrator,
  sql,
  type Kysely,
  type MigrationProvider,
  type Migration as KyselyMigration,
} from 'kysely';
import type { Dialect } from './database.ts';
import { migrations as allMigrations } from './migrations/index.ts';
import type { Migration } from './migrations/migration.ts';

/** Arbitrary constant shared by every replica: "scim-console migrations". */
const MIGRATION_LOCK_ID = 7_201_442_019;

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migrationName?: string,
  ) {
    super(message);
    this.name = 'MigrationError';
  }
}

export interface MigrationReport {
  applied: string[];
}

export async function migrateToLatest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations see the schema untyped
  db: Kysely<any>,
  dialect: Dialect,
  migrations: Record<string, Migration> = allMigrations,
): Promise<MigrationReport> {
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, KyselyMigration> = {};
      for (const [name, migration] of Object.entries(migrations)) {
        out[name] = { up: (trx) => migration.up(trx, dialect) };
      }
      return out;
    },
  };
  const run = async (
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    target: Kysely<any>,
    migrationTableSchema?: string,
  ): Promise<MigrationReport> => {
    const migrator = new Migrator({
      db: target,
      provider,
      ...(migrationTableSchema ? { migrationTableSchema } : {}),
    });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new MigrationError(
        `Database migration ${failed ? `"${failed.migrationName}" ` : ''}failed: ${reason}`,
        failed?.migrationName,
      );
    }
    return {
      applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    };
  };
  if (dialect !== 'postgres') return run(db);
  // A session-level lock needs one dedicated connection for lock and unlock.
  return db.connection().execute(async (conn) => {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK_ID})`.execute(conn);
    try {
      // Name the schema explicitly: Kysely otherwise looks for its migration tables in every
      // schema of the database and would take another schema's for ours.
      const current = await sql<{ schema: string }>`select current_schema() as schema`.execute(
        conn,
      );
      return await run(conn, current.rows[0]?.schema ?? 'public');
    } finally {
      await sql`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.execute(conn);
    }
  });
}
