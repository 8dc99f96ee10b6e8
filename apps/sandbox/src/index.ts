import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Request } from 'express';
import { exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';
import type { JWK } from 'oidc-provider';
import { Revocations } from './auth/revocations.ts';
import { TokenVerifier } from './auth/token.verifier.ts';
import { resolveSandboxConfig, type SandboxConfig, type SandboxOptions } from './config.ts';
import { controlRoutes } from './control/control.routes.ts';
import { FaultQueue } from './control/faults.ts';
import { RequestLog } from './control/request.log.ts';
import { interactionRoutes } from './oidc/interaction.routes.ts';
import { MemoryStorage } from './oidc/memory.adapter.ts';
import { createOidcProvider } from './oidc/oidc.provider.ts';
import { DirectoryStore } from './scim/directory.store.ts';
import { ListService } from './scim/list.service.ts';
import { scimRoutes } from './scim/scim.routes.ts';
import { generateDirectory, SIGN_IN_ACCOUNTS, type SignInAccount } from './seed/directory.seed.ts';

export {
  resolveSandboxConfig,
  SandboxConfigError,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_SECRET,
  DEFAULT_CORS_ORIGINS,
  DEFAULT_REDIRECT_URIS,
  DEFAULT_SERVICE_CLIENT_ID,
} from './config.ts';
export type { SandboxConfig, SandboxOptions } from './config.ts';
export { generateDirectory, SIGN_IN_ACCOUNTS, SEED_REFERENCE_DATE } from './seed/directory.seed.ts';
export type { Directory, SignInAccount, AccountRole } from './seed/directory.seed.ts';
export type { RequestRecord } from './control/request.log.ts';
export type { Fault, FaultKind } from './control/faults.ts';
export { FAULT_KINDS } from './control/faults.ts';
export type { ScimUser, ScimGroup, ScimResource } from './scim/resources.ts';
export {
  scriptedSignIn,
  ScriptedSignInError,
  type ScriptedSignInOptions,
} from './testing/scripted-sign-in.ts';

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** …/scim/v2 (also the `aud` of access tokens) */
  readonly scimUrl: string;
  /** …/oidc (discovery at …/oidc/.well-known/openid-configuration) */
  readonly issuer: string;
  readonly port: number;
  /** username → personal API token */
  readonly staticTokens: Readonly<Record<string, string>>;
  /** Password of admin, operator, auditor and viewer. */
  readonly password: string;
  readonly accounts: readonly SignInAccount[];
  readonly consoleClient: SandboxConfig['consoleClient'];
  readonly serviceClient: SandboxConfig['serviceClient'];
  readonly config: SandboxConfig;
  close(): Promise<void>;
}

/** The port is taken: thrown by startSandbox so main.ts can exit with a clear message. */
export class SandboxStartError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SandboxStartError';
    this.code = code;
  }
}

function listen(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') {
        reject(
          new SandboxStartError(
            'EADDRINUSE',
            `Port ${port} on ${host} is already in use: stop the other process or set SANDBOX_PORT`,
          ),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new SandboxStartError(
            'EACCES',
            `Not allowed to listen on ${host}:${port}: choose a port above 1024 with SANDBOX_PORT`,
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL') {
        reject(
          new SandboxStartError(
            'EADDRNOTAVAIL',
            `Cannot bind ${host}: it is not an address of this machine (SANDBOX_HOST)`,
          ),
        );
      } else reject(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Start a sandbox: seeded SCIM 2.0 service provider at /scim/v2, OAuth 2.0 / OIDC
 * authorization server at /oidc, test knobs at /_sandbox. Options override SANDBOX_* env.
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const config = resolveSandboxConfig(options);
  const accounts = SIGN_IN_ACCOUNTS;
  const store = new DirectoryStore(generateDirectory({ seed: config.seed, users: config.users }));
  const lists = new ListService(store, config.maxPageSize);
  // Build the natural-order views now rather than on the first request.
  lists.list({ types: ['User'], sortOrder: 'ascending', count: 0 });
  lists.list({ types: ['Group'], sortOrder: 'ascending', count: 0 });

  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = (await exportJWK(privateKey)) as JWK;
  signingKey.kid = await calculateJwkThumbprint(
    signingKey as Parameters<typeof calculateJwkThumbprint>[0],
  );
  signingKey.alg = 'RS256';
  signingKey.use = 'sig';

  const server = http.createServer();
  server.keepAliveTimeout = 5_000;
  await listen(server, config.port, config.host);
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    config.host === '0.0.0.0' || config.host === '::'
      ? '127.0.0.1'
      : config.host.includes(':')
        ? `[${config.host}]`
        : config.host;
  const url = config.publicUrl ?? `http://${urlHost}:${port}`;
  const scimUrl = `${url}/scim/v2`;
  const issuer = `${url}/oidc`;

  const storage = new MemoryStorage();
  const staticTokens = new Map<string, SignInAccount>();
  for (const [username, token] of Object.entries(config.staticTokens)) {
    const account = accounts.find((a) => a.username === username);
    if (account) staticTokens.set(token, account);
  }
  const revocations = new Revocations();
  const verifier = new TokenVerifier({
    issuer,
    audience: scimUrl,
    key: publicKey,
    accounts,
    staticTokens,
    revocations,
  });
  const faults = new FaultQueue();
  const requestLog = new RequestLog();
  const provider = createOidcProvider({
    issuer,
    scimUrl,
    accessTokenTtl: config.accessTokenTtl,
    refreshTokenTtl: config.refreshTokenTtl,
    rotateRefreshTokens: config.rotateRefreshTokens,
    consoleClient: config.consoleClient,
    serviceClient: config.serviceClient,
    accounts,
    signingKey,
    storage,
    revocations,
  });

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  if (config.logger) {
    const logger = config.logger;
    app.use((req: Request, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const caller = res.locals.caller as string | undefined;
        // Path only: never the query of OAuth endpoints, never a header, never a token.
        const path = req.originalUrl.split('?')[0];
        logger(
          `${new Date().toISOString()} ${req.method} ${path} ${res.statusCode} ${ms.toFixed(1)}ms${caller ? ` ${caller}` : ''}`,
        );
      });
      next();
    });
  }
  app.use(
    '/_sandbox',
    controlRoutes({
      faults,
      requestLog,
      storage,
      revocations,
      accounts,
      serviceClientId: config.serviceClient.clientId,
    }),
  );
  app.use(
    '/scim/v2',
    scimRoutes({
      baseUrl: url,
      scimUrl,
      store,
      lists,
      verifier,
      faults,
      requestLog,
      corsOrigins: config.corsOrigins,
      documentationUri: `${url}/`,
    }),
  );
  // OIDC Core drops offline_access unless prompt=consent; clients that forget it would
  // silently get no refresh token, so the sandbox asks for consent on their behalf.
  app.get('/oidc/auth', (req, _res, next) => {
    const query = new URLSearchParams(req.url.split('?')[1] ?? '');
    const scope = query.get('scope') ?? '';
    if (
      scope.split(' ').includes('offline_access') &&
      !query.has('prompt') &&
      !query.has('request') &&
      !query.has('request_uri')
    ) {
      query.set('prompt', 'consent');
      req.url = `${req.path}?${query.toString()}`;
    }
    next();
  });
  app.use('/oidc/interaction', interactionRoutes(provider, accounts, config.password));
  app.use('/oidc', provider.callback());
  app.get('/', (_req, res) => {
    res.json({
      name: 'SCIM Console sandbox',
      scim: scimUrl,
      issuer,
      discovery: `${issuer}/.well-known/openid-configuration`,
      accounts: accounts.map((a) => ({ username: a.username, role: a.role, id: a.id })),
      docs: 'apps/sandbox/README.md',
    });
  });
  app.use((_req, res) => {
    res.status(404).json({
      error: {
        code: 'NOT_FOUND',
        message: 'Not found: the SCIM API is at /scim/v2, the authorization server at /oidc',
      },
    });
  });
  server.on('request', app);

  let closing: Promise<void> | undefined;
  return {
    url,
    scimUrl,
    issuer,
    port,
    staticTokens: config.staticTokens,
    password: config.password,
    accounts,
    consoleClient: config.consoleClient,
    serviceClient: config.serviceClient,
    config,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Idle keep-alive sockets go now; requests in flight get 2 s to finish.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2_000).unref();
      });
      return closing;
    },
  };
}
