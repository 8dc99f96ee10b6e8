// Test support for the audit and crypto tests that need only a migrated database (no HTTP
// app): a temp SQLite file always, a fresh PostgreSQL schema when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, type DatabaseHandle } from '../../db/database.ts';
import { migrateToLatest } from '../../db/migrate.ts';

export interface TestDatabase extends DatabaseHandle {
  /** SQLite file path (null on PostgreSQL). */
  file: string | null;
  /** Raw SQL outside Kysely, as an attacker with database access would run it. */
  raw(sqlText: string, params?: unknown[]): Promise<unknown[]>;
  dispose(): Promise<void>;
}

export const DATABASE_KINDS: ('sqlite' | 'postgres')[] = process.env.DATABASE_URL
  ? ['sqlite', 'postgres']
  : ['sqlite'];

export async function openTestDatabase(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'scim-console-audit-'));
    const file = join(dir, 'test.db');
    const handle = createDatabase({ kind: 'sqlite', path: file });
    await migrateToLatest(handle.db, 'sqlite');
    const BetterSqlite3 = (await import('better-sqlite3')).default;
    return {
      ...handle,
      file,
      raw: async (text, params = []) => {
        const conn = new BetterSqlite3(file);
        try {
          const stmt = conn.prepare(text);
          return stmt.reader ? stmt.all(...params) : (stmt.run(...params), []);
        } finally {
          conn.close();
        }
      },
      dispose: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const url = process.env.DATABASE_URL!;
  const schema = `t_audit_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  const handle = createDatabase({ kind: 'postgres', url, schema });
  await migrateToLatest(handle.db, 'postgres');
  return {
    ...handle,
    file: null,
    raw: async (text, params = []) => {
      await admin.query(`set search_path = ${schema}`);
      return (await admin.query(text, params as unknown[])).rows;
    },
    dispose: async () => {
      await handle.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    },
  };
}
