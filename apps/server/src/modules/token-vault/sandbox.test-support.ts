/**
 * Test support for the SCIM features: the real sandbox (SCIM + OAuth/OIDC server) started
 * in-process, connections pointing at it, and a scripted browser for the OAuth login and
 * consent pages (fetch + a cookie jar). Used by tests only.
 */
import { startSandbox, type Sandbox, type SandboxOptions } from '@scim-console/sandbox';
import type { FastifyInstance } from 'fastify';
import { keyRingFor } from '../../lib/crypto/index.ts';
import type { Actor } from '../../lib/actor.ts';
import { permissionsForRole } from '../rbac/policy.ts';
import { createConnection } from '../connections/connections.service.ts';
import { signInAtIdp } from '../../../test/helpers/idp-browser.ts';
import type { LoggedIn } from '../../../test/helpers/test-app.ts';

export interface TestSandbox extends Sandbox {
  /** Calls to the token endpoint (POST /oidc/token) seen by the sandbox's own request logger. */
  tokenCalls(): number;
  requests(): Promise<
    {
      subject: string | null;
      username: string | null;
      method: string;
      path: string;
      status: number;
      tokenKind: string;
    }[]
  >;
  clearRequests(): Promise<void>;
}

export async function startTestSandbox(options: SandboxOptions = {}): Promise<TestSandbox> {
  let tokenCalls = 0;
  const sandbox = await startSandbox({
    port: 0,
    users: 60,
    accessTokenTtl: 2,
    password: 'sandbox-test-password',
    logger: (line) => {
      if (/ POST \/oidc\/token /.test(line)) tokenCalls += 1;
    },
    ...options,
  });
  return Object.assign(sandbox, {
    tokenCalls: () => tokenCalls,
    requests: async () => (await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as never,
    clearRequests: async () => {
      await fetch(`${sandbox.url}/_sandbox/requests`, { method: 'DELETE' });
    },
  });
}

export function adminActor(userId: string): Actor {
  return {
    userId,
    username: 'admin',
    role: 'admin',
    permissions: permissionsForRole('admin'),
    sessionId: 'test',
    ip: '127.0.0.1',
    userAgent: 'test',
    requestId: 'test',
  };
}

export interface SandboxConnections {
  static: string;
  oauth: string;
  login: string;
  relay: string;
}

/** The four ways to use the sandbox, like the demo profile seeds them. */
export async function createSandboxConnections(
  app: FastifyInstance,
  sandbox: Sandbox,
  adminUserId: string,
): Promise<SandboxConnections> {
  const deps = {
    db: app.db,
    config: app.config,
    keyRing: keyRingFor(app.config.encryption),
    now: app.now,
  };
  const actor = adminActor(adminUserId);
  const common = {
    baseUrl: sandbox.scimUrl,
    vendor: 'generic' as const,
    allowPrivateNetwork: true,
    grants: {
      roles: ['viewer', 'operator', 'auditor', 'admin'] as (
        'viewer' | 'operator' | 'auditor' | 'admin'
      )[],
      userIds: [],
    },
  };
  const oauth = {
    issuer: sandbox.issuer,
    clientId: sandbox.consoleClient.clientId,
    clientSecret: sandbox.consoleClient.clientSecret,
    scopes: ['openid', 'offline_access', 'scim:read'],
  };
  const make = async (
    name: string,
    authKind: 'static' | 'oauth2' | 'login',
    executionMode: 'direct' | 'relay',
  ) =>
    (
      await createConnection(deps, actor, {
        ...common,
        name,
        authKind,
        executionMode,
        oauth: authKind === 'oauth2' ? oauth : null,
      })
    ).id;
  return {
    static: await make('Sandbox static', 'static', 'direct'),
    oauth: await make('Sandbox OAuth', 'oauth2', 'direct'),
    login: await make('Sandbox login', 'login', 'direct'),
    relay: await make('Sandbox relay', 'oauth2', 'relay'),
  };
}

/**
 * Links an OAuth token for a console user by scripting the whole authorization-code + PKCE
 * flow: start (console) → login + consent (sandbox) → callback (console).
 */
export async function linkOAuth(
  session: LoggedIn,
  sandbox: Sandbox,
  connectionId: string,
  username: string,
  returnTo = '/tokens',
): Promise<string> {
  const start = await session.inject({
    method: 'GET',
    url: `/api/token/oauth/start?connectionId=${connectionId}&returnTo=${encodeURIComponent(returnTo)}`,
  });
  if (start.statusCode !== 302) throw new Error(`oauth/start: ${start.statusCode} ${start.body}`);
  const callback = await signInAtIdp(
    String(start.headers.location),
    { username, password: sandbox.password },
    'http://127.0.0.1:8080/api/token/oauth/callback',
  );
  const path = callback.slice('http://127.0.0.1:8080'.length);
  const done = await session.inject({ method: 'GET', url: path });
  if (done.statusCode !== 302) throw new Error(`oauth/callback: ${done.statusCode} ${done.body}`);
  return String(done.headers.location);
}

/** Runs the sandbox flow up to the callback URL without completing it (for state tests). */
export async function authorizeOnly(
  startLocation: string,
  sandbox: Sandbox,
  username: string,
): Promise<string> {
  return signInAtIdp(
    startLocation,
    { username, password: sandbox.password },
    'http://127.0.0.1:8080/api/token/oauth/callback',
  );
}
