/** Core tables owned by the platform (users, sessions, settings, throttling, OIDC states). */
import type { Role } from '../../lib/actor.ts';

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: Role;
  auth_source: 'local' | 'oidc';
  password_hash: string | null;
  oidc_issuer: string | null;
  oidc_subject: string | null;
  /** 0/1 (SQLite cannot bind booleans). */
  disabled: number;
  theme: 'light' | 'dark' | 'system';
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the session id carried by the cookie. */
  id_hash: string;
  user_id: string;
  /** SHA-256 (hex) of the session's CSRF token (the token is derived from the session id). */
  csrf_token: string;
  auth_source: 'local' | 'oidc';
  created_at: string;
  last_seen_at: string;
  /** Absolute expiry (created_at + SESSION_ABSOLUTE_HOURS). */
  expires_at: string;
  ip: string;
  user_agent: string;
}

export interface SettingsTable {
  key: string;
  /** JSON text. */
  value: string;
  updated_at: string;
  updated_by: string | null;
}

export interface LoginThrottleTable {
  key: string;
  failures: number;
  window_started_at: string;
  locked_until: string | null;
  updated_at: string;
}

export interface OidcLoginStatesTable {
  state_hash: string;
  browser_hash: string;
  code_verifier: string;
  nonce: string;
  return_to: string;
  created_at: string;
  expires_at: string;
}

export interface CoreTables {
  users: UsersTable;
  sessions: SessionsTable;
  settings: SettingsTable;
  login_throttle: LoginThrottleTable;
  oidc_login_states: OidcLoginStatesTable;
}
