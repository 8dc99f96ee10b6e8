// The closed set of audit actions (docs/api.md) and their typed metadata.
import { AUDIT_ACTIONS, type AuditAction } from '@scim-console/api-contract';
import type { Actor } from '../../lib/actor.ts';

export { AUDIT_ACTIONS, type AuditAction };

export function isAuditAction(value: unknown): value is AuditAction {
  return typeof value === 'string' && (AUDIT_ACTIONS as readonly string[]).includes(value);
}

/** Actions that record a failure by their nature, whatever the outcome fields say. */
export const FAILURE_ACTIONS: ReadonlySet<AuditAction> = new Set([
  'auth.login_failed',
  'token.refresh_failed',
  'permission.denied',
]);

type AuthMethod = 'local' | 'oidc';
type CredentialKind = 'static' | 'oauth2' | 'login';

/**
 * Per-action metadata (`details`). Every field is optional so that a writer records what it
 * knows; nothing here may hold a secret (tokens appear only as `token.fingerprint`).
 */
export interface AuditDetailsByAction {
  'auth.login': { method?: AuthMethod };
  /** `username` is the name that was tried (the account may not exist). */
  'auth.login_failed': { method?: AuthMethod; username?: string; reason?: string };
  'auth.logout': { reason?: 'user' | 'expired' | 'disabled' | string };
  'token.linked': {
    kind?: CredentialKind;
    subject?: { id: string | null; userName: string | null } | null;
    scopes?: string[];
  };
  'token.refreshed': {
    grant?: 'refresh_token' | 'client_credentials' | string;
    rotatedRefreshToken?: boolean;
    expiresAt?: string | null;
  };
  'token.refresh_failed': { reason?: string; revoked?: boolean };
  'token.unlinked': { revokedAtProvider?: boolean };
  'query.generated': {
    resourceType?: string;
    source?: 'filter' | 'where' | 'preset';
    presetId?: string | null;
    warnings?: number;
  };
  'query.outcome': { totalResults?: number | null; pages?: number | null };
  'relay.request': { upstreamStatus?: number };
  'permission.denied': { permission?: string; route?: string; reason?: string };
  'connection.created': {
    name?: string;
    authKind?: CredentialKind;
    executionMode?: 'direct' | 'relay';
    baseUrl?: string;
  };
  'connection.updated': { name?: string; changed?: string[] };
  'connection.deleted': { name?: string };
  'user.created': { userId?: string; username?: string; role?: string };
  'user.updated': { userId?: string; username?: string; changed?: string[]; role?: string };
  'user.deleted': { userId?: string; username?: string };
  'settings.updated': { keys?: string[] };
  'keys.rotated': {
    activeKeyId?: string;
    rotated?: number;
    failed?: number;
    columns?: {
      table: string;
      column: string;
      rotated: number;
      rotatedFrom: Record<string, number>;
      failed: number;
    }[];
  };
}

export interface AuditRequestInfo {
  method: string;
  path: string;
  params?: Record<string, string> | null;
  filter?: string | null;
}

export interface AuditOutcomeInfo {
  /** HTTP status (0 = network/CORS failure). */
  status: number;
  resultCount?: number | null;
  durationMs?: number | null;
  error?: { code: string; message: string } | null;
}

interface AuditEventInputBase {
  /** null for system events (key rotation, failed logins of unknown users). */
  actor: Actor | null;
  connectionId?: string | null;
  queryId?: string | null;
  /** Only ever a fingerprint (lib/crypto fingerprintToken); recordAudit refuses anything else. */
  token?: { fingerprint: string; version: number | null } | null;
  request?: AuditRequestInfo | null;
  outcome?: AuditOutcomeInfo | null;
  /** Default to the actor's request context. */
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

export type AuditEventInput = {
  [A in AuditAction]: AuditEventInputBase & { action: A; details?: AuditDetailsByAction[A] | null };
}[AuditAction];

/** The stored and returned event; every field below `seq` is covered by `hash`. */
export interface AuditEvent {
  seq: number;
  at: string;
  action: AuditAction;
  /** Derived from the action and outcome; what `GET /api/logs?outcome=` filters on. */
  result: 'success' | 'failure';
  actor: { id: string; username: string } | null;
  token: { fingerprint: string; version: number | null } | null;
  connectionId: string | null;
  queryId: string | null;
  request: {
    method: string;
    path: string;
    params: Record<string, string>;
    filter: string | null;
  } | null;
  outcome: {
    status: number;
    resultCount: number | null;
    durationMs: number | null;
    error: { code: string; message: string } | null;
  } | null;
  details: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
}
