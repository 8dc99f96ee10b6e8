// Reads of the audit trail (the only writes are in audit.service.ts: inserts).
import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { computeEventHash, GENESIS_HASH } from './audit.hash.ts';
import { searchWords, MAX_TERM_LENGTH } from './audit.normalize.ts';
import type { AuditEventsTable } from './audit.tables.ts';
import type { AuditAction, AuditEvent } from './audit.types.ts';

type Row = Selectable<AuditEventsTable>;

export function toAuditRow(e: AuditEvent): AuditEventsTable {
  return {
    seq: e.seq,
    at: e.at,
    action: e.action,
    outcome: e.result,
    actor_id: e.actor?.id ?? null,
    actor_username: e.actor?.username ?? null,
    token_fingerprint: e.token?.fingerprint ?? null,
    token_version: e.token?.version ?? null,
    connection_id: e.connectionId,
    query_id: e.queryId,
    request_method: e.request?.method ?? null,
    request_path: e.request?.path ?? null,
    request_params: e.request ? JSON.stringify(e.request.params) : null,
    request_filter: e.request?.filter ?? null,
    outcome_status: e.outcome?.status ?? null,
    outcome_result_count: e.outcome?.resultCount ?? null,
    outcome_duration_ms: e.outcome?.durationMs ?? null,
    outcome_error: e.outcome?.error ? JSON.stringify(e.outcome.error) : null,
    details: e.details ? JSON.stringify(e.details) : null,
    ip: e.ip,
    user_agent: e.userAgent,
    request_id: e.requestId,
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

function parseJson<T>(text: string | null): T | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    // A row altered into invalid JSON: keep the text so verification reports a hash mismatch.
    return text as unknown as T;
  }
}

const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

export function fromAuditRow(r: Row): AuditEvent {
  return {
    seq: Number(r.seq),
    at: r.at,
    action: r.action as AuditAction,
    result: r.outcome,
    actor: r.actor_id !== null ? { id: r.actor_id, username: r.actor_username ?? '' } : null,
    token:
      r.token_fingerprint !== null
        ? { fingerprint: r.token_fingerprint, version: num(r.token_version) }
        : null,
    connectionId: r.connection_id,
    queryId: r.query_id,
    request:
      r.request_method !== null
        ? {
            method: r.request_method,
            path: r.request_path ?? '',
            params: parseJson<Record<string, string>>(r.request_params) ?? {},
            filter: r.request_filter,
          }
        : null,
    outcome:
      r.outcome_status !== null
        ? {
            status: Number(r.outcome_status),
            resultCount: num(r.outcome_result_count),
            durationMs: num(r.outcome_duration_ms),
            error: parseJson<{ code: string; message: string }>(r.outcome_error),
          }
        : null,
    details: parseJson<Record<string, unknown>>(r.details),
    ip: r.ip,
    userAgent: r.user_agent,
    requestId: r.request_id,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditQuery {
  /** Only events by this user (scope=own, or userId=). */
  actorId?: string;
  connectionId?: string;
  actions?: AuditAction[];
  result?: 'success' | 'failure';
  /** ISO-8601, inclusive. */
  from?: string;
  /** ISO-8601, exclusive. */
  to?: string;
  q?: string;
  /** Events with seq below this (keyset cursor, newest first). */
  beforeSeq?: number;
  /** Events with seq above this (ascending walks for export). */
  afterSeq?: number;
}

type AuditSelect = SelectQueryBuilder<Database, 'audit_events', object>;

/** A search word and how to match it (see planSearch). */
interface WordPlan {
  low: string;
  high: string;
  /** Matches many events: probe per event instead of collecting every match first. */
  common: boolean;
}

/**
 * Above this many matching index entries a word counts as common. A rare word is answered by
 * collecting its (few) matching seqs from the term index; a common one ("users", a frequent
 * user name) by walking events newest first and probing the (seq, term) index for each, which
 * stops as soon as a page is full. Counting is itself bounded: at most this many index entries.
 */
const COMMON_WORD_MATCHES = 10_000;

async function planSearch(db: Kysely<Database>, q: string | undefined): Promise<WordPlan[]> {
  if (!q) return [];
  const plans: WordPlan[] = [];
  for (const word of searchWords(q).slice(0, 5)) {
    const low = word.slice(0, MAX_TERM_LENGTH);
    const high = `${low}\u{10FFFF}`;
    const sample = await db
      .selectFrom(
        db
          .selectFrom('audit_terms')
          .select('audit_terms.seq')
          .where('term', '>=', low)
          .where('term', '<', high)
          .limit(COMMON_WORD_MATCHES)
          .as('m'),
      )
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    const matches = Number(sample?.n ?? 0);
    plans.push({ low, high, common: matches >= COMMON_WORD_MATCHES });
  }
  return plans;
}

function applyFilters(
  qb: AuditSelect,
  db: Kysely<Database>,
  f: AuditQuery,
  words: readonly WordPlan[],
): AuditSelect {
  if (f.actorId !== undefined) qb = qb.where('audit_events.actor_id', '=', f.actorId);
  if (f.connectionId !== undefined)
    qb = qb.where('audit_events.connection_id', '=', f.connectionId);
  if (f.actions && f.actions.length > 0) qb = qb.where('audit_events.action', 'in', f.actions);
  if (f.result !== undefined) qb = qb.where('audit_events.outcome', '=', f.result);
  if (f.from !== undefined) qb = qb.where('audit_events.at', '>=', f.from);
  if (f.to !== undefined) qb = qb.where('audit_events.at', '<', f.to);
  if (f.beforeSeq !== undefined) qb = qb.where('audit_events.seq', '<', f.beforeSeq);
  if (f.afterSeq !== undefined) qb = qb.where('audit_events.seq', '>', f.afterSeq);
  // Each word of q must prefix-match a word of the username, path or filter (audit_terms).
  for (const w of words) {
    qb = w.common
      ? qb.where(({ exists, selectFrom }) =>
          exists(
            selectFrom('audit_terms')
              .select('audit_terms.seq')
              .whereRef('audit_terms.seq', '=', 'audit_events.seq')
              .where('audit_terms.term', '>=', w.low)
              .where('audit_terms.term', '<', w.high),
          ),
        )
      : qb.where(
          'audit_events.seq',
          'in',
          db
            .selectFrom('audit_terms')
            .select('audit_terms.seq')
            .where('term', '>=', w.low)
            .where('term', '<', w.high),
        );
  }
  return qb;
}

export async function listAuditEvents(
  db: Kysely<Database>,
  f: AuditQuery,
  limit: number,
): Promise<{ events: AuditEvent[]; hasMore: boolean }> {
  const words = await planSearch(db, f.q);
  const rows = await applyFilters(db.selectFrom('audit_events'), db, f, words)
    .selectAll('audit_events')
    .orderBy('audit_events.seq', 'desc')
    .limit(limit + 1)
    .execute();
  return { events: rows.slice(0, limit).map(fromAuditRow), hasMore: rows.length > limit };
}

/** Oldest first, in batches: for streaming exports without holding the trail in memory. */
export async function* iterateAuditEvents(
  db: Kysely<Database>,
  f: AuditQuery,
  batchSize = 500,
): AsyncGenerator<AuditEvent> {
  const words = await planSearch(db, f.q);
  let afterSeq = f.afterSeq ?? 0;
  for (;;) {
    const rows = await applyFilters(db.selectFrom('audit_events'), db, { ...f, afterSeq }, words)
      .selectAll('audit_events')
      .orderBy('audit_events.seq', 'asc')
      .limit(batchSize)
      .execute();
    for (const r of rows) yield fromAuditRow(r);
    if (rows.length < batchSize) return;
    afterSeq = Number(rows[rows.length - 1]!.seq);
  }
}

export type VerifyResult =
  | { ok: true; checked: number; lastSeq: number | null; lastHash: string | null }
  | {
      ok: false;
      checked: number;
      brokenAt: number;
      reason: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap';
      message: string;
    };

/**
 * Walks the whole chain oldest first. Names the first broken link:
 *  - seq_gap: an event is missing (brokenAt = the first missing seq) — a deleted row;
 *  - prev_hash_mismatch: the event does not point at its predecessor's hash;
 *  - hash_mismatch: the event's content no longer matches its hash — an altered row.
 * Removing the newest events leaves a valid, shorter chain; compare lastSeq/lastHash with a
 * value recorded earlier (e.g. exported to a ticket) to detect that.
 */
export interface VerifyFrom {
  /** Resume after this event (a lastSeq returned by an earlier verification)… */
  afterSeq: number;
  /** …whose hash must still be this (that earlier lastHash): the anchor of the new part. */
  afterHash: string;
}

export async function verifyAuditChain(
  db: Kysely<Database>,
  batchSize = 1000,
  from?: VerifyFrom,
): Promise<VerifyResult> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  if (from) {
    const anchor = await db
      .selectFrom('audit_events')
      .select(['seq', 'hash'])
      .where('seq', '=', from.afterSeq)
      .executeTakeFirst();
    if (!anchor)
      return {
        ok: false,
        checked,
        brokenAt: from.afterSeq,
        reason: 'seq_gap',
        message: `Event ${from.afterSeq} (the anchor) is missing.`,
      };
    if (anchor.hash !== from.afterHash) {
      return {
        ok: false,
        checked,
        brokenAt: from.afterSeq,
        reason: 'hash_mismatch',
        message: `Event ${from.afterSeq} no longer has the hash recorded earlier.`,
      };
    }
    expectedSeq = from.afterSeq + 1;
    prevHash = from.afterHash;
  }
  for (;;) {
    const rows = await db
      .selectFrom('audit_events')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq', 'asc')
      .limit(batchSize)
      .execute();
    for (const row of rows) {
      const e = fromAuditRow(row);
      if (e.seq !== expectedSeq) {
        return {
          ok: false,
          checked,
          brokenAt: expectedSeq,
          reason: 'seq_gap',
          message: `Event ${expectedSeq} is missing (the next event is ${e.seq}).`,
        };
      }
      if (e.prevHash !== prevHash) {
        return {
          ok: false,
          checked,
          brokenAt: e.seq,
          reason: 'prev_hash_mismatch',
          message: `Event ${e.seq} does not link to event ${e.seq - 1}.`,
        };
      }
      let actual: string | null = null;
      try {
        actual = computeEventHash(e.prevHash, e);
      } catch {
        actual = null;
      }
      if (actual !== e.hash) {
        return {
          ok: false,
          checked,
          brokenAt: e.seq,
          reason: 'hash_mismatch',
          message: `Event ${e.seq} was altered: its content does not match its hash.`,
        };
      }
      checked++;
      expectedSeq = e.seq + 1;
      prevHash = e.hash;
    }
    if (rows.length < batchSize) break;
  }
  return expectedSeq === 1
    ? { ok: true, checked, lastSeq: null, lastHash: null }
    : { ok: true, checked, lastSeq: expectedSeq - 1, lastHash: prevHash };
}
