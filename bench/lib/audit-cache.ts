/**
 * Databases that already hold N audit events (a valid hash chain, see audit-fill.ts), for the
 * server and scale benches. Writing 1M events with their search words takes minutes on a
 * loaded 2-core machine, so each size is built once and cached; every run then works on a
 * *fresh copy* that it drops afterwards:
 *  - SQLite: `$TMPDIR/scim-console-bench-cache/audit-<key>-<rows>.db`, copied into a temp dir.
 *  - PostgreSQL: a template database `scim_console_bench_<key>_<rows>`; each run gets
 *    `create database … template …` (a file-level copy, seconds) and `drop database` after.
 * The key changes with the migration list and FILL_VERSION, so a schema change rebuilds.
 * `BENCH_REBUILD=1` forces a rebuild. Remove the caches with
 * `rm -r $TMPDIR/scim-console-bench-cache` and `drop database scim_console_bench_…`.
 *
 * Each cached database also holds the demo accounts (password BENCH_PASSWORD) and the demo
 * sandbox connections, so the audit events name real users and connections: a signed-in
 * admin's "own" search finds its share (1/200) of the trail.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { loadConfig, type DatabaseConfig } from '../../apps/server/src/config.ts';
import { createDatabase, type DatabaseHandle } from '../../apps/server/src/db/database.ts';
import { migrateToLatest } from '../../apps/server/src/db/migrate.ts';
import { seedDemoAccounts } from '../../apps/server/src/modules/auth/demo-accounts.ts';
import { seedDemoConnections } from '../../apps/server/src/modules/connections/connections.seed.ts';
import { fillAudit, syntheticActors, type FillActor, type FillTarget } from './audit-fill.ts';
import { BENCH_ENV, BENCH_PASSWORD } from './bench-env.ts';

export type DbKind = 'sqlite' | 'postgres';
const FILL_VERSION = 1;
const MIGRATIONS_DIR = join(import.meta.dirname, '../../apps/server/src/db/migrations');

export interface AuditDatabase {
  kind: DbKind;
  rows: number;
  /** For the server's config.database. */
  config: DatabaseConfig;
  fillTarget: FillTarget;
  actors: FillActor[];
  connections: string[];
  /** Seconds spent building the cache in this run (0 when it was already there). */
  builtSeconds: number;
  open(): DatabaseHandle;
  drop(): Promise<void>;
}

/** The kinds to run: SQLite always, PostgreSQL when DATABASE_URL is set. */
export function databaseKinds(): DbKind[] {
  return process.env.DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
}

function cacheKey(): string {
  const names = readdirSync(MIGRATIONS_DIR).sort().join(',');
  return createHash('sha256').update(`${FILL_VERSION}|${names}`).digest('hex').slice(0, 8);
}

const sqliteCacheDir = () => join(tmpdir(), 'scim-console-bench-cache');
const sqliteCachePath = (rows: number) => join(sqliteCacheDir(), `audit-${cacheKey()}-${rows}.db`);
const pgTemplate = (rows: number) => `scim_console_bench_${cacheKey()}_${rows}`;

function urlFor(database: string): string {
  const u = new URL(process.env.DATABASE_URL!);
  u.pathname = `/${database}`;
  return u.toString();
}

async function adminQuery(text: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

async function pgDatabaseExists(name: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  try {
    return (await c.query('select 1 from pg_database where datname = $1', [name])).rowCount === 1;
  } finally {
    await c.end();
  }
}

async function actorsAndConnections(
  handle: DatabaseHandle,
): Promise<{ actors: FillActor[]; connections: string[] }> {
  const users = await handle.db
    .selectFrom('users')
    .select(['id', 'username'])
    .orderBy('username')
    .execute();
  const connections = await handle.db
    .selectFrom('connections')
    .select('id')
    .orderBy('name')
    .execute();
  return {
    actors: [
      ...users.map((u) => ({ id: u.id, username: u.username })),
      ...syntheticActors(200 - users.length),
    ],
    connections: connections.map((c) => c.id),
  };
}

/** Empty database with the schema, demo accounts and demo connections. */
async function prepare(config: DatabaseConfig, kind: DbKind): Promise<void> {
  const handle = createDatabase(config);
  try {
    await migrateToLatest(handle.db, kind);
    const appConfig = loadConfig({ ...BENCH_ENV, SANDBOX_URL: 'http://127.0.0.1:9' });
    await seedDemoAccounts(handle.db, BENCH_PASSWORD, new Date());
    await seedDemoConnections(handle.db, appConfig);
  } finally {
    await handle.close();
  }
}

const SIZES_BUILT_FROM = (rows: number, sizes: number[]) =>
  sizes.filter((s) => s < rows).sort((a, b) => b - a);

/**
 * A fresh copy of a database holding `rows` audit events. `smaller` lists cached sizes a
 * missing cache may be grown from (e.g. 1M from 100k).
 */
export async function auditDatabase(
  kind: DbKind,
  rows: number,
  smaller: number[] = [],
): Promise<AuditDatabase> {
  const t0 = performance.now();
  let built = false;
  const rebuild = process.env.BENCH_REBUILD === '1';
  if (kind === 'sqlite') {
    const cached = sqliteCachePath(rows);
    if (rebuild || !existsSync(cached)) {
      built = true;
      mkdirSync(sqliteCacheDir(), { recursive: true });
      const building = `${cached}.building-${process.pid}`;
      const from = SIZES_BUILT_FROM(rows, smaller)
        .map(sqliteCachePath)
        .find((p) => existsSync(p));
      if (from) copyFileSync(from, building);
      else await prepare({ kind: 'sqlite', path: building }, 'sqlite');
      const h = createDatabase({ kind: 'sqlite', path: building });
      const ac = await actorsAndConnections(h);
      await h.close();
      process.stdout.write(
        `  (building the ${rows.toLocaleString('en')}-event SQLite cache once${from ? ' from a smaller one' : ''}…)\n`,
      );
      await fillAudit({ kind: 'sqlite', path: building }, rows, ac);
      renameSync(building, cached);
    }
    const dir = mkdtempSync(join(tmpdir(), 'scim-console-bench-'));
    const path = join(dir, 'bench.db');
    copyFileSync(cached, path);
    const config: DatabaseConfig = { kind: 'sqlite', path };
    const probe = createDatabase(config);
    const ac = await actorsAndConnections(probe);
    await probe.close();
    return {
      kind,
      rows,
      config,
      fillTarget: { kind: 'sqlite', path },
      ...ac,
      builtSeconds: built ? (performance.now() - t0) / 1000 : 0,
      open: () => createDatabase(config),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }

  const template = pgTemplate(rows);
  if (rebuild && (await pgDatabaseExists(template)))
    await adminQuery(`drop database ${template} with (force)`);
  if (!(await pgDatabaseExists(template))) {
    built = true;
    const building = `${template}_b${process.pid}`.slice(0, 63);
    await adminQuery(`drop database if exists ${building} with (force)`);
    const from = [];
    for (const s of SIZES_BUILT_FROM(rows, smaller))
      if (await pgDatabaseExists(pgTemplate(s))) from.push(pgTemplate(s));
    if (from[0]) await adminQuery(`create database ${building} template ${from[0]}`);
    else {
      await adminQuery(`create database ${building}`);
      await prepare({ kind: 'postgres', url: urlFor(building) }, 'postgres');
    }
    const h = createDatabase({ kind: 'postgres', url: urlFor(building) });
    const ac = await actorsAndConnections(h);
    await h.close();
    process.stdout.write(
      `  (building the ${rows.toLocaleString('en')}-event PostgreSQL cache once${from[0] ? ' from a smaller one' : ''}…)\n`,
    );
    await fillAudit({ kind: 'postgres', url: urlFor(building), schema: 'public' }, rows, ac);
    await adminQuery(`alter database ${building} rename to ${template}`);
  }
  const name = `scim_console_bench_run_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create database ${name} template ${template}`);
  const config: DatabaseConfig = { kind: 'postgres', url: urlFor(name) };
  const probe = createDatabase(config);
  const ac = await actorsAndConnections(probe);
  await probe.close();
  return {
    kind,
    rows,
    config,
    fillTarget: { kind: 'postgres', url: urlFor(name), schema: 'public' },
    ...ac,
    builtSeconds: built ? (performance.now() - t0) / 1000 : 0,
    open: () => createDatabase(config),
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
