import { errors as joseErrors, jwtVerify, type CryptoKey, type KeyObject } from 'jose';
import type { SignInAccount } from '../seed/directory.seed.ts';
import { allowedScimScopes } from '../oidc/oidc.provider.ts';
import { GENERATION_CLAIM, type Revocations } from './revocations.ts';

export type TokenKind = 'jwt' | 'static' | 'none';

export interface Principal {
  readonly kind: 'jwt' | 'static';
  /** `sub` of the JWT (a SCIM user id, or a client id for client credentials), or the static token's user id. */
  readonly subject: string;
  /** Sign-in account name when the subject is one of the accounts. */
  readonly username: string | undefined;
  /** SCIM user id behind the token, when it acts for a user (drives /Me). */
  readonly userId: string | undefined;
  readonly clientId: string | undefined;
  readonly scopes: ReadonlySet<string>;
}

export type AuthOutcome =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly kind: TokenKind;
      readonly subject: string | undefined;
      readonly error: 'missing' | 'invalid_token';
      readonly description: string;
    };

export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly audience: string;
  readonly key: CryptoKey | KeyObject;
  readonly accounts: readonly SignInAccount[];
  /** token → account username */
  readonly staticTokens: ReadonlyMap<string, SignInAccount>;
  readonly revocations: Revocations;
}

/**
 * Accepts the two kinds of SCIM credential the console handles: JWT access tokens issued
 * by this sandbox's authorization server (checked against its own key, issuer, audience and
 * expiry) and static personal API tokens (like an Okta API token).
 */
export class TokenVerifier {
  readonly #options: TokenVerifierOptions;
  readonly #accountsById: Map<string, SignInAccount>;

  constructor(options: TokenVerifierOptions) {
    this.#options = options;
    this.#accountsById = new Map(options.accounts.map((a) => [a.id, a]));
  }

  async verify(authorization: string | undefined): Promise<AuthOutcome> {
    if (!authorization) {
      return {
        ok: false,
        kind: 'none',
        subject: undefined,
        error: 'missing',
        description: 'Authentication required: send Authorization: Bearer <token>',
      };
    }
    const match = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization.trim());
    if (!match) {
      return {
        ok: false,
        kind: 'none',
        subject: undefined,
        error: 'invalid_token',
        description: 'The Authorization header must use the Bearer scheme',
      };
    }
    const token = match[1] as string;
    const account = this.#options.staticTokens.get(token);
    if (account) {
      return {
        ok: true,
        principal: {
          kind: 'static',
          subject: account.id,
          username: account.username,
          userId: account.id,
          clientId: undefined,
          scopes: new Set(allowedScimScopes(account)),
        },
      };
    }
    if (token.split('.').length !== 3) {
      return {
        ok: false,
        kind: 'static',
        subject: undefined,
        error: 'invalid_token',
        description: 'The access token is not valid',
      };
    }
    try {
      const { payload } = await jwtVerify(token, this.#options.key, {
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        typ: 'at+jwt',
        algorithms: ['RS256'],
      });
      const subject = String(payload.sub ?? '');
      const generation =
        typeof payload[GENERATION_CLAIM] === 'number' ? payload[GENERATION_CLAIM] : 0;
      if (generation < this.#options.revocations.generation(subject)) {
        return {
          ok: false,
          kind: 'jwt',
          subject,
          error: 'invalid_token',
          description: 'The access token has been revoked',
        };
      }
      const signIn = this.#accountsById.get(subject);
      const scopes = new Set(
        typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
      );
      return {
        ok: true,
        principal: {
          kind: 'jwt',
          subject,
          username: signIn?.username,
          userId: signIn?.id,
          clientId: typeof payload.client_id === 'string' ? payload.client_id : undefined,
          scopes,
        },
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        return {
          ok: false,
          kind: 'jwt',
          subject: typeof error.payload.sub === 'string' ? error.payload.sub : undefined,
          error: 'invalid_token',
          description: 'The access token expired',
        };
      }
      return {
        ok: false,
        kind: 'jwt',
        subject: undefined,
        error: 'invalid_token',
        description: 'The access token is not valid',
      };
    }
  }
}
