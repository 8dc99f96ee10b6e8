import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../src/db/migrate.ts';
import { migrations } from '../src/db/migrations/index.ts';
import { createTestDatabase, forEachDatabase } from './helpers/test-app.ts';
import type { DatabaseHandle } from '../src/db/database.ts';

forEachDatabase((database) => {
  describe('migrations', () => {
    let handle: DatabaseHandle | undefined;
    afterEach(async () => {
      await handle?.close();
      handle = undefined;
    });

    it('apply every migration once, then nothing on a second run', async () => {
      ({ handle } = await createTestDatabase(database));
      const first = await migrateToLatest(handle.db, handle.dialect);
      expect(first.applied).toEqual(Object.keys(migrations).sort());
      const second = await migrateToLatest(handle.db, handle.dialect);
      expect(second.applied).toEqual([]);
      // The core tables exist and are usable.
      await handle.db.selectFrom('users').select('id').execute();
      await handle.db.selectFrom('sessions').select('id_hash').execute();
    });

    it('let two concurrent runs (two replicas starting) apply each migration exactly once', async () => {
      ({ handle } = await createTestDatabase(database));
      const results = await Promise.all([
        migrateToLatest(handle.db, handle.dialect),
        migrateToLatest(handle.db, handle.dialect),
      ]);
      expect([...results[0].applied, ...results[1].applied].sort()).toEqual(
        Object.keys(migrations).sort(),
      );
      const rows = await sql<{
        n: string | number;
      }>`select count(*) as n from kysely_migration`.execute(handle.db);
      expect(Number(rows.rows[0]!.n)).toBe(Object.keys(migrations).length);
    });

    it('report a failing migration by name and leave the database as it was', async () => {
      ({ handle } = await createTestDatabase(database));
      const broken = {
        ...migrations,
        '2099-01-01T00-00-broken': {
          async up(db: Parameters<(typeof migrations)[string]['up']>[0]) {
            await db.schema.createTable('half_done').addColumn('id', 'text').execute();
            await sql`select * from no_such_table`.execute(db);
          },
        },
      };
      await expect(migrateToLatest(handle.db, handle.dialect, broken)).rejects.toThrow(
        /2099-01-01T00-00-broken/,
      );
      if (database === 'postgres') {
        // Transactional DDL: nothing of the failed migration remains.
        const t = await sql<{
          n: string;
        }>`select count(*) as n from information_schema.tables where table_name = 'half_done' and table_schema = current_schema()`.execute(
          handle.db,
        );
        expect(Number(t.rows[0]!.n)).toBe(0);
      }
    });
  });
});
