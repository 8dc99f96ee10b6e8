// The per-connection SCIM access tokens of the signed-in user, kept in module memory
// only. Invariants:
// - a token is never written to localStorage, sessionStorage, IndexedDB, a cookie, a URL
//   or a log line; reloading the page loses it and the next getToken() asks the backend;
// - at most one GET /api/token and one POST /api/token/refresh per connection are in
//   flight at a time (concurrent callers share the promise);
// - a cached token is reused until EXPIRY_MARGIN_MS before it expires.
// Subscribers (the header, the Tokens page) see states and expiry, never the token.
import { http, toApiError } from '../api/http';
import type {
  AccessTokenResponse,
  RefreshTokenResponse,
  TokenState,
  TokenStatus,
} from '../api/types';

export interface AccessToken {
  accessToken: string;
  expiresAt: string | null;
  /** The server's keyed fingerprint of this token, to name it without sending it back. */
  fingerprint: string | null;
}

/** What the UI may know about a connection's token: never the token itself. */
export interface TokenInfo {
  state: TokenState;
  expiresAt: string | null;
  /** The server's status record, when one was fetched. */
  status: TokenStatus | null;
  /** Why the token is unusable (revoked, invalid, refresh failed), in words. */
  message: string | null;
}

/** A cached token is not handed out in its last 30 s: the backend refreshes it instead. */
export const EXPIRY_MARGIN_MS = 30_000;
/** Tokens closer than this to their expiry show as "expiring". */
export const EXPIRING_WITHIN_MS = 5 * 60_000;

interface Entry {
  token: AccessToken | null;
  status: TokenStatus | null;
  /** A state learnt from an error (missing/revoked/invalid) that overrides the computed one. */
  forcedState: TokenState | null;
  message: string | null;
}

const entries = new Map<string, Entry>();
const pendingGets = new Map<string, Promise<AccessToken | null>>();
const pendingRefreshes = new Map<string, Promise<AccessToken>>();
const timers = new Map<string, ReturnType<typeof setTimeout>>();
const listeners = new Set<() => void>();
let snapshot: ReadonlyMap<string, TokenInfo> = new Map();
/** Bumped by clearTokens() so answers to requests made before a logout are dropped. */
let generation = 0;

function expiryMs(expiresAt: string | null | undefined): number | null {
  if (!expiresAt) return null;
  const ms = Date.parse(expiresAt);
  return Number.isNaN(ms) ? null : ms;
}

function stateOf(entry: Entry, now: number): TokenState {
  if (entry.forcedState) return entry.forcedState;
  const expiresAt = entry.token?.expiresAt ?? entry.status?.expiresAt ?? null;
  const base = entry.token ? 'valid' : (entry.status?.state ?? 'missing');
  if (base !== 'valid' && base !== 'expiring' && base !== 'expired') return base;
  const exp = expiryMs(expiresAt);
  if (exp === null) return base === 'expired' ? 'expired' : 'valid';
  if (exp <= now) return 'expired';
  if (exp - now <= EXPIRING_WITHIN_MS) return 'expiring';
  return 'valid';
}

function infoOf(entry: Entry, now: number): TokenInfo {
  return {
    state: stateOf(entry, now),
    expiresAt: entry.token?.expiresAt ?? entry.status?.expiresAt ?? null,
    status: entry.status,
    message: entry.message ?? entry.status?.message ?? null,
  };
}

// The state changes with the clock (valid → expiring → expired): wake up at each boundary.
function schedule(connectionId: string, entry: Entry): void {
  const old = timers.get(connectionId);
  if (old) clearTimeout(old);
  timers.delete(connectionId);
  if (entry.forcedState) return;
  const exp = expiryMs(entry.token?.expiresAt ?? entry.status?.expiresAt);
  if (exp === null) return;
  const now = Date.now();
  const next = [exp - EXPIRING_WITHIN_MS, exp].find((t) => t > now);
  if (next === undefined) return;
  // setTimeout overflows past 2^31-1 ms; waking early just recomputes.
  const delay = Math.min(next - now + 50, 2_000_000_000);
  timers.set(
    connectionId,
    setTimeout(() => {
      timers.delete(connectionId);
      publish();
      const current = entries.get(connectionId);
      if (current) schedule(connectionId, current);
    }, delay),
  );
}

function publish(): void {
  const now = Date.now();
  const next = new Map<string, TokenInfo>();
  for (const [id, entry] of entries) next.set(id, infoOf(entry, now));
  snapshot = next;
  for (const listener of [...listeners]) listener();
}

function update(connectionId: string, patch: Partial<Entry>): void {
  const entry: Entry = {
    token: null,
    status: null,
    forcedState: null,
    message: null,
    ...entries.get(connectionId),
    ...patch,
  };
  entries.set(connectionId, entry);
  schedule(connectionId, entry);
  publish();
}

function isFresh(token: AccessToken, now: number): boolean {
  const exp = expiryMs(token.expiresAt);
  return exp === null || exp - now > EXPIRY_MARGIN_MS;
}

const UNUSABLE: Partial<Record<string, TokenState>> = {
  TOKEN_MISSING: 'missing',
  TOKEN_REVOKED: 'revoked',
  TOKEN_INVALID: 'invalid',
  TOKEN_EXPIRED: 'expired',
};

/**
 * The caller's access token for a connection: from memory while fresh, else from the
 * backend (which refreshes it first when it is about to expire). Resolves to null when
 * there is no usable token (missing, revoked, invalid — see the store's state); rejects
 * with an ApiError when the backend cannot be asked.
 */
export function getToken(connectionId: string): Promise<AccessToken | null> {
  const cached = entries.get(connectionId)?.token;
  if (cached && isFresh(cached, Date.now())) return Promise.resolve(cached);
  const pending = pendingGets.get(connectionId);
  if (pending) return pending;
  const started = generation;
  const request = http
    .get<AccessTokenResponse>('/api/token', { params: { connectionId } })
    .then(
      ({ data }) => {
        if (started !== generation) return null;
        const token: AccessToken = {
          accessToken: data.accessToken,
          expiresAt: data.expiresAt,
          fingerprint: data.fingerprint,
        };
        update(connectionId, { token, forcedState: null, message: null });
        return token;
      },
      (e: unknown) => {
        const error = toApiError(e);
        const state = UNUSABLE[error.code];
        if (!state) throw error;
        if (started === generation)
          update(connectionId, { token: null, forcedState: state, message: error.message });
        return null;
      },
    )
    .finally(() => {
      // A logout in between may have let a newer request take this slot.
      if (pendingGets.get(connectionId) === request) pendingGets.delete(connectionId);
    });
  pendingGets.set(connectionId, request);
  return request;
}

/**
 * Asks the backend to refresh the token (after the SCIM API answered 401, or from the
 * Tokens page). Concurrent calls for one connection share one request. Rejects with an
 * ApiError (TOKEN_REVOKED means the user must reconnect).
 *
 * `rejectedAccessToken` is the token the provider just refused: the backend is then told its
 * fingerprint, so it never answers with that same token (a refresh finished moments ago
 * would otherwise satisfy the call).
 */
export function refreshToken(
  connectionId: string,
  rejectedAccessToken?: string,
): Promise<AccessToken> {
  const pending = pendingRefreshes.get(connectionId);
  if (pending) return pending;
  const started = generation;
  const known = entries.get(connectionId)?.token;
  const rejectedFingerprint =
    rejectedAccessToken !== undefined && known?.accessToken === rejectedAccessToken
      ? known.fingerprint
      : null;
  const request = http
    .post<RefreshTokenResponse>('/api/token/refresh', {
      connectionId,
      ...(rejectedFingerprint ? { rejectedFingerprint } : {}),
    })
    .then(
      ({ data }) => {
        const token: AccessToken = {
          accessToken: data.accessToken,
          expiresAt: data.expiresAt,
          fingerprint: data.fingerprint,
        };
        if (started === generation) {
          update(connectionId, {
            token,
            status: data.status ?? null,
            forcedState: null,
            message: null,
          });
        }
        return token;
      },
      (e: unknown) => {
        const error = toApiError(e);
        const state = UNUSABLE[error.code];
        if (state && started === generation) {
          update(connectionId, { token: null, forcedState: state, message: error.message });
        }
        throw error;
      },
    )
    .finally(() => {
      if (pendingRefreshes.get(connectionId) === request) pendingRefreshes.delete(connectionId);
    });
  pendingRefreshes.set(connectionId, request);
  return request;
}

/** Records the server's status for a connection (from GET/PUT /api/token…). */
export function setTokenStatus(status: TokenStatus): void {
  const entry = entries.get(status.connectionId);
  const usable =
    status.state === 'valid' || status.state === 'expiring' || status.state === 'expired';
  update(status.connectionId, {
    status,
    // A status saying the credential is gone/revoked wins over a cached token.
    token: usable ? (entry?.token ?? null) : null,
    forcedState: usable ? null : status.state,
    message: status.message,
  });
}

/** Drops the cached token (after link/unlink) so the next getToken() asks the backend. */
export function forgetToken(connectionId: string): void {
  const entry = entries.get(connectionId);
  if (!entry) return;
  update(connectionId, { token: null, forcedState: entry.forcedState });
}

/** Forgets every token and state (logout, session expiry). */
export function clearTokens(): void {
  generation += 1;
  entries.clear();
  pendingGets.clear();
  pendingRefreshes.clear();
  for (const timer of timers.values()) clearTimeout(timer);
  timers.clear();
  publish();
}

export function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** Immutable between changes (safe for useSyncExternalStore). */
export function getTokenSnapshot(): ReadonlyMap<string, TokenInfo> {
  return snapshot;
}

export function getTokenInfo(connectionId: string): TokenInfo | undefined {
  return snapshot.get(connectionId);
}
