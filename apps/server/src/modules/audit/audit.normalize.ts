// Turns an AuditEventInput into the exact values that are hashed and stored. Everything that
// could make a stored value read back differently (NUL characters PostgreSQL refuses,
// fractional milliseconds, oversize text) is settled here, before hashing.
import { AppError } from '../../lib/errors.ts';
import { isFingerprint } from '../../lib/crypto/fingerprint.ts';
import { redactFilterValues } from './audit.redact.ts';
import {
  FAILURE_ACTIONS,
  isAuditAction,
  type AuditEvent,
  type AuditEventInput,
} from './audit.types.ts';

export const AUDIT_LIMITS = Object.freeze({
  shortText: 256,
  userAgent: 512,
  path: 2048,
  filter: 8192,
  errorMessage: 1000,
  paramValue: 2048,
  params: 50,
  detailsJson: 8192,
});

export interface NormalizeOptions {
  redactFilterValues: boolean;
}

function text(value: unknown, max: number): string | null {
  if (value === undefined || value === null) return null;
  // PostgreSQL text cannot hold NUL; replace it before hashing so stored = hashed.
  const s = String(value).replaceAll('\u0000', '\uFFFD');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function int(value: unknown): number | null {
  if (value === undefined || value === null || typeof value !== 'number' || !Number.isFinite(value))
    return null;
  return Math.max(-2147483648, Math.min(2147483647, Math.round(value)));
}

function cleanJson(value: unknown, depth = 0): unknown {
  if (depth > 8) return null;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string') return text(value, AUDIT_LIMITS.paramValue);
  if (Array.isArray(value)) return value.slice(0, 100).map((v) => cleanJson(v, depth + 1));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[text(k, AUDIT_LIMITS.shortText)!] = cleanJson(v, depth + 1);
    }
    return out;
  }
  return null;
}

export type NormalizedEvent = Omit<AuditEvent, 'seq' | 'at' | 'prevHash' | 'hash'>;

export function normalizeAuditInput(
  input: AuditEventInput,
  options: NormalizeOptions,
): NormalizedEvent {
  if (!isAuditAction(input.action)) throw new AppError('INTERNAL', 'Unknown audit action.');
  const token = input.token ?? null;
  if (token && !isFingerprint(token.fingerprint)) {
    // Defence in depth: a raw token must never reach the trail, even through a caller's bug.
    throw new AppError('INTERNAL', 'Audit events take a token fingerprint, never a token.');
  }
  const redact = (f: string | null) =>
    f !== null && options.redactFilterValues ? redactFilterValues(f) : f;

  let request: NormalizedEvent['request'] = null;
  if (input.request) {
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(input.request.params ?? {}).slice(0, AUDIT_LIMITS.params)) {
      const key = text(k, AUDIT_LIMITS.shortText)!;
      let value = text(v, AUDIT_LIMITS.paramValue) ?? '';
      if (key.toLowerCase() === 'filter') value = redact(text(v, AUDIT_LIMITS.filter)) ?? '';
      params[key] = value;
    }
    request = {
      method: text(input.request.method, 16)!.toUpperCase(),
      path: text(input.request.path, AUDIT_LIMITS.path)!,
      params,
      filter: redact(text(input.request.filter, AUDIT_LIMITS.filter)),
    };
  }

  let outcome: NormalizedEvent['outcome'] = null;
  if (input.outcome) {
    const err = input.outcome.error;
    outcome = {
      status: int(input.outcome.status) ?? 0,
      resultCount: int(input.outcome.resultCount),
      durationMs: int(input.outcome.durationMs),
      error: err
        ? { code: text(err.code, 64)!, message: text(err.message, AUDIT_LIMITS.errorMessage)! }
        : null,
    };
  }

  let details: Record<string, unknown> | null = null;
  if (input.details && typeof input.details === 'object') {
    details = cleanJson(input.details) as Record<string, unknown>;
    if (JSON.stringify(details).length > AUDIT_LIMITS.detailsJson) details = { truncated: true };
  }

  const failed =
    FAILURE_ACTIONS.has(input.action) ||
    (outcome !== null && (outcome.error !== null || outcome.status === 0 || outcome.status >= 400));

  const actor = input.actor;
  return {
    action: input.action,
    result: failed ? 'failure' : 'success',
    actor: actor
      ? {
          id: text(actor.userId, AUDIT_LIMITS.shortText)!,
          username: text(actor.username, AUDIT_LIMITS.shortText)!,
        }
      : null,
    token: token ? { fingerprint: token.fingerprint, version: int(token.version) } : null,
    connectionId: text(input.connectionId, AUDIT_LIMITS.shortText),
    queryId: text(input.queryId, AUDIT_LIMITS.shortText),
    request,
    outcome,
    details,
    ip: text(input.ip ?? actor?.ip, 64),
    userAgent: text(input.userAgent ?? actor?.userAgent, AUDIT_LIMITS.userAgent),
    requestId: text(input.requestId ?? actor?.requestId, AUDIT_LIMITS.shortText),
  };
}

// Words for the `q` search: username, request path and filter (after redaction, so a redacted
// value is not searchable either), and the username tried in a failed login.
const WORD_SPLIT = /[^\p{L}\p{N}@._+-]+/u;
const PART_SPLIT = /[@._+-]+/;
export const MAX_TERM_LENGTH = 64;

export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(WORD_SPLIT)
    .map((w) => w.replace(/^[@._+-]+|[@._+-]+$/g, ''))
    .filter((w) => w.length > 0)
    .map((w) => w.slice(0, MAX_TERM_LENGTH));
}

export function searchTerms(event: NormalizedEvent): string[] {
  const sources = [
    event.actor?.username,
    typeof event.details?.username === 'string' ? event.details.username : undefined,
    event.request?.path,
    event.request?.filter,
  ];
  const terms = new Set<string>();
  for (const source of sources) {
    if (!source) continue;
    for (const word of searchWords(source)) {
      terms.add(word);
      // "alice@example.com" is also found by "example" and "com".
      for (const part of word.split(PART_SPLIT)) if (part.length > 1) terms.add(part);
      if (terms.size >= 64) break;
    }
  }
  return [...terms].slice(0, 64);
}
