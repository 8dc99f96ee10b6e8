/**
 * Appends many audit events quickly, as a *valid* hash chain: each event is normalised by the
 * audit module (`normalizeAuditInput`), hashed with its `computeEventHash`, turned into a row
 * with its `toAuditRow`, and its search words come from `searchTerms` — exactly what
 * `recordAudit` stores, minus the per-event transaction. Rows go in batches of BATCH events,
 * one transaction per batch (SQLite: a prepared statement on the raw better-sqlite3 handle;
 * PostgreSQL: one `insert … select from unnest(…)` per table and batch). The chain continues
 * from whatever the table already holds, so it can grow in steps (10k → 100k → 1M) and stays
 * verifiable (`verifyAuditChain` / `GET /api/logs/verify`).
 *
 * Mix (roughly what a busy console writes): 45% query.generated, 45% query.outcome (2% of them
 * failures), 5% auth.login, 5% permission.denied; actors picked round-robin from `actors`;
 * filters name one of 50,000 people, so a text search has rare and common words.
 */
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { computeEventHash, GENESIS_HASH } from '../../apps/server/src/modules/audit/audit.hash.ts';
import {
  normalizeAuditInput,
  searchTerms,
} from '../../apps/server/src/modules/audit/audit.normalize.ts';
import { toAuditRow } from '../../apps/server/src/modules/audit/audit.repository.ts';
import type {
  AuditEvent,
  AuditEventInput,
} from '../../apps/server/src/modules/audit/audit.types.ts';

export interface FillActor {
  id: string;
  username: string;
}

export type FillTarget =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };

const BATCH = 5000;
const COLUMNS = [
  'seq',
  'at',
  'action',
  'outcome',
  'actor_id',
  'actor_username',
  'token_fingerprint',
  'token_version',
  'connection_id',
  'query_id',
  'request_method',
  'request_path',
  'request_params',
  'request_filter',
  'outcome_status',
  'outcome_result_count',
  'outcome_duration_ms',
  'outcome_error',
  'details',
  'ip',
  'user_agent',
  'request_id',
  'prev_hash',
  'hash',
] as const;
const PG_TYPES: Record<string, string> = {
  seq: 'bigint',
  token_version: 'integer',
  outcome_status: 'integer',
  outcome_result_count: 'integer',
  outcome_duration_ms: 'integer',
};

/** Synthetic actors u1…uN (for runs without real accounts). */
export function syntheticActors(n: number): FillActor[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `bench-user-${i + 1}`,
    username: `user${i + 1}`,
  }));
}

function inputFor(n: number, actors: FillActor[], connections: string[]): AuditEventInput {
  const a = actors[n % actors.length]!;
  const actor = {
    userId: a.id,
    username: a.username,
    role: 'operator' as const,
    permissions: new Set<never>(),
    sessionId: 's',
    ip: '127.0.0.1',
    userAgent: 'Mozilla/5.0 (bench)',
    requestId: `r${n}`,
  };
  const connectionId = connections[n % connections.length]!;
  const person = `person${(n * 7919) % 50_000}@example.com`;
  const filter = `userName eq "${person}"`;
  const kind = n % 20;
  if (kind < 9)
    return {
      action: 'query.generated',
      actor,
      connectionId,
      queryId: `q${n >> 1}`,
      request: { method: 'GET', path: '/Users', params: { filter, count: '100' }, filter },
      details: { resourceType: 'User', source: 'filter', warnings: 0 },
    };
  if (kind < 18)
    return {
      action: 'query.outcome',
      actor,
      connectionId,
      queryId: `q${n >> 1}`,
      request: { method: 'GET', path: '/Users', params: { filter, count: '100' }, filter },
      outcome:
        n % 50 === 1
          ? {
              status: 429,
              durationMs: 40,
              error: { code: 'RATE_LIMITED', message: 'Too many requests' },
            }
          : { status: 200, resultCount: 1, durationMs: 35 + (n % 90) },
      details: { totalResults: 1, pages: 1 },
    };
  if (kind === 18) return { action: 'auth.login', actor, details: { method: 'local' } };
  return {
    action: 'permission.denied',
    actor,
    request: { method: 'GET', path: '/api/users' },
    outcome: {
      status: 403,
      error: { code: 'FORBIDDEN', message: 'Missing permission users:manage.' },
    },
    details: { permission: 'users:manage', route: '/api/users' },
  };
}

/** The chain's last (seq, hash), or (0, genesis). */
async function lastEvent(target: FillTarget): Promise<{ seq: number; hash: string }> {
  if (target.kind === 'sqlite') {
    const db = new BetterSqlite3(target.path);
    try {
      const row = db
        .prepare('select seq, hash from audit_events order by seq desc limit 1')
        .get() as { seq: number; hash: string } | undefined;
      return row ? { seq: Number(row.seq), hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
    } finally {
      db.close();
    }
  }
  const c = new pg.Client({
    connectionString: target.url,
    options: `-c search_path=${target.schema}`,
  });
  await c.connect();
  try {
    const r = await c.query('select seq, hash from audit_events order by seq desc limit 1');
    return r.rows[0]
      ? { seq: Number(r.rows[0].seq), hash: r.rows[0].hash }
      : { seq: 0, hash: GENESIS_HASH };
  } finally {
    await c.end();
  }
}

/**
 * Appends events until the trail holds `totalRows` events. Timestamps run from `startAt`
 * (default: two days ago) one every `stepMs` (default 100 ms), so the newest are recent.
 */
export async function fillAudit(
  target: FillTarget,
  totalRows: number,
  options: { actors: FillActor[]; connections: string[]; startAt?: number; stepMs?: number },
): Promise<{ added: number; ms: number }> {
  const t0 = performance.now();
  let { seq, hash } = await lastEvent(target);
  const startAt = options.startAt ?? Date.now() - 2 * 86_400_000;
  const stepMs = options.stepMs ?? 100;
  const first = seq;
  const makeBatch = (n: number) => {
    const rows: ReturnType<typeof toAuditRow>[] = [];
    const terms: { term: string; seq: number }[] = [];
    for (let i = 0; i < n; i++) {
      seq += 1;
      const normalized = normalizeAuditInput(inputFor(seq, options.actors, options.connections), {
        redactFilterValues: false,
      });
      const fields = { seq, at: new Date(startAt + seq * stepMs).toISOString(), ...normalized };
      const event: AuditEvent = { ...fields, prevHash: hash, hash: computeEventHash(hash, fields) };
      hash = event.hash;
      rows.push(toAuditRow(event));
      for (const term of searchTerms(normalized)) terms.push({ term, seq });
    }
    return { rows, terms };
  };

  if (target.kind === 'sqlite') {
    const db = new BetterSqlite3(target.path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    const insertRow = db.prepare(
      `insert into audit_events (${COLUMNS.join(', ')}) values (${COLUMNS.map((c) => '@' + c).join(', ')})`,
    );
    const insertTerm = db.prepare('insert into audit_terms (term, seq) values (?, ?)');
    const write = db.transaction((batch: ReturnType<typeof makeBatch>) => {
      for (const r of batch.rows) insertRow.run(r);
      for (const t of batch.terms) insertTerm.run(t.term, t.seq);
    });
    try {
      while (seq < totalRows) write(makeBatch(Math.min(BATCH, totalRows - seq)));
      db.exec('analyze');
    } finally {
      db.close();
    }
  } else {
    const c = new pg.Client({
      connectionString: target.url,
      options: `-c search_path=${target.schema}`,
    });
    await c.connect();
    const casts = COLUMNS.map((col, i) => `$${i + 1}::${PG_TYPES[col] ?? 'text'}[]`).join(', ');
    try {
      while (seq < totalRows) {
        const batch = makeBatch(Math.min(BATCH, totalRows - seq));
        const columns = COLUMNS.map((col) =>
          batch.rows.map((r) => (r as unknown as Record<string, unknown>)[col] ?? null),
        );
        await c.query('begin');
        await c.query(
          `insert into audit_events (${COLUMNS.join(', ')}) select * from unnest(${casts})`,
          columns,
        );
        await c.query(
          'insert into audit_terms (term, seq) select * from unnest($1::text[], $2::bigint[])',
          [batch.terms.map((t) => t.term), batch.terms.map((t) => t.seq)],
        );
        await c.query('commit');
      }
      await c.query('analyze audit_events');
      await c.query('analyze audit_terms');
    } finally {
      await c.end();
    }
  }
  return { added: seq - first, ms: performance.now() - t0 };
}
