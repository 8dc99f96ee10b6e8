import { randomBytes } from 'node:crypto';
import { SIGN_IN_ACCOUNTS, type AccountRole } from './seed/directory.seed.ts';

/** A bad setting: names the environment variable (or option) at fault. */
export class SandboxConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'SandboxConfigError';
    this.variable = variable;
  }
}

export const DEFAULT_REDIRECT_URIS = [
  'http://127.0.0.1:8080/api/token/oauth/callback',
  'http://127.0.0.1:8080/api/auth/oidc/callback',
  'http://localhost:8080/api/token/oauth/callback',
  'http://localhost:8080/api/auth/oidc/callback',
] as const;

export const DEFAULT_CORS_ORIGINS = [
  'http://127.0.0.1:8080',
  'http://localhost:8080',
  'http://127.0.0.1:5173',
  'http://localhost:5173',
] as const;

export const DEFAULT_CLIENT_ID = 'scim-console';
/** Well-known development secret so `npm start` works without coordination; override outside demos. */
export const DEFAULT_CLIENT_SECRET = 'scim-console-sandbox-secret';
export const DEFAULT_SERVICE_CLIENT_ID = 'scim-service';

export interface SandboxOptions {
  /** TCP port; 0 picks a free one (tests). Env SANDBOX_PORT, default 8090. */
  port?: number;
  /** Interface to bind. Env SANDBOX_HOST, default 127.0.0.1. */
  host?: string;
  /** Number of SCIM users including the four sign-in accounts. Env SANDBOX_USERS, default 2000. */
  users?: number;
  /** Seed of the generated directory. Env SANDBOX_SEED, default 42. */
  seed?: number;
  /** Access token lifetime in seconds. Env SANDBOX_ACCESS_TOKEN_TTL, default 900. */
  accessTokenTtl?: number;
  /** Refresh token (and grant) lifetime in seconds. Env SANDBOX_REFRESH_TOKEN_TTL, default 14 days. */
  refreshTokenTtl?: number;
  /** Rotate refresh tokens on every use (old one becomes invalid). Env SANDBOX_ROTATE_REFRESH_TOKENS, default true. */
  rotateRefreshTokens?: boolean;
  /** Password of admin/operator/auditor/viewer. Env SANDBOX_PASSWORD, default random. */
  password?: string;
  /** username → personal API token. Env SANDBOX_STATIC_TOKENS "operator=…,viewer=…", default random for all four. */
  staticTokens?: Record<string, string>;
  /** Origins allowed to call the SCIM API from a browser. Env SANDBOX_CORS_ORIGINS (comma-separated). */
  corsOrigins?: string[];
  /** The console's confidential OAuth client. Env SANDBOX_CLIENT_ID / SANDBOX_CLIENT_SECRET / SANDBOX_REDIRECT_URIS. */
  consoleClient?: { clientId?: string; clientSecret?: string; redirectUris?: string[] };
  /** Client-credentials client for service tokens. Env SANDBOX_SERVICE_CLIENT_ID / SANDBOX_SERVICE_CLIENT_SECRET. */
  serviceClient?: { clientId?: string; clientSecret?: string };
  /**
   * Base URL clients use to reach the sandbox when it is not http://HOST:PORT (a container
   * or proxy): issuer, token audience and resource locations derive from it.
   * Env SANDBOX_PUBLIC_URL, default http://HOST:PORT.
   */
  publicUrl?: string;
  /** Largest page (count) served. Env SANDBOX_MAX_PAGE_SIZE, default 1000. */
  maxPageSize?: number;
  /** One line per request; default: no request logging (main.ts logs to stdout). */
  logger?: (line: string) => void;
  /** Environment to read settings from; default process.env. Options win over it. */
  env?: Record<string, string | undefined>;
}

export interface SandboxConfig {
  readonly port: number;
  readonly host: string;
  readonly users: number;
  readonly seed: number;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly rotateRefreshTokens: boolean;
  readonly password: string;
  readonly passwordGenerated: boolean;
  readonly staticTokens: Readonly<Record<string, string>>;
  readonly corsOrigins: readonly string[];
  readonly consoleClient: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly redirectUris: readonly string[];
  };
  readonly serviceClient: { readonly clientId: string; readonly clientSecret: string };
  readonly maxPageSize: number;
  readonly publicUrl: string | undefined;
  readonly logger: ((line: string) => void) | undefined;
}

function integer(
  variable: string,
  raw: string | number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined || raw === '') return fallback;
  const value = typeof raw === 'number' ? raw : /^\s*-?\d+\s*$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new SandboxConfigError(
      variable,
      `must be an integer from ${min} to ${max} (got "${String(raw)}")`,
    );
  }
  return value;
}

function boolean(variable: string, raw: string | boolean | undefined, fallback: boolean): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw === 'boolean') return raw;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new SandboxConfigError(variable, `must be true or false (got "${raw}")`);
}

function list(raw: string | undefined): string[] | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function httpUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SandboxConfigError(variable, `"${value}" is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SandboxConfigError(variable, `"${value}" must be http or https`);
  return value;
}

function origin(variable: string, value: string): string {
  httpUrl(variable, value);
  const normalised = new URL(value).origin;
  if (normalised !== value.replace(/\/$/, '')) {
    throw new SandboxConfigError(
      variable,
      `"${value}" is not an origin (scheme://host[:port], no path)`,
    );
  }
  return normalised;
}

function publicUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = httpUrl('SANDBOX_PUBLIC_URL', raw.trim());
  const url = new URL(value);
  if (url.search || url.hash)
    throw new SandboxConfigError('SANDBOX_PUBLIC_URL', 'must not have a query or fragment');
  return value.replace(/\/+$/, '');
}

const TOKEN_PATTERN = /^[A-Za-z0-9\-._~+/]{16,512}$/;

function staticTokens(
  variable: string,
  raw: Record<string, string> | string | undefined,
): Record<string, string> {
  if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) {
    return Object.fromEntries(
      SIGN_IN_ACCOUNTS.map((a) => [
        a.username,
        `sbx_${a.username}_${randomBytes(18).toString('base64url')}`,
      ]),
    );
  }
  const pairs: [string, string][] =
    typeof raw === 'string'
      ? raw.split(',').map((entry) => {
          const at = entry.indexOf('=');
          if (at <= 0)
            throw new SandboxConfigError(
              variable,
              `expected "username=token" pairs, got "${entry.trim()}"`,
            );
          return [entry.slice(0, at).trim(), entry.slice(at + 1).trim()];
        })
      : Object.entries(raw);
  const usernames = new Set<string>(SIGN_IN_ACCOUNTS.map((a) => a.username));
  const seen = new Set<string>();
  for (const [username, token] of pairs) {
    if (!usernames.has(username)) {
      throw new SandboxConfigError(
        variable,
        `unknown account "${username}" (use ${[...usernames].join(', ')})`,
      );
    }
    if (!TOKEN_PATTERN.test(token)) {
      throw new SandboxConfigError(
        variable,
        `the token for "${username}" must be 16-512 characters of A-Z a-z 0-9 - . _ ~ + /`,
      );
    }
    if (seen.has(token))
      throw new SandboxConfigError(variable, 'two accounts share the same token');
    seen.add(token);
  }
  return Object.fromEntries(pairs);
}

/** Environment + options → a validated configuration. Options win over the environment. */
export function resolveSandboxConfig(options: SandboxOptions = {}): SandboxConfig {
  const env = options.env ?? process.env;
  const password = options.password ?? env.SANDBOX_PASSWORD;
  if (password !== undefined && password.length < 4) {
    throw new SandboxConfigError(
      options.password !== undefined ? 'password' : 'SANDBOX_PASSWORD',
      'must be at least 4 characters',
    );
  }
  const host = options.host ?? env.SANDBOX_HOST ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host))
    throw new SandboxConfigError('SANDBOX_HOST', `"${host}" is not a host name or IP address`);
  const extraRedirects =
    options.consoleClient?.redirectUris ?? list(env.SANDBOX_REDIRECT_URIS) ?? [];
  const corsOrigins = options.corsOrigins ??
    list(env.SANDBOX_CORS_ORIGINS) ?? [...DEFAULT_CORS_ORIGINS];
  const clientSecret =
    options.consoleClient?.clientSecret ?? env.SANDBOX_CLIENT_SECRET ?? DEFAULT_CLIENT_SECRET;
  if (clientSecret.length < 8)
    throw new SandboxConfigError('SANDBOX_CLIENT_SECRET', 'must be at least 8 characters');
  const serviceSecret =
    options.serviceClient?.clientSecret ??
    env.SANDBOX_SERVICE_CLIENT_SECRET ??
    randomBytes(18).toString('base64url');
  if (serviceSecret.length < 8)
    throw new SandboxConfigError('SANDBOX_SERVICE_CLIENT_SECRET', 'must be at least 8 characters');
  const clientId = options.consoleClient?.clientId ?? env.SANDBOX_CLIENT_ID ?? DEFAULT_CLIENT_ID;
  const serviceClientId =
    options.serviceClient?.clientId ?? env.SANDBOX_SERVICE_CLIENT_ID ?? DEFAULT_SERVICE_CLIENT_ID;
  if (!/^[A-Za-z0-9\-._~]{1,128}$/.test(clientId))
    throw new SandboxConfigError('SANDBOX_CLIENT_ID', 'must be 1-128 URL-safe characters');
  if (!/^[A-Za-z0-9\-._~]{1,128}$/.test(serviceClientId))
    throw new SandboxConfigError('SANDBOX_SERVICE_CLIENT_ID', 'must be 1-128 URL-safe characters');
  if (clientId === serviceClientId)
    throw new SandboxConfigError('SANDBOX_SERVICE_CLIENT_ID', 'must differ from SANDBOX_CLIENT_ID');

  return {
    port: integer('SANDBOX_PORT', options.port ?? env.SANDBOX_PORT, 8090, 0, 65535),
    host,
    users: integer(
      'SANDBOX_USERS',
      options.users ?? env.SANDBOX_USERS,
      2000,
      SIGN_IN_ACCOUNTS.length,
      1_000_000,
    ),
    seed: integer('SANDBOX_SEED', options.seed ?? env.SANDBOX_SEED, 42, 0, 4_294_967_295),
    accessTokenTtl: integer(
      'SANDBOX_ACCESS_TOKEN_TTL',
      options.accessTokenTtl ?? env.SANDBOX_ACCESS_TOKEN_TTL,
      900,
      1,
      86_400,
    ),
    refreshTokenTtl: integer(
      'SANDBOX_REFRESH_TOKEN_TTL',
      options.refreshTokenTtl ?? env.SANDBOX_REFRESH_TOKEN_TTL,
      14 * 86_400,
      60,
      365 * 86_400,
    ),
    rotateRefreshTokens: boolean(
      'SANDBOX_ROTATE_REFRESH_TOKENS',
      options.rotateRefreshTokens ?? env.SANDBOX_ROTATE_REFRESH_TOKENS,
      true,
    ),
    password: password ?? randomBytes(9).toString('base64url'),
    passwordGenerated: password === undefined,
    staticTokens: staticTokens(
      'SANDBOX_STATIC_TOKENS',
      options.staticTokens ?? env.SANDBOX_STATIC_TOKENS,
    ),
    corsOrigins: corsOrigins.map((o) => origin('SANDBOX_CORS_ORIGINS', o)),
    consoleClient: {
      clientId,
      clientSecret,
      redirectUris: [
        ...new Set([
          ...DEFAULT_REDIRECT_URIS,
          ...extraRedirects.map((u) => httpUrl('SANDBOX_REDIRECT_URIS', u)),
        ]),
      ],
    },
    serviceClient: { clientId: serviceClientId, clientSecret: serviceSecret },
    maxPageSize: integer(
      'SANDBOX_MAX_PAGE_SIZE',
      options.maxPageSize ?? env.SANDBOX_MAX_PAGE_SIZE,
      1000,
      1,
      10_000,
    ),
    publicUrl: publicUrl(options.publicUrl ?? env.SANDBOX_PUBLIC_URL),
    logger: options.logger,
  };
}

export type { AccountRole };
