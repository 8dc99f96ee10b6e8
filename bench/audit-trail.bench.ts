/**
 * Audit trail at scale: page queries of GET /api/logs over 1,000,000 events (SQLite always,
 * PostgreSQL too when DATABASE_URL is set), plus append and verify rates.
 *
 *   node --import tsx bench/audit-trail.bench.ts   (AUDIT_BENCH_ROWS=1000000 by default;
 *   AUDIT_BENCH_DATABASES=sqlite or =postgres to run one of them)
 *
 * The 1M rows are generated in SQL (realistic column values and search words; hashes are not
 * meaningful there), with the real migrations and indexes; queries go through the real
 * repository code. Append and verify rates use recordAudit on a separate, real chain.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { createDatabase, type DatabaseHandle } from '../apps/server/src/db/database.ts';
import { migrateToLatest } from '../apps/server/src/db/migrate.ts';
import type { Database } from '../apps/server/src/db/tables.ts';
import {
  listAuditEvents,
  verifyAuditChain,
  type AuditQuery,
} from '../apps/server/src/modules/audit/audit.repository.ts';
import { recordAudit } from '../apps/server/src/modules/audit/audit.service.ts';

const ROWS = Number(process.env.AUDIT_BENCH_ROWS ?? 1_000_000);
const GOAL_MS = 50;

async function fill(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  // 200 users, 20 connections; 45% query.generated, 45% query.outcome (2% failures), 10% logins/denials.
  const series =
    dialect === 'postgres'
      ? sql`select g as n from generate_series(1, ${ROWS}) g`
      : sql`with recursive s(n) as (select 1 union all select n + 1 from s where n < ${ROWS}) select n from s`;
  await sql`
    insert into audit_events (seq, at, action, outcome, actor_id, actor_username, connection_id, query_id,
      request_method, request_path, request_params, request_filter, outcome_status, prev_hash, hash)
    select n,
      ${dialect === 'postgres' ? sql`to_char(timestamp '2026-01-01' + (n * interval '20 seconds'), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : sql`strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || (n * 20) || ' seconds')`},
      case when n % 20 < 9 then 'query.generated' when n % 20 < 18 then 'query.outcome' when n % 20 = 18 then 'auth.login' else 'permission.denied' end,
      case when n % 20 = 19 or n % 50 = 1 then 'failure' else 'success' end,
      'u' || (n % 200), 'user' || (n % 200), 'c' || (n % 20), 'q' || n,
      'GET', '/Users', '{}', 'userName eq "person' || (n % 50000) || '@example.com"',
      case when n % 20 >= 9 and n % 20 < 18 then 200 else null end,
      'x', 'x'
    from (${series}) s`.execute(db);
  for (const term of [
    sql`'user' || (n % 200)`,
    sql`'users'`,
    sql`'username'`,
    sql`'person' || (n % 50000) || '@example.com'`,
    sql`'person' || (n % 50000)`,
    sql`'example'`,
    sql`'com'`,
  ]) {
    await sql`insert into audit_terms (term, seq) select ${term}, n from (${series}) s`.execute(db);
  }
  // PostgreSQL: what autovacuum does to a table of this age (statistics and the visibility map,
  // which lets index-only scans skip the heap).
  await sql.raw(dialect === 'postgres' ? 'vacuum analyze' : 'analyze').execute(db);
}

async function time(fn: () => Promise<unknown>, runs = 5): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

async function run(kind: 'sqlite' | 'postgres'): Promise<boolean> {
  let handle: DatabaseHandle;
  let cleanup: () => Promise<void>;
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'audit-bench-'));
    handle = createDatabase({ kind: 'sqlite', path: join(dir, 'bench.db') });
    cleanup = async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    };
  } else {
    const url = process.env.DATABASE_URL!;
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    handle = createDatabase({ kind: 'postgres', url, schema });
    cleanup = async () => {
      await handle.close();
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    };
  }
  let allPass = true;
  try {
    await migrateToLatest(handle.db, kind);
    const t0 = performance.now();
    await fill(handle.db, kind);
    console.log(
      `[${kind}] generated ${ROWS.toLocaleString('en')} events + ${(ROWS * 7).toLocaleString('en')} search words in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const cases: [string, AuditQuery][] = [
      ['newest page, no filter', {}],
      ['one user (scope=own)', { actorId: 'u17' }],
      ['one connection', { connectionId: 'c3' }],
      ['action=auth.login', { actions: ['auth.login'] }],
      ['outcome=failure', { result: 'failure' }],
      ['user + action', { actorId: 'u3', actions: ['query.generated'] }],
      [
        'time range (one day)',
        { from: '2026-01-10T00:00:00.000Z', to: '2026-01-11T00:00:00.000Z' },
      ],
      ['q = rare value (person123@example.com)', { q: 'person123@example.com' }],
      ['q = user name prefix (user17)', { q: 'user17' }],
      ['q = common word (users)', { q: 'users' }],
      ['deep page (cursor half way)', { beforeSeq: Math.floor(ROWS / 2) }],
      ['user + q rare', { actorId: 'u123', q: 'person123' }],
      ['user + q common', { actorId: 'u123', q: 'users' }],
    ];
    for (const [label, filter] of cases) {
      let count = 0;
      const ms = await time(async () => {
        count = (await listAuditEvents(handle.db, filter, 50)).events.length;
      });
      const pass = ms <= GOAL_MS;
      allPass &&= pass;
      console.log(
        `[${kind}] ${label.padEnd(42)} ${ms.toFixed(1).padStart(7)} ms  (${count} events)  GOAL page ≤ ${GOAL_MS} ms at ${ROWS.toLocaleString('en')}: ${pass ? 'PASS' : 'FALLS SHORT'}`,
      );
    }

    // Appends after the synthetic rows (they chain onto a placeholder hash: fine for timing).
    const appends = 2000;
    const ta = performance.now();
    for (let i = 0; i < appends; i++) {
      await recordAudit(handle.db, {
        action: 'query.generated',
        actor: null,
        request: { method: 'GET', path: '/Users', filter: `userName eq "bench${i}"` },
      });
    }
    const perSec = appends / ((performance.now() - ta) / 1000);
    console.log(
      `[${kind}] sequential appends (own transaction each): ${perSec.toFixed(0)} events/s`,
    );
  } finally {
    await cleanup();
  }

  // Verify rate on a real chain.
  const dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
  const v = kind === 'sqlite' ? createDatabase({ kind: 'sqlite', path: join(dir, 'v.db') }) : null;
  if (v) {
    await migrateToLatest(v.db, 'sqlite');
    await v.db.transaction().execute(async (trx) => {
      for (let i = 0; i < 20_000; i++)
        await recordAudit(trx, { action: 'auth.login', actor: null, details: { method: 'local' } });
    });
    const tv = performance.now();
    const result = await verifyAuditChain(v.db);
    console.log(
      `[${kind}] verify: ${result.checked} events in ${(performance.now() - tv).toFixed(0)} ms (${(result.checked / ((performance.now() - tv) / 1000)).toFixed(0)} events/s), ok=${result.ok}`,
    );
    await v.close();
  }
  rmSync(dir, { recursive: true, force: true });
  return allPass;
}

const only = process.env.AUDIT_BENCH_DATABASES?.split(',');
const kinds = (['sqlite', 'postgres'] as const).filter(
  (k) => (k === 'sqlite' || process.env.DATABASE_URL) && (!only || only.includes(k)),
);
let pass = true;
for (const kind of kinds) pass = (await run(kind)) && pass;
console.log(pass ? 'all audit page goals met' : 'some audit page goals fall short (see above)');
