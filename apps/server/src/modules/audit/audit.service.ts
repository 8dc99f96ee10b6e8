// Appending to the audit trail. One event per call, written inside the caller's transaction
// (so the event commits or rolls back with the change it records), chained by hash.
//
// Appends are serialised so that two writers never read the same "last event":
//  - PostgreSQL: pg_advisory_xact_lock on a fixed key, held until the caller's transaction ends.
//    Call recordAudit last in your transaction to keep that window short. Use the default
//    READ COMMITTED isolation: the read of the last event must see rows committed while we
//    waited for the lock (were it stale, the seq primary key would refuse the insert — the
//    chain never forks, the transaction fails).
//  - SQLite: one writer at a time by design; Kysely's SQLite driver also runs one transaction
//    at a time per connection.
// There is no update or delete code path for audit_events; the database refuses both (triggers).
import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Actor } from '../../lib/actor.ts';
import type { Database } from '../../db/tables.ts';
import { computeEventHash, GENESIS_HASH } from './audit.hash.ts';
import { normalizeAuditInput, searchTerms, type NormalizeOptions } from './audit.normalize.ts';
import type { AuditEvent, AuditEventInput } from './audit.types.ts';
import { toAuditRow } from './audit.repository.ts';
import { retryBusy } from '../../lib/crypto/rotation.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Two-int advisory lock key: (namespace "SCIM" as int32, 1 = audit chain). */
const LOCK_NAMESPACE = 0x5343494d;
const LOCK_AUDIT_CHAIN = 1;

// Process-wide options, set once by buildApp (auditRoutes) from the config. recordAudit's
// signature is shared by every module; this is the one setting it needs that a caller should
// not have to pass around.
let defaults: NormalizeOptions = { redactFilterValues: false };

export function configureAudit(options: Partial<NormalizeOptions>): void {
  defaults = { ...defaults, ...options };
}

export function isPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function recordAudit(
  db: Db,
  input: AuditEventInput,
  options: Partial<NormalizeOptions> = {},
): Promise<AuditEvent> {
  const normalized = normalizeAuditInput(input, { ...defaults, ...options });
  const append = async (trx: Transaction<Database>): Promise<AuditEvent> => {
    if (isPostgres(trx))
      await sql`select pg_advisory_xact_lock(${LOCK_NAMESPACE}, ${LOCK_AUDIT_CHAIN})`.execute(trx);
    const last = await trx
      .selectFrom('audit_events')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const seq = last ? Number(last.seq) + 1 : 1;
    const prevHash = last ? last.hash : GENESIS_HASH;
    const fields = { seq, at: new Date().toISOString(), ...normalized };
    const event: AuditEvent = { ...fields, prevHash, hash: computeEventHash(prevHash, fields) };
    await trx.insertInto('audit_events').values(toAuditRow(event)).execute();
    const terms = searchTerms(normalized);
    if (terms.length > 0)
      await trx
        .insertInto('audit_terms')
        .values(terms.map((term) => ({ term, seq })))
        .execute();
    return event;
  };
  if (db.isTransaction) return append(db as Transaction<Database>);
  // Our own transaction: safe to re-run when another SQLite process committed in between.
  return retryBusy(() => (db as Kysely<Database>).transaction().execute(append));
}

export interface DeniedRouteInfo {
  method: string;
  /** The route pattern (e.g. /api/connections/:id) or the URL path without the query string. */
  path: string;
  permission: string;
  reason?: string;
}

/** The RBAC hook's writer: a 403 leaves this event (in its own transaction). */
export function recordPermissionDenied(
  db: Kysely<Database>,
  actor: Actor | null,
  route: DeniedRouteInfo,
): Promise<AuditEvent> {
  const path = route.path.split('?')[0] ?? route.path;
  return recordAudit(db, {
    action: 'permission.denied',
    actor,
    request: { method: route.method, path },
    outcome: {
      status: 403,
      error: { code: 'FORBIDDEN', message: `Missing permission ${route.permission}.` },
    },
    details: {
      permission: route.permission,
      route: path,
      ...(route.reason ? { reason: route.reason } : {}),
    },
  });
}
