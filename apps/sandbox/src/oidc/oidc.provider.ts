import Provider, { errors, type ClientMetadata, type Configuration, type JWK } from 'oidc-provider';
import { randomBytes } from 'node:crypto';
import type { SignInAccount } from '../seed/directory.seed.ts';
import type { MemoryStorage } from './memory.adapter.ts';
import { GENERATION_CLAIM, type Revocations } from '../auth/revocations.ts';

export const SCIM_SCOPES = ['scim:read', 'scim:write'] as const;
/** Roles whose tokens may write to the SCIM API; the others get scim:read only. */
const WRITE_ROLES = new Set(['admin', 'operator']);

export function allowedScimScopes(account: SignInAccount | undefined): string[] {
  if (!account) return [...SCIM_SCOPES];
  return WRITE_ROLES.has(account.role) ? [...SCIM_SCOPES] : ['scim:read'];
}

export interface ConsoleClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUris: readonly string[];
}

export interface ServiceClientOptions {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface OidcProviderOptions {
  readonly issuer: string;
  /** The SCIM base URL: the only resource (audience) tokens are issued for. */
  readonly scimUrl: string;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly rotateRefreshTokens: boolean;
  readonly consoleClient: ConsoleClientOptions;
  readonly serviceClient: ServiceClientOptions;
  readonly accounts: readonly SignInAccount[];
  readonly signingKey: JWK;
  readonly storage: MemoryStorage;
  readonly revocations: Revocations;
}

export function createOidcProvider(options: OidcProviderOptions): Provider {
  const accountsById = new Map(options.accounts.map((a) => [a.id, a]));
  const clients: ClientMetadata[] = [
    {
      client_id: options.consoleClient.clientId,
      client_secret: options.consoleClient.clientSecret,
      client_name: 'SCIM Console',
      redirect_uris: [...options.consoleClient.redirectUris],
      // Where the console may send the browser after RP-initiated logout.
      post_logout_redirect_uris: [
        ...new Set(
          options.consoleClient.redirectUris.flatMap((u) => [
            `${new URL(u).origin}/`,
            `${new URL(u).origin}/login`,
          ]),
        ),
      ],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // Both client_secret_basic and client_secret_post are accepted for secret-based clients.
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      client_id: options.serviceClient.clientId,
      client_secret: options.serviceClient.clientSecret,
      client_name: 'SCIM service client',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ];

  const configuration: Configuration = {
    clients,
    adapter: (name: string) => options.storage.adapterFor(name),
    jwks: { keys: [options.signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'groups', 'roles'],
      email: ['email', 'email_verified'],
    },
    // The console maps roles from the ID token, so profile/email claims go there too.
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = accountsById.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            sub,
            name: `${account.givenName} ${account.familyName}`,
            given_name: account.givenName,
            family_name: account.familyName,
            preferred_username: account.username,
            email: account.email,
            email_verified: true,
            groups: [account.group],
            roles: [account.role],
          };
        },
      };
    },
    interactions: {
      url: (_ctx, interaction) =>
        `${new URL(options.issuer).pathname}/interaction/${interaction.uid}`,
    },
    pkce: { required: () => true },
    // Lets /_sandbox/revoke invalidate JWT access tokens already handed out.
    extraTokenClaims: (_ctx, token) => {
      const subject = 'accountId' in token && token.accountId ? token.accountId : token.clientId;
      return subject ? { [GENERATION_CLAIM]: options.revocations.generation(subject) } : undefined;
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A client may introspect and revoke only its own tokens.
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      resourceIndicators: {
        enabled: true,
        // Tokens are for the SCIM API when SCIM scopes are asked for (or for client
        // credentials). A plain "openid profile email" sign-in keeps an opaque access token
        // that works at the userinfo endpoint.
        defaultResource: (ctx, _client, oneOf) => {
          if (oneOf) return oneOf;
          const params = (ctx.oidc.params ?? {}) as { scope?: unknown; grant_type?: unknown };
          if (params.grant_type === 'client_credentials') return options.scimUrl;
          const scopes = String(params.scope ?? '').split(' ');
          return SCIM_SCOPES.some((s) => scopes.includes(s))
            ? options.scimUrl
            : (undefined as unknown as string);
        },
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resourceIndicator) => {
          if (resourceIndicator !== options.scimUrl) throw new errors.InvalidTarget();
          return {
            scope: SCIM_SCOPES.join(' '),
            audience: options.scimUrl,
            accessTokenTTL: options.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    ttl: {
      AccessToken: options.accessTokenTtl,
      ClientCredentials: options.accessTokenTtl,
      AuthorizationCode: 120,
      IdToken: 3600,
      RefreshToken: options.refreshTokenTtl,
      Interaction: 3600,
      Session: 86_400,
      Grant: options.refreshTokenTtl,
    },
    rotateRefreshToken: options.rotateRefreshTokens,
    async renderError(ctx, out) {
      ctx.type = 'html';
      const escape = (s: unknown): string =>
        String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title></head>
<body><main><h1>Sign-in error</h1><p role="alert"><strong>${escape(out.error)}</strong>: ${escape(out.error_description ?? '')}</p></main></body></html>`;
    },
  };
  const provider = new Provider(options.issuer, configuration);
  return provider;
}
