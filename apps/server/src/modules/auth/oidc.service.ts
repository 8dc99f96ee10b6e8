/**
 * OIDC single sign-on (openid-client 6): authorization code + PKCE (S256) + state + nonce.
 *
 * - The state, PKCE verifier and nonce stay in the database (oidc_login_states, keyed by
 *   SHA-256(state), single use, 10 minutes). The browser gets only a random binding cookie
 *   whose hash must match the row, so a callback URL cannot be replayed in another browser
 *   (login CSRF) and nothing the client holds can be forged into a verifier.
 * - Every call to the identity provider goes through the guarded HTTP client, limited to the
 *   issuer's origin and the endpoint origins its own discovery document names.
 * - Plain-http issuers are accepted only on loopback in the demo profile (the sandbox).
 * - Roles come from a claim (OIDC_ROLE_CLAIM) through OIDC_ROLE_MAP on every sign-in, so
 *   removing someone from an IdP group demotes them at their next sign-in.
 */
import * as oidc from 'openid-client';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import { isHttpLoopback, type Config, type OidcConfig } from '../../config.ts';
import type { Database } from '../../db/tables.ts';
import type { Role } from '../../lib/actor.ts';
import { AppError } from '../../lib/errors.ts';
import type { GuardedFetch } from '../../lib/http/guarded-fetch.ts';
import { openidCustomFetch } from '../../lib/http/guarded-fetch.ts';
import {
  findUserByOidcIdentity,
  findUserByUsername,
  insertUser,
  updateUser,
  type UserRow,
} from '../users/users.repository.ts';
import { randomToken, safeEqual, sha256Hex } from './session.service.ts';

export const OIDC_BINDING_COOKIE = 'scim_console_oidc';
export const OIDC_STATE_TTL_MS = 10 * 60_000;
export const OIDC_CALLBACK_PATH = '/api/auth/oidc/callback';

export interface OidcDeps {
  db: Kysely<Database>;
  config: Config;
  now: () => Date;
  guardedFetch: GuardedFetch;
  log: FastifyBaseLogger;
}

/** The token set of a successful SSO sign-in (handed to the token vault for `login` connections). */
export interface SsoTokenSet {
  access_token: string;
  refresh_token?: string | undefined;
  expires_in?: number | undefined;
  scope?: string | undefined;
  token_type?: string | undefined;
}

export class OidcLoginError extends Error {
  constructor(
    readonly code:
      | 'UNAUTHENTICATED'
      | 'FORBIDDEN'
      | 'PROVIDER_UNREACHABLE'
      | 'PROVIDER_ERROR'
      | 'VALIDATION_FAILED',
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'OidcLoginError';
  }
}

export function redirectUri(config: Config): string {
  return `${config.publicUrl}${OIDC_CALLBACK_PATH}`;
}

/** Discovery is cached per configuration; a failed discovery is retried on the next sign-in. */
const discoveries = new WeakMap<object, { at: number; promise: Promise<oidc.Configuration> }>();

export function oidcConfiguration(
  deps: OidcDeps,
  settings: OidcConfig,
): Promise<oidc.Configuration> {
  const cached = discoveries.get(settings);
  const maxAgeMs = deps.config.discoveryCacheSeconds * 1000;
  if (cached && Date.now() - cached.at < maxAgeMs) return cached.promise;
  const allowedOrigins = new Set([new URL(settings.issuer).origin]);
  // The operator configured this issuer (it is not user input), so on-premises/private
  // addresses are allowed; origins stay limited to what the issuer itself names.
  const policy = {
    get allowedOrigins() {
      return [...allowedOrigins];
    },
    allowPrivateNetwork: true,
  };
  const insecure = isHttpLoopback(settings.issuer) && deps.config.profile === 'demo';
  const promise = oidc
    .discovery(
      new URL(settings.issuer),
      settings.clientId,
      undefined,
      settings.clientSecret ? oidc.ClientSecretBasic(settings.clientSecret) : oidc.None(),
      {
        [oidc.customFetch]: openidCustomFetch(
          deps.guardedFetch,
          policy,
        ) as unknown as oidc.CustomFetch,
        ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
      },
    )
    .then((configuration) => {
      const metadata = configuration.serverMetadata();
      for (const endpoint of [
        metadata.token_endpoint,
        metadata.jwks_uri,
        metadata.userinfo_endpoint,
      ]) {
        if (endpoint) allowedOrigins.add(new URL(endpoint).origin);
      }
      return configuration;
    });
  discoveries.set(settings, { at: Date.now(), promise });
  promise.catch(() => discoveries.delete(settings));
  return promise;
}

function describeOidcError(error: unknown): { code: OidcLoginError['code']; reason: string } {
  if (
    error instanceof AppError &&
    (error.code === 'PROVIDER_UNREACHABLE' || error.code === 'URL_NOT_ALLOWED')
  ) {
    return { code: 'PROVIDER_UNREACHABLE', reason: error.message };
  }
  const e = error as { code?: string; error?: string; message?: string };
  if (e.error) return { code: 'PROVIDER_ERROR', reason: `provider answered ${e.error}` };
  return {
    code: 'PROVIDER_ERROR',
    reason: e.code ? `${e.code}: ${e.message ?? ''}` : (e.message ?? 'unknown error'),
  };
}

/** Begins a sign-in: stores state/verifier/nonce, returns the IdP URL and the binding value for the cookie. */
export async function startOidcLogin(
  deps: OidcDeps,
  returnTo: string,
): Promise<{ url: string; binding: string }> {
  const settings = deps.config.oidc;
  if (!settings) throw new AppError('NOT_FOUND', 'Single sign-on is not configured.');
  let configuration: oidc.Configuration;
  try {
    configuration = await oidcConfiguration(deps, settings);
  } catch (error) {
    deps.log.warn({ err: describeOidcError(error) }, 'OIDC discovery failed');
    throw new AppError(
      'PROVIDER_UNREACHABLE',
      'The identity provider cannot be reached. Try again later.',
    );
  }
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const verifier = oidc.randomPKCECodeVerifier();
  const binding = randomToken(32);
  const now = deps.now();
  await deps.db
    .deleteFrom('oidc_login_states')
    .where('expires_at', '<', now.toISOString())
    .execute();
  await deps.db
    .insertInto('oidc_login_states')
    .values({
      state_hash: sha256Hex(state),
      browser_hash: sha256Hex(binding),
      code_verifier: verifier,
      nonce,
      return_to: returnTo,
      created_at: now.toISOString(),
      expires_at: new Date(now.getTime() + OIDC_STATE_TTL_MS).toISOString(),
    })
    .execute();
  const url = oidc.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri(deps.config),
    scope: settings.scopes.join(' '),
    response_type: 'code',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    // Ask for consent when a refresh token is wanted (oidc-provider and others require it).
    ...(settings.scopes.includes('offline_access') ? { prompt: 'consent' } : {}),
  });
  return { url: url.href, binding };
}

const ROLE_RANK: Record<Role, number> = { viewer: 0, auditor: 1, operator: 2, admin: 3 };

/** The highest role any of the claim's values maps to; else the default role (or null). */
export function roleFromClaims(
  settings: Pick<OidcConfig, 'roleClaim' | 'roleMap' | 'defaultRole'>,
  claims: Record<string, unknown>,
): Role | null {
  const raw = settings.roleClaim
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined,
      claims,
    );
  const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  let best: Role | null = null;
  for (const value of values) {
    if (typeof value !== 'string') continue;
    const role = settings.roleMap.get(value);
    if (role && (best === null || ROLE_RANK[role] > ROLE_RANK[best])) best = role;
  }
  return best ?? settings.defaultRole;
}

function baseUsername(claims: Record<string, unknown>): string {
  const candidates = [claims.preferred_username, claims.email, claims.sub];
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const cleaned = candidate
      .toLowerCase()
      .replace(/[^a-z0-9._@-]/g, '-')
      .replace(/^[^a-z0-9]+/, '')
      .slice(0, 56);
    if (cleaned.length >= 2) return cleaned;
  }
  return 'sso-user';
}

/** Finds the user of this issuer+subject or creates them (just in time); syncs role and name. */
async function upsertSsoUser(
  deps: OidcDeps,
  issuer: string,
  claims: Record<string, unknown>,
  role: Role,
): Promise<UserRow> {
  const subject = String(claims.sub);
  const displayName =
    (typeof claims.name === 'string' && claims.name.trim()) ||
    (typeof claims.preferred_username === 'string' && claims.preferred_username) ||
    subject;
  const now = deps.now();
  const existing = await findUserByOidcIdentity(deps.db, issuer, subject);
  if (existing) {
    if (existing.role !== role || existing.display_name !== displayName.slice(0, 120)) {
      await updateUser(deps.db, existing.id, {
        role,
        display_name: displayName.slice(0, 120),
        updated_at: now.toISOString(),
      });
    }
    return { ...existing, role, display_name: displayName.slice(0, 120) };
  }
  // A local account with the same name is never taken over: the SSO user gets a suffixed name.
  const base = baseUsername(claims);
  let username = base;
  if (await findUserByUsername(deps.db, username))
    username = `${base}-${sha256Hex(`${issuer}\n${subject}`).slice(0, 6)}`;
  if (await findUserByUsername(deps.db, username))
    throw new OidcLoginError('FORBIDDEN', 'No free username for this account.', 'username-taken');
  return insertUser(deps.db, {
    username,
    displayName: displayName.slice(0, 120),
    role,
    authSource: 'oidc',
    passwordHash: null,
    oidcIssuer: issuer,
    oidcSubject: subject,
    now,
  });
}

/**
 * Completes a sign-in from the callback URL. Returns the user, where to go, and the token set;
 * throws OidcLoginError (mapped to /login?error=CODE by the route).
 */
export async function finishOidcLogin(
  deps: OidcDeps,
  input: {
    query: Record<string, string | undefined>;
    rawQuery: string;
    binding: string | undefined;
  },
): Promise<{ user: UserRow; returnTo: string; tokens: SsoTokenSet }> {
  const settings = deps.config.oidc;
  if (!settings)
    throw new OidcLoginError(
      'VALIDATION_FAILED',
      'Single sign-on is not configured.',
      'not-configured',
    );
  const state = input.query.state;
  if (!state)
    throw new OidcLoginError(
      'VALIDATION_FAILED',
      'The sign-in response is incomplete.',
      'missing-state',
    );
  const row = await deps.db
    .selectFrom('oidc_login_states')
    .selectAll()
    .where('state_hash', '=', sha256Hex(state))
    .executeTakeFirst();
  if (!row)
    throw new OidcLoginError(
      'UNAUTHENTICATED',
      'This sign-in link has expired or was already used.',
      'unknown-state',
    );
  // Single use, whatever happens next.
  await deps.db.deleteFrom('oidc_login_states').where('state_hash', '=', row.state_hash).execute();
  if (Date.parse(row.expires_at) <= deps.now().getTime()) {
    throw new OidcLoginError(
      'UNAUTHENTICATED',
      'The sign-in took too long. Start again.',
      'state-expired',
    );
  }
  if (!input.binding || !safeEqual(sha256Hex(input.binding), row.browser_hash)) {
    throw new OidcLoginError(
      'UNAUTHENTICATED',
      'This sign-in was started in another browser.',
      'browser-mismatch',
    );
  }
  if (input.query.error) {
    const reason = `provider error ${input.query.error}`.slice(0, 120);
    throw new OidcLoginError(
      input.query.error === 'access_denied' ? 'FORBIDDEN' : 'PROVIDER_ERROR',
      'The identity provider refused the sign-in.',
      reason,
    );
  }
  let configuration: oidc.Configuration;
  let response: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    configuration = await oidcConfiguration(deps, settings);
    const currentUrl = new URL(`${redirectUri(deps.config)}?${input.rawQuery}`);
    response = await oidc.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: row.code_verifier,
      expectedState: state,
      expectedNonce: row.nonce,
      idTokenExpected: true,
    });
  } catch (error) {
    const { code, reason } = describeOidcError(error);
    deps.log.warn({ reason }, 'OIDC code exchange failed');
    throw new OidcLoginError(
      code,
      'The sign-in could not be completed with the identity provider.',
      reason.slice(0, 200),
    );
  }
  const claims = response.claims() as Record<string, unknown> | undefined;
  if (!claims || typeof claims.sub !== 'string')
    throw new OidcLoginError(
      'PROVIDER_ERROR',
      'The identity provider sent no identity.',
      'no-id-token',
    );
  const role = roleFromClaims(settings, claims);
  if (!role)
    throw new OidcLoginError('FORBIDDEN', 'Your account has no role in SCIM Console.', 'no-role');
  const issuer = configuration.serverMetadata().issuer;
  const user = await upsertSsoUser(deps, issuer, claims, role);
  if (user.disabled) throw new OidcLoginError('FORBIDDEN', 'This account is disabled.', 'disabled');
  return {
    user,
    returnTo: row.return_to,
    tokens: {
      access_token: response.access_token,
      refresh_token: response.refresh_token,
      expires_in: response.expiresIn(),
      scope: response.scope,
      token_type: response.token_type,
    },
  };
}
