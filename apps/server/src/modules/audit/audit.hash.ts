// The hash chain.
//
//   hash(n) = hex(SHA-256( prevHash(n) + canonicalJson(fields(n)) ))     prevHash(1) = "0" × 64
//
// fields(n) is the AuditEvent without `prevHash` and `hash`: seq, at, action, result, actor,
// token, connectionId, queryId, request, outcome, details, ip, userAgent, requestId — every
// field always present (null when absent), so a column set to NULL is detected as well.
//
// Canonical JSON (RFC 8785 JCS for the values we store): object members sorted by key
// (UTF-16 code unit order), no whitespace, strings and numbers as ECMAScript JSON.stringify
// writes them, arrays in order, `undefined` members dropped. Numbers must be finite.
// Because every value is normalised before hashing (audit.normalize.ts) and stored as text or
// integers that read back identically, verification recomputes exactly the same bytes.
import { createHash } from 'node:crypto';
import type { AuditEvent } from './audit.types.ts';

export const GENESIS_HASH = '0'.repeat(64);

export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('canonicalJson: non-finite number');
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value))
        return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonicalJson: unsupported ${typeof value}`);
  }
}

export type HashedFields = Omit<AuditEvent, 'prevHash' | 'hash'>;

export function hashedFields(event: AuditEvent | HashedFields): HashedFields {
  return {
    seq: event.seq,
    at: event.at,
    action: event.action,
    result: event.result,
    actor: event.actor,
    token: event.token,
    connectionId: event.connectionId,
    queryId: event.queryId,
    request: event.request,
    outcome: event.outcome,
    details: event.details,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
  };
}

export function computeEventHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256')
    .update(prevHash + canonicalJson(hashedFields(fields)), 'utf8')
    .digest('hex');
}
