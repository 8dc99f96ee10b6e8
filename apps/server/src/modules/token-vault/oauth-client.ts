import * as oidc from 'openid-client';
import type { Config } from '../../config.ts';
import { AppError } from '../../lib/errors.ts';
import {
  openidCustomFetch,
  originOf,
  type GuardedFetch,
  type OutboundPolicy,
} from '../../lib/http/guarded-fetch.ts';
import type { ProviderConnection } from './provider-connection.ts';

/**
 * openid-client configurations for a connection's authorization server, every request of
 * which goes through the guarded HTTP client. `oauth2` connections use the connection's own
 * OAuth settings; `login` connections use the console's SSO issuer (their tokens come from
 * the user's login).
 */

export interface AuthorizationServer {
  config: oidc.Configuration;
  clientId: string;
  scopes: string[];
  hasClientSecret: boolean;
  revocationEndpoint: string | null;
}

interface Settings {
  issuer: string | null;
  authorizationEndpoint: string | null;
  tokenEndpoint: string | null;
  revocationEndpoint: string | null;
  clientId: string;
  clientSecret: string | null;
  scopes: string[];
  allowPrivateNetwork: boolean;
}

function settingsFor(connection: ProviderConnection, config: Config): Settings {
  if (connection.authKind === 'login') {
    const sso = config.oidc;
    if (!sso)
      throw new AppError(
        'CONFLICT',
        'This connection uses the single sign-on token, but single sign-on is not configured',
      );
    return {
      issuer: sso.issuer,
      authorizationEndpoint: null,
      tokenEndpoint: null,
      revocationEndpoint: null,
      clientId: sso.clientId,
      clientSecret: sso.clientSecret,
      scopes: sso.scopes,
      // The SSO issuer is the operator's own configuration, not user input (as in the platform's
      // OIDC login): on-premises / loopback issuers are allowed; origins stay limited to it.
      allowPrivateNetwork: true,
    };
  }
  const oauth = connection.oauth;
  if (!oauth || !oauth.clientId)
    throw new AppError('CONFLICT', 'This connection has no OAuth settings');
  return { ...oauth, allowPrivateNetwork: connection.allowPrivateNetwork };
}

export function createAuthorizationServers(deps: { config: Config; guardedFetch: GuardedFetch }) {
  const cache = new Map<string, Promise<AuthorizationServer>>();

  async function build(connection: ProviderConnection): Promise<AuthorizationServer> {
    const s = settingsFor(connection, deps.config);
    const configured = [
      s.issuer,
      s.authorizationEndpoint,
      s.tokenEndpoint,
      s.revocationEndpoint,
    ].filter((u): u is string => !!u);
    const origins = new Set(configured.map(originOf).filter((o): o is string => o !== null));
    // The policy object is shared with customFetch; discovered endpoints extend its allow-list below.
    const policy: OutboundPolicy = {
      allowedOrigins: [...origins],
      allowPrivateNetwork: s.allowPrivateNetwork,
    };
    const fetcher = openidCustomFetch(deps.guardedFetch, policy);
    const insecure = configured.some((u) => u.startsWith('http:'));
    let config: oidc.Configuration;
    const clientAuth = s.clientSecret ? oidc.ClientSecretBasic(s.clientSecret) : oidc.None();
    if (s.issuer && !s.tokenEndpoint) {
      try {
        config = await oidc.discovery(new URL(s.issuer), s.clientId, undefined, clientAuth, {
          [oidc.customFetch]: fetcher as never,
          ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
        });
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('PROVIDER_ERROR', `OAuth discovery at ${new URL(s.issuer).host} failed`);
      }
      const metadata = config.serverMetadata();
      for (const url of [
        metadata.token_endpoint,
        metadata.authorization_endpoint,
        metadata.revocation_endpoint,
        metadata.jwks_uri,
      ]) {
        const origin = url ? originOf(url) : null;
        if (origin && !policy.allowedOrigins.includes(origin))
          (policy.allowedOrigins as string[]).push(origin);
      }
    } else {
      if (!s.tokenEndpoint) throw new AppError('CONFLICT', 'This connection has no token endpoint');
      config = new oidc.Configuration(
        {
          issuer: s.issuer ?? originOf(s.tokenEndpoint)!,
          token_endpoint: s.tokenEndpoint,
          ...(s.authorizationEndpoint ? { authorization_endpoint: s.authorizationEndpoint } : {}),
          ...(s.revocationEndpoint ? { revocation_endpoint: s.revocationEndpoint } : {}),
        },
        s.clientId,
        undefined,
        clientAuth,
      );
      config[oidc.customFetch] = fetcher as never;
      if (insecure) oidc.allowInsecureRequests(config);
    }
    const metadata = config.serverMetadata();
    return {
      config,
      clientId: s.clientId,
      scopes: s.scopes,
      hasClientSecret: !!s.clientSecret,
      revocationEndpoint: s.revocationEndpoint ?? metadata.revocation_endpoint ?? null,
    };
  }

  return {
    /** Cached per connection version; a failed discovery is not cached. */
    get(connection: ProviderConnection): Promise<AuthorizationServer> {
      const key = `${connection.id}@${connection.updatedAt}`;
      let entry = cache.get(key);
      if (!entry) {
        entry = build(connection);
        cache.set(key, entry);
        entry.catch(() => cache.delete(key));
      }
      return entry;
    },
  };
}

export type AuthorizationServers = ReturnType<typeof createAuthorizationServers>;

/** The OAuth error code of a failed token-endpoint call (`invalid_grant`, …), if any. */
export function oauthErrorCode(error: unknown): string | null {
  if (error instanceof oidc.ResponseBodyError) return error.error;
  return null;
}
