// Console API shapes (docs/api.md). The web app never imports server code, so the
// contract is restated here; keep it in step with docs/api.md.

export type Role = 'viewer' | 'operator' | 'auditor' | 'admin';
export const ROLES: readonly Role[] = ['viewer', 'operator', 'auditor', 'admin'];

export type Permission =
  | 'query:run'
  | 'query:free-filter'
  | 'token:own'
  | 'history:own'
  | 'audit:read-all'
  | 'admin:manage';

export type ThemePreference = 'light' | 'dark' | 'system';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  permissions: string[];
  authSource: 'local' | 'oidc';
  preferences: { theme: ThemePreference };
  /** Present in admin listings (GET /api/users). */
  disabled?: boolean;
  createdAt?: string;
  lastLoginAt?: string | null;
}

export interface SessionInfo {
  user: User;
  csrfToken: string;
}

/** GET /api/auth/session: always 200, so a first visit logs no error in the console. */
export interface SessionProbe {
  user: User | null;
  csrfToken: string | null;
  state: 'active' | 'expired' | 'none';
}

export interface AuthProviders {
  local: boolean;
  oidc: { enabled: boolean; label: string };
}

export type AuthKind = 'static' | 'oauth2' | 'login';
export type ExecutionMode = 'direct' | 'relay';

export interface ConnectionOAuth {
  issuer?: string;
  authorizationEndpoint?: string;
  tokenEndpoint?: string;
  revocationEndpoint?: string;
  clientId: string;
  scopes: string[];
  hasClientSecret: boolean;
}

export interface Connection {
  id: string;
  name: string;
  baseUrl: string;
  authKind: AuthKind;
  executionMode: ExecutionMode;
  vendor: string;
  allowPrivateNetwork: boolean;
  oauth: ConnectionOAuth | null;
  grants: { roles: Role[]; userIds: string[] };
  createdAt: string;
  updatedAt: string;
}

export interface ConnectionInput {
  name: string;
  baseUrl: string;
  authKind: AuthKind;
  executionMode: ExecutionMode;
  vendor: string;
  allowPrivateNetwork: boolean;
  oauth: (Omit<ConnectionOAuth, 'hasClientSecret'> & { clientSecret?: string }) | null;
  grants: { roles: Role[]; userIds: string[] };
}

export interface ConnectionTestResult {
  ok: boolean;
  status?: number;
  latencyMs: number;
  message: string;
  serviceProviderConfig?: unknown;
}

export type TokenState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'invalid' | 'missing';

export interface TokenStatus {
  connectionId: string;
  state: TokenState;
  kind: AuthKind;
  expiresAt: string | null;
  scopes: string[];
  subject: { id: string | null; userName: string | null } | null;
  fingerprint: string | null;
  lastRefreshAt: string | null;
  lastVerifiedAt: string | null;
  message: string | null;
}

export interface AccessTokenResponse {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string | null;
  fingerprint: string | null;
}

export interface RefreshTokenResponse extends AccessTokenResponse {
  status: TokenStatus;
}

export interface Branding {
  name: string;
  primaryColor: string;
  logoDataUrl: string | null;
}

export interface AuditEvent {
  seq: number;
  at: string;
  actor: { id: string; username: string } | null;
  token: { fingerprint: string; version: number } | null;
  connectionId: string | null;
  action: string;
  /** Derived by the server from the action and outcome (what `outcome=` filters on). */
  result?: 'success' | 'failure';
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
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
  /** Per-action metadata, e.g. `query.generated`: `{ resourceType, source, presetId, warnings }`. */
  details?: Record<string, unknown> | null;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export type VerifyResult =
  | { ok: true; checked: number; lastSeq: number; lastHash: string }
  | { ok: false; checked: number; brokenAt: number; reason: string };

export interface SavedQuery {
  id: string;
  name: string;
  input: Record<string, unknown>;
  createdAt: string;
}

export { AUDIT_ACTIONS } from '@scim-console/api-contract';
