import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import type { Actor } from '../../lib/actor.ts';
import { fingerprintToken, open, seal, type KeyRing } from '../../lib/crypto/index.ts';
import { AppError } from '../../lib/errors.ts';
import type { GuardedFetch } from '../../lib/http/guarded-fetch.ts';
import { recordAudit } from '../audit/audit.service.ts';
import {
  createAuthorizationServers,
  oauthErrorCode,
  type AuthorizationServers,
} from './oauth-client.ts';
import type { ProviderConnection } from './provider-connection.ts';
import * as repo from './token-vault.repository.ts';
import type { CredentialKind } from './token-vault.tables.ts';
import { verifyToken } from './token-verification.ts';

export type TokenState = 'valid' | 'expiring' | 'expired' | 'revoked' | 'invalid' | 'missing';

export interface TokenStatus {
  connectionId: string;
  state: TokenState;
  kind: CredentialKind;
  expiresAt: string | null;
  scopes: string[];
  subject: { id: string | null; userName: string | null } | null;
  fingerprint: string | null;
  lastRefreshAt: string | null;
  lastVerifiedAt: string | null;
  message: string | null;
}

export interface AccessTokenResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresAt: string | null;
  fingerprint: string;
}

/** The token set an OAuth/OIDC token endpoint returned (also what the SSO login hands over). */
export interface TokenSet {
  access_token: string;
  refresh_token?: string | undefined;
  expires_in?: number | undefined;
  scope?: string | undefined;
  token_type?: string | undefined;
}

/** How the vault reaches the connections module (grant check + the connection's settings). */
export interface ConnectionsPort {
  /** Throws NOT_FOUND / FORBIDDEN unless the caller may use the connection. */
  getForUse(actor: Actor, connectionId: string): Promise<ProviderConnection>;
  /** Every connection granted to the caller. */
  listUsable(actor: Actor): Promise<ProviderConnection[]>;
}

export interface TokenVaultDeps {
  db: Kysely<Database>;
  config: Config;
  keyRing: KeyRing;
  guardedFetch: GuardedFetch;
  connections: ConnectionsPort;
  now?: () => Date;
}

export const VAULT_LIMITS = Object.freeze({
  maxTokenLength: 8192,
  maxReturnToLength: 512,
  oauthStateTtlMs: 10 * 60 * 1000,
  /** A forced refresh is satisfied by one that finished this recently (bursts of 401 retries). */
  recentRefreshMs: 2000,
  leasePollMs: 40,
});

// Printable ASCII, no spaces: what every bearer token format uses (RFC 6750 b64token and more).
const TOKEN_SHAPE = /^[\x21-\x7e]+$/;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function parseScopes(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}

/** `returnTo` is a same-origin relative path: `/x…`, never `//host`, `/\host` or a scheme. */
export function safeReturnTo(value: unknown, publicUrl: string): string {
  if (typeof value !== 'string' || value === '') return '/';
  if (
    value.length > VAULT_LIMITS.maxReturnToLength ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\')
  ) {
    throw new AppError('VALIDATION_FAILED', 'returnTo must be a relative path on this site', {
      field: 'query.returnTo',
    });
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what we refuse
  if (/[\x00-\x1f\x7f\\]/.test(value)) {
    throw new AppError('VALIDATION_FAILED', 'returnTo must be a relative path on this site', {
      field: 'query.returnTo',
    });
  }
  const base = new URL(publicUrl);
  const resolved = new URL(value, base);
  if (resolved.origin !== base.origin) {
    throw new AppError('VALIDATION_FAILED', 'returnTo must be a relative path on this site', {
      field: 'query.returnTo',
    });
  }
  // Dot segments can collapse to a protocol-relative path ("/.//evil" → "//evil"), which a
  // browser would follow off the site: refuse what the normalised form would make external.
  if (resolved.pathname.startsWith('//')) {
    throw new AppError('VALIDATION_FAILED', 'returnTo must be a relative path on this site', {
      field: 'query.returnTo',
    });
  }
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

function withParam(path: string, name: string, value: string): string {
  const hashAt = path.indexOf('#');
  const [base, hash] = hashAt >= 0 ? [path.slice(0, hashAt), path.slice(hashAt)] : [path, ''];
  return `${base}${base.includes('?') ? '&' : '?'}${name}=${encodeURIComponent(value)}${hash}`;
}

export function createTokenVault(deps: TokenVaultDeps) {
  const now = deps.now ?? (() => new Date());
  const marginMs = deps.config.tokenRefreshMarginSeconds * 1000;
  const servers: AuthorizationServers = createAuthorizationServers({
    config: deps.config,
    guardedFetch: deps.guardedFetch,
  });
  const inflight = new Map<string, Promise<repo.CredentialRow>>();
  const leaseTtlMs = deps.config.httpTimeoutMs * 2 + 5000;

  const aad = (userId: string, connectionId: string, purpose: string) => ({
    ownerId: userId,
    connectionId,
    purpose,
  });
  const fingerprint = (token: string) => fingerprintToken(deps.config.fingerprintKey, token);

  function stateOf(row: repo.CredentialRow): TokenState {
    if (row.state === 'revoked') return 'revoked';
    if (row.state === 'invalid') return 'invalid';
    if (!row.expires_at) return 'valid';
    const expiresAt = Date.parse(row.expires_at);
    const left = expiresAt - now().getTime();
    if (left <= 0) return 'expired';
    // Tokens that live shorter than twice the margin would be "expiring" from birth and refreshed
    // on every use; for them the margin is half their lifetime.
    const lifetime = expiresAt - Date.parse(row.last_refresh_at ?? row.updated_at);
    const margin = lifetime > 0 ? Math.min(marginMs, lifetime / 2) : marginMs;
    return left <= margin ? 'expiring' : 'valid';
  }

  function statusOf(
    connection: Pick<ProviderConnection, 'id' | 'authKind'>,
    row: repo.CredentialRow | undefined,
  ): TokenStatus {
    if (!row) {
      return {
        connectionId: connection.id,
        state: 'missing',
        kind: connection.authKind,
        expiresAt: null,
        scopes: [],
        subject: null,
        fingerprint: null,
        lastRefreshAt: null,
        lastVerifiedAt: null,
        message:
          connection.authKind === 'static'
            ? 'Paste your personal API token to link it.'
            : 'Connect to link your account.',
      };
    }
    const state = stateOf(row);
    const defaultMessage: Partial<Record<TokenState, string>> = {
      revoked: 'The provider revoked this token. Reconnect to link a new one.',
      invalid: 'The provider refuses this token. Link a new one.',
      expired: row.refresh_token_sealed
        ? 'Expired; it is refreshed on next use.'
        : 'Expired. Link a new token.',
    };
    return {
      connectionId: row.connection_id,
      state,
      kind: row.kind,
      expiresAt: row.expires_at,
      scopes: parseScopes(row.scopes),
      subject:
        row.subject_id || row.subject_user_name
          ? { id: row.subject_id, userName: row.subject_user_name }
          : null,
      fingerprint: row.fingerprint,
      lastRefreshAt: row.last_refresh_at,
      lastVerifiedAt: row.last_verified_at,
      message: row.message ?? defaultMessage[state] ?? null,
    };
  }

  function openAccess(row: repo.CredentialRow): string {
    return open(
      deps.keyRing,
      row.access_token_sealed,
      aad(row.user_id, row.connection_id, 'token.access'),
    );
  }

  function tokenOf(row: repo.CredentialRow): AccessTokenResult {
    return {
      accessToken: openAccess(row),
      tokenType: 'Bearer',
      expiresAt: row.expires_at,
      fingerprint: row.fingerprint,
    };
  }

  function refusedFor(row: repo.CredentialRow): AppError | null {
    if (row.state === 'revoked')
      return new AppError(
        'TOKEN_REVOKED',
        'The provider revoked this token; reconnect to link a new one.',
        { connectionId: row.connection_id },
      );
    if (row.state === 'invalid')
      return new AppError('TOKEN_INVALID', 'The provider refuses this token; link a new one.', {
        connectionId: row.connection_id,
      });
    return null;
  }

  async function mustFind(actor: Actor, connectionId: string): Promise<repo.CredentialRow> {
    const row = await repo.findCredential(deps.db, actor.userId, connectionId);
    if (!row)
      throw new AppError('TOKEN_MISSING', 'No token is linked for this connection.', {
        connectionId,
      });
    return row;
  }

  const expiresAtFrom = (expiresIn: number | undefined): string | null =>
    typeof expiresIn === 'number' && Number.isFinite(expiresIn)
      ? new Date(now().getTime() + expiresIn * 1000).toISOString()
      : null;

  // ---------------------------------------------------------------- linking

  /** Stores a credential and writes `token.linked` in the same transaction. */
  async function storeCredential(
    actor: Actor,
    connection: ProviderConnection,
    kind: CredentialKind,
    tokens: {
      accessToken: string;
      refreshToken: string | null;
      expiresAt: string | null;
      scopes: string[];
      tokenType: string;
    },
    verification: {
      subject: { id: string | null; userName: string | null } | null;
      message: string | null;
      verified: boolean;
    },
  ): Promise<TokenStatus> {
    const at = now().toISOString();
    const fp = fingerprint(tokens.accessToken);
    await deps.db.transaction().execute(async (trx) => {
      const version = await repo.upsertCredential(
        trx,
        {
          user_id: actor.userId,
          connection_id: connection.id,
          kind,
          state: 'active',
          access_token_sealed: seal(
            deps.keyRing,
            tokens.accessToken,
            aad(actor.userId, connection.id, 'token.access'),
          ),
          refresh_token_sealed: tokens.refreshToken
            ? seal(
                deps.keyRing,
                tokens.refreshToken,
                aad(actor.userId, connection.id, 'token.refresh'),
              )
            : null,
          token_type: tokens.tokenType,
          expires_at: tokens.expiresAt,
          scopes: JSON.stringify(tokens.scopes),
          subject_id: verification.subject?.id ?? null,
          subject_user_name: verification.subject?.userName ?? null,
          fingerprint: fp,
          message: verification.message,
          last_refresh_at: null,
          last_verified_at: verification.verified ? at : null,
        },
        at,
      );
      await recordAudit(trx, {
        action: 'token.linked',
        actor,
        connectionId: connection.id,
        token: { fingerprint: fp, version },
        details: { kind, subject: verification.subject, scopes: tokens.scopes },
      });
    });
    return statusOf(connection, await repo.findCredential(deps.db, actor.userId, connection.id));
  }

  async function linkStatic(
    actor: Actor,
    connectionId: string,
    token: string,
  ): Promise<TokenStatus> {
    const connection = await deps.connections.getForUse(actor, connectionId);
    if (connection.authKind !== 'static') {
      throw new AppError(
        'CONFLICT',
        'This connection links tokens through OAuth or single sign-on, not by pasting one.',
        { field: 'body.connectionId' },
      );
    }
    const trimmed = token.trim();
    if (!trimmed || trimmed.length > VAULT_LIMITS.maxTokenLength || !TOKEN_SHAPE.test(trimmed)) {
      throw new AppError(
        'VALIDATION_FAILED',
        'A token is 1–8192 printable characters without spaces.',
        { field: 'body.token' },
      );
    }
    const verification = await verifyToken(deps.guardedFetch, connection, trimmed);
    if (!verification.ok) {
      throw new AppError('TOKEN_INVALID', verification.message, {
        connectionId,
        status: verification.status,
      });
    }
    return storeCredential(
      actor,
      connection,
      'static',
      {
        accessToken: trimmed,
        refreshToken: null,
        expiresAt: null,
        scopes: [],
        tokenType: 'Bearer',
      },
      {
        subject: verification.subject,
        message: verification.message,
        verified: verification.via !== 'ServiceProviderConfig',
      },
    );
  }

  /** Verifies a token obtained through OAuth/SSO; never blocks linking (the grant itself proved it). */
  async function subjectFor(connection: ProviderConnection, accessToken: string) {
    try {
      const v = await verifyToken(deps.guardedFetch, connection, accessToken);
      if (v.ok)
        return {
          subject: v.subject,
          message: v.message,
          verified: v.via !== 'ServiceProviderConfig',
        };
      return { subject: null, message: v.message, verified: false };
    } catch (error) {
      return {
        subject: null,
        message: error instanceof AppError ? error.message : 'Could not verify the token.',
        verified: false,
      };
    }
  }

  /**
   * The SSO login hands over its token set: stored for every `login` connection the user may
   * use. Called by the platform's OIDC callback (see README).
   */
  async function storeLoginTokens(actor: Actor, tokenSet: TokenSet): Promise<TokenStatus[]> {
    if (!tokenSet.access_token) return [];
    const connections = (await deps.connections.listUsable(actor)).filter(
      (c) => c.authKind === 'login',
    );
    const out: TokenStatus[] = [];
    for (const connection of connections) {
      const verification = await subjectFor(connection, tokenSet.access_token);
      out.push(
        await storeCredential(
          actor,
          connection,
          'login',
          {
            accessToken: tokenSet.access_token,
            refreshToken: tokenSet.refresh_token ?? null,
            expiresAt: expiresAtFrom(tokenSet.expires_in),
            scopes: tokenSet.scope ? tokenSet.scope.split(' ').filter(Boolean) : [],
            tokenType: 'Bearer',
          },
          verification,
        ),
      );
    }
    return out;
  }

  // ---------------------------------------------------------------- OAuth code + PKCE

  async function startOAuth(
    actor: Actor,
    connectionId: string,
    returnToInput: unknown,
  ): Promise<string> {
    const returnTo = safeReturnTo(returnToInput, deps.config.publicUrl);
    const connection = await deps.connections.getForUse(actor, connectionId);
    if (connection.authKind === 'static') {
      throw new AppError('CONFLICT', 'This connection takes a pasted personal token, not OAuth.', {
        field: 'query.connectionId',
      });
    }
    const server = await servers.get(connection);
    if (!server.config.serverMetadata().authorization_endpoint) {
      throw new AppError('CONFLICT', 'This connection has no authorization endpoint.', {
        field: 'query.connectionId',
      });
    }
    const state = oidc.randomState();
    const verifier = oidc.randomPKCECodeVerifier();
    const challenge = await oidc.calculatePKCECodeChallenge(verifier);
    const redirectUri = `${deps.config.publicUrl}/api/token/oauth/callback`;
    const at = now();
    await deps.db
      .insertInto('oauth_link_states')
      .values({
        state_hash: sha256(state),
        user_id: actor.userId,
        session_id: actor.sessionId,
        connection_id: connection.id,
        code_verifier_sealed: seal(
          deps.keyRing,
          verifier,
          aad(actor.userId, connection.id, 'oauth.pkce_verifier'),
        ),
        return_to: returnTo,
        redirect_uri: redirectUri,
        created_at: at.toISOString(),
        expires_at: new Date(at.getTime() + VAULT_LIMITS.oauthStateTtlMs).toISOString(),
        used_at: null,
      })
      .execute();
    // Old, unused states of this user are garbage.
    await deps.db
      .deleteFrom('oauth_link_states')
      .where('user_id', '=', actor.userId)
      .where('expires_at', '<', at.toISOString())
      .execute();
    const scopes = server.scopes;
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      response_type: 'code',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      state,
    };
    if (scopes.length > 0) params['scope'] = scopes.join(' ');
    // OpenID Connect issues a refresh token for offline_access only with a consent prompt.
    if (scopes.includes('offline_access')) params['prompt'] = 'consent';
    return oidc.buildAuthorizationUrl(server.config, params).toString();
  }

  type CallbackResult = { kind: 'redirect'; location: string } | { kind: 'needs-session' };

  /**
   * Completes a link. The state is looked up server-side (hashed), must be unexpired and
   * unused, and must belong to the caller's user AND session. Every outcome is a redirect to
   * the stored `returnTo` with `tokenLinked` or `tokenError` — never to a URL from the query.
   */
  async function completeOAuth(
    actor: Actor | undefined,
    query: Record<string, string | undefined>,
    retried: boolean,
  ): Promise<CallbackResult> {
    const stateParam = query['state'];
    const fail = (returnTo: string, code: string): CallbackResult => ({
      kind: 'redirect',
      location: withParam(returnTo, 'tokenError', code),
    });
    if (!stateParam || stateParam.length > 512) return fail('/', 'VALIDATION_FAILED');
    const row = await deps.db
      .selectFrom('oauth_link_states')
      .selectAll()
      .where('state_hash', '=', sha256(stateParam))
      .executeTakeFirst();
    if (!row || row.used_at !== null || row.expires_at < now().toISOString())
      return fail(row?.return_to ?? '/', 'VALIDATION_FAILED');
    if (!actor) {
      // The session cookie is SameSite=Strict, so the first, cross-site hop from the provider
      // arrives without it; one same-site reload (see routes) brings it. Nothing is consumed yet.
      if (!retried) return { kind: 'needs-session' };
      return fail(row.return_to, 'UNAUTHENTICATED');
    }
    // Single use: only one request can flip used_at.
    const claimed = await deps.db
      .updateTable('oauth_link_states')
      .set({ used_at: now().toISOString() })
      .where('state_hash', '=', row.state_hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return fail(row.return_to, 'VALIDATION_FAILED');
    if (actor.userId !== row.user_id || actor.sessionId !== row.session_id)
      return fail(row.return_to, 'FORBIDDEN');
    if (query['error'])
      return fail(
        row.return_to,
        query['error'] === 'access_denied' ? 'FORBIDDEN' : 'PROVIDER_ERROR',
      );
    try {
      const connection = await deps.connections.getForUse(actor, row.connection_id);
      const server = await servers.get(connection);
      const verifier = open(
        deps.keyRing,
        row.code_verifier_sealed,
        aad(row.user_id, row.connection_id, 'oauth.pkce_verifier'),
      );
      const currentUrl = new URL(row.redirect_uri);
      for (const [key, value] of Object.entries(query))
        if (value !== undefined && key !== '_r') currentUrl.searchParams.set(key, value);
      const tokens = await oidc.authorizationCodeGrant(server.config, currentUrl, {
        pkceCodeVerifier: verifier,
        expectedState: stateParam,
      });
      const verification = await subjectFor(connection, tokens.access_token);
      await storeCredential(
        actor,
        connection,
        connection.authKind === 'login' ? 'login' : 'oauth2',
        {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token ?? null,
          expiresAt: expiresAtFrom(tokens.expiresIn()),
          scopes: tokens.scope ? tokens.scope.split(' ').filter(Boolean) : server.scopes,
          tokenType: 'Bearer',
        },
        verification,
      );
      return {
        kind: 'redirect',
        location: withParam(row.return_to, 'tokenLinked', row.connection_id),
      };
    } catch (error) {
      return fail(row.return_to, error instanceof AppError ? error.code : 'PROVIDER_ERROR');
    }
  }

  // ---------------------------------------------------------------- refresh (single-flight)

  async function callTokenEndpoint(connection: ProviderConnection, row: repo.CredentialRow) {
    if (row.kind === 'static') return null;
    const server = await servers.get(connection);
    if (row.refresh_token_sealed) {
      const refreshToken = open(
        deps.keyRing,
        row.refresh_token_sealed,
        aad(row.user_id, row.connection_id, 'token.refresh'),
      );
      return {
        grant: 'refresh_token' as const,
        tokens: await oidc.refreshTokenGrant(server.config, refreshToken),
      };
    }
    if (row.kind === 'oauth2' && server.hasClientSecret) {
      const params: Record<string, string> = server.scopes.length
        ? { scope: server.scopes.join(' ') }
        : {};
      return {
        grant: 'client_credentials' as const,
        tokens: await oidc.clientCredentialsGrant(server.config, params),
      };
    }
    return null;
  }

  /** One refresh attempt while holding the lease. */
  async function refreshHoldingLease(
    actor: Actor,
    connection: ProviderConnection,
    row: repo.CredentialRow,
  ): Promise<repo.CredentialRow> {
    const at = () => now().toISOString();
    if (row.kind === 'static') {
      // A personal token cannot be refreshed; "refresh" re-verifies it with the provider.
      const verification = await verifyToken(deps.guardedFetch, connection, openAccess(row));
      if (!verification.ok && verification.status === 401) {
        await deps.db.transaction().execute(async (trx) => {
          await repo.updateCredential(trx, actor.userId, connection.id, {
            state: 'invalid',
            message: verification.message,
            updated_at: at(),
          });
          await recordAudit(trx, {
            action: 'token.refresh_failed',
            actor,
            connectionId: connection.id,
            token: { fingerprint: row.fingerprint, version: row.token_version },
            outcome: {
              status: 401,
              error: { code: 'TOKEN_INVALID', message: verification.message },
            },
            details: { reason: 'static token refused by the provider' },
          });
        });
      } else if (verification.ok) {
        await repo.updateCredential(deps.db, actor.userId, connection.id, {
          last_verified_at: at(),
          updated_at: at(),
        });
      }
      return (await repo.findCredential(deps.db, actor.userId, connection.id))!;
    }

    let result: Awaited<ReturnType<typeof callTokenEndpoint>>;
    try {
      result = await callTokenEndpoint(connection, row);
    } catch (error) {
      const code = oauthErrorCode(error);
      const revoked = code === 'invalid_grant';
      const message = revoked
        ? 'The provider no longer accepts the refresh token (invalid_grant). Reconnect.'
        : `Refresh failed: ${error instanceof AppError ? error.message : (code ?? 'the token endpoint answered with an error')}`;
      await deps.db.transaction().execute(async (trx) => {
        await repo.updateCredential(trx, actor.userId, connection.id, {
          ...(revoked ? { state: 'revoked' as const } : {}),
          message,
          updated_at: at(),
        });
        await recordAudit(trx, {
          action: 'token.refresh_failed',
          actor,
          connectionId: connection.id,
          token: { fingerprint: row.fingerprint, version: row.token_version },
          outcome: {
            status: revoked ? 400 : 502,
            error: { code: revoked ? 'TOKEN_REVOKED' : 'PROVIDER_ERROR', message },
          },
          details: { reason: code ?? (error instanceof AppError ? error.code : 'error'), revoked },
        });
      });
      if (revoked)
        throw new AppError(
          'TOKEN_REVOKED',
          'The provider revoked this token; reconnect to link a new one.',
          { connectionId: connection.id },
        );
      if (error instanceof AppError) throw error;
      throw new AppError('PROVIDER_ERROR', message, { connectionId: connection.id });
    }
    if (!result) {
      throw new AppError(
        'TOKEN_EXPIRED',
        'This token cannot be refreshed (no refresh token); reconnect.',
        { connectionId: connection.id },
      );
    }
    const { tokens, grant } = result;
    const refreshedAt = at();
    const fp = fingerprint(tokens.access_token);
    const rotated = !!tokens.refresh_token;
    await deps.db.transaction().execute(async (trx) => {
      const version = row.token_version + 1;
      const expiresAt = expiresAtFrom(tokens.expiresIn());
      await repo.updateCredential(trx, actor.userId, connection.id, {
        state: 'active',
        access_token_sealed: seal(
          deps.keyRing,
          tokens.access_token,
          aad(actor.userId, connection.id, 'token.access'),
        ),
        // Rotated refresh tokens replace the old one (which the provider may already have invalidated).
        ...(rotated
          ? {
              refresh_token_sealed: seal(
                deps.keyRing,
                tokens.refresh_token!,
                aad(actor.userId, connection.id, 'token.refresh'),
              ),
            }
          : {}),
        expires_at: expiresAt,
        ...(tokens.scope
          ? { scopes: JSON.stringify(tokens.scope.split(' ').filter(Boolean)) }
          : {}),
        fingerprint: fp,
        token_version: version,
        message: null,
        last_refresh_at: refreshedAt,
        updated_at: refreshedAt,
      });
      await recordAudit(trx, {
        action: 'token.refreshed',
        actor,
        connectionId: connection.id,
        token: { fingerprint: fp, version },
        details: { grant, rotatedRefreshToken: rotated, expiresAt },
      });
    });
    return (await repo.findCredential(deps.db, actor.userId, connection.id))!;
  }

  /**
   * Single-flight refresh for (user, connection), across replicas: whoever takes the lease row
   * calls the token endpoint; everyone else polls the credential until its version moves (or
   * the holder records a failure). A forced refresh is satisfied by one that completed after
   * (or just before) it was asked for; an unforced one by any token that is not expiring; one
   * that names the token the provider refused, only by a different token.
   */
  async function singleFlight(
    actor: Actor,
    connection: ProviderConnection,
    force: boolean,
    rejectedFingerprint?: string,
  ): Promise<repo.CredentialRow> {
    const key = `${actor.userId}\u0000${connection.id}\u0000${String(force)}\u0000${rejectedFingerprint ?? ''}`;
    const running = inflight.get(key);
    if (running) return running;
    const promise = (async () => {
      const askedAt = now().getTime();
      const first = await mustFind(actor, connection.id);
      const startVersion = first.token_version;
      const startUpdatedAt = first.updated_at;
      const holder = randomUUID();
      const deadline = askedAt + leaseTtlMs + 5000;
      const satisfied = (row: repo.CredentialRow): boolean => {
        // The caller saw this token refused (401): only a different one will do.
        if (rejectedFingerprint !== undefined) return row.fingerprint !== rejectedFingerprint;
        if (row.token_version > startVersion) return true;
        if (force) {
          // A personal token is "refreshed" by re-verifying it.
          const last = row.kind === 'static' ? row.last_verified_at : row.last_refresh_at;
          return last !== null && Date.parse(last) >= askedAt - VAULT_LIMITS.recentRefreshMs;
        }
        const state = stateOf(row);
        return state === 'valid';
      };
      for (;;) {
        const row = await mustFind(actor, connection.id);
        const refused = refusedFor(row);
        if (refused) throw refused;
        if (satisfied(row)) return row;
        if (row.updated_at > startUpdatedAt && row.message?.startsWith('Refresh failed')) {
          throw new AppError('PROVIDER_ERROR', row.message, { connectionId: connection.id });
        }
        if (
          await repo.tryAcquireLease(
            deps.db,
            actor.userId,
            connection.id,
            holder,
            now(),
            leaseTtlMs,
          )
        ) {
          try {
            // Re-read under the lease: the previous holder may have finished just before we took it.
            const current = await mustFind(actor, connection.id);
            const refusedNow = refusedFor(current);
            if (refusedNow) throw refusedNow;
            if (satisfied(current)) return current;
            return await refreshHoldingLease(actor, connection, current);
          } finally {
            await repo.releaseLease(deps.db, actor.userId, connection.id, holder);
          }
        }
        if (now().getTime() > deadline) {
          throw new AppError(
            'PROVIDER_UNREACHABLE',
            'Timed out waiting for a token refresh in progress.',
            { connectionId: connection.id },
          );
        }
        await sleep(
          VAULT_LIMITS.leasePollMs + Math.floor(Math.random() * VAULT_LIMITS.leasePollMs),
        );
      }
    })();
    inflight.set(key, promise);
    promise.then(
      () => inflight.delete(key),
      () => inflight.delete(key),
    );
    return promise;
  }

  // ---------------------------------------------------------------- API

  async function status(actor: Actor, connectionId: string): Promise<TokenStatus> {
    const connection = await deps.connections.getForUse(actor, connectionId);
    return statusOf(connection, await repo.findCredential(deps.db, actor.userId, connectionId));
  }

  async function statuses(actor: Actor): Promise<TokenStatus[]> {
    const connections = await deps.connections.listUsable(actor);
    const rows = new Map(
      (await repo.listCredentials(deps.db, actor.userId)).map((r) => [r.connection_id, r]),
    );
    return connections.map((c) => statusOf(c, rows.get(c.id)));
  }

  /** The caller's current access token, refreshed first when it expires within the margin. */
  async function getAccessToken(actor: Actor, connectionId: string): Promise<AccessTokenResult> {
    const connection = await deps.connections.getForUse(actor, connectionId);
    let row = await mustFind(actor, connectionId);
    const refused = refusedFor(row);
    if (refused) throw refused;
    const state = stateOf(row);
    if (state === 'expiring' || state === 'expired') {
      if (row.kind === 'static') {
        if (state === 'expired')
          throw new AppError('TOKEN_EXPIRED', 'This token has expired; link a new one.', {
            connectionId,
          });
      } else {
        try {
          row = await singleFlight(actor, connection, false);
        } catch (error) {
          // An expiring (not yet expired) token is still usable when the provider is down.
          if (
            state === 'expired' ||
            (error instanceof AppError &&
              (error.code === 'TOKEN_REVOKED' || error.code === 'TOKEN_INVALID'))
          )
            throw error;
        }
      }
    }
    return tokenOf(row);
  }

  async function refresh(
    actor: Actor,
    connectionId: string,
    rejectedFingerprint?: string,
  ): Promise<AccessTokenResult & { status: TokenStatus }> {
    const connection = await deps.connections.getForUse(actor, connectionId);
    const row = await singleFlight(actor, connection, true, rejectedFingerprint);
    const refused = refusedFor(row);
    if (refused) throw refused;
    return { ...tokenOf(row), status: statusOf(connection, row) };
  }

  /** Unlinks; revokes at the provider when a revocation endpoint is known (best effort). */
  async function unlink(actor: Actor, connectionId: string): Promise<void> {
    const row = await repo.findCredential(deps.db, actor.userId, connectionId);
    if (!row) return;
    let revokedAtProvider = false;
    if (row.kind !== 'static') {
      try {
        const connection = await deps.connections.getForUse(actor, connectionId);
        const server = await servers.get(connection);
        if (server.revocationEndpoint) {
          if (row.refresh_token_sealed) {
            const refreshToken = open(
              deps.keyRing,
              row.refresh_token_sealed,
              aad(row.user_id, row.connection_id, 'token.refresh'),
            );
            await oidc.tokenRevocation(server.config, refreshToken, {
              token_type_hint: 'refresh_token',
            });
          }
          await oidc.tokenRevocation(server.config, openAccess(row), {
            token_type_hint: 'access_token',
          });
          revokedAtProvider = true;
        }
      } catch {
        // The link is removed either way; the audit event says whether the provider confirmed.
      }
    }
    await deps.db.transaction().execute(async (trx) => {
      await repo.deleteCredential(trx, actor.userId, connectionId);
      await recordAudit(trx, {
        action: 'token.unlinked',
        actor,
        connectionId,
        token: { fingerprint: row.fingerprint, version: row.token_version },
        details: { revokedAtProvider },
      });
    });
  }

  /**
   * For server-side callers (discovery, relay): the caller's token, and a one-shot way to get
   * a fresh one after the provider answered 401.
   */
  async function tokenForUse(actor: Actor, connection: ProviderConnection) {
    const current = await getAccessToken(actor, connection.id);
    return {
      ...current,
      async refreshAfter401(): Promise<AccessTokenResult | null> {
        try {
          const row = await singleFlight(actor, connection, true, current.fingerprint);
          if (refusedFor(row) || row.fingerprint === current.fingerprint) return null;
          return tokenOf(row);
        } catch {
          return null;
        }
      },
    };
  }

  return {
    status,
    statuses,
    linkStatic,
    storeLoginTokens,
    startOAuth,
    completeOAuth,
    getAccessToken,
    refresh,
    unlink,
    tokenForUse,
    statusOf,
  };
}

export type TokenVault = ReturnType<typeof createTokenVault>;

/** Random opaque ids (queries, saved queries). */
export function randomId(): string {
  return randomBytes(16).toString('base64url');
}
