/**
 * buildApp(config): the whole server as a Fastify instance, ready for `listen` or `inject`.
 * Order: database + migrations, error handling, security headers, rate limits, session,
 * permission and CSRF hooks, OpenAPI, then every module's routes — registered explicitly here
 * so the whole surface reads in one place.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { createDatabase, type DatabaseHandle } from './db/database.ts';
import { migrateToLatest } from './db/migrate.ts';
import type { Database } from './db/tables.ts';
import { recordPermissionDenied } from './modules/audit/audit.service.ts';
import { authRoutes } from './modules/auth/auth.routes.ts';
import { seedDemoAccounts } from './modules/auth/demo-accounts.ts';
import { startHousekeeping } from './modules/auth/housekeeping.ts';
import { oidcRoutes } from './modules/auth/oidc.routes.ts';
import { storeLoginTokens } from './modules/token-vault/token-vault.module.ts';
import { registerMetrics } from './modules/ops/metrics.ts';
import { opsRoutes } from './modules/ops/ops.routes.ts';
import { registerPermissionHook } from './modules/rbac/rbac.hook.ts';
import { settingsRoutes } from './modules/settings/settings.routes.ts';
import { usersRoutes } from './modules/users/users.routes.ts';
import { tokenVaultRoutes } from './modules/token-vault/token-vault.routes.ts';
import { queryOptionsRoutes } from './modules/query-options/query-options.routes.ts';
import { scimQueryRoutes } from './modules/scim-query/scim-query.routes.ts';
import { relayRoutes } from './modules/relay/relay.routes.ts';
import { savedQueriesRoutes } from './modules/saved-queries/saved-queries.routes.ts';
import { auditRoutes } from './modules/audit/audit.routes.ts';
import { connectionsRoutes } from './modules/connections/connections.routes.ts';
import { registerCsrf } from './plugins/csrf.ts';
import { registerErrorHandling, toErrorReply } from './plugins/errors.ts';
import { LOG_REDACT_PATHS, requestSerializer } from './plugins/logging.ts';
import { registerRateLimit } from './plugins/rate-limit.ts';
import { registerSecurityHeaders } from './plugins/security-headers.ts';
import { registerSession } from './plugins/session.ts';
import { registerWebStatic } from './plugins/web-static.ts';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
    db: Kysely<Database>;
    dbHandle: DatabaseHandle;
    /** The clock every module uses (injectable so timeouts are testable without sleeping). */
    now: () => Date;
    /** Outbound fetch (the guarded client wraps it). */
    fetchImpl: typeof fetch;
  }
}

export interface AppDeps {
  /** A pino-compatible logger instance, or Fastify logger options (false = silent). */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
  fetch?: typeof fetch;
  now?: () => Date;
  /** Use this database instead of opening config.database (closed with the app unless `keepDatabaseOpen`). */
  database?: DatabaseHandle;
  keepDatabaseOpen?: boolean;
}

function loggerOptions(
  config: Config,
  deps: AppDeps,
): Pick<FastifyServerOptions, 'logger' | 'loggerInstance'> {
  const given = deps.logger;
  if (given && typeof given === 'object' && 'info' in given && typeof given.info === 'function') {
    return { loggerInstance: given as FastifyBaseLogger };
  }
  if (given === false) return { logger: false };
  return {
    logger: {
      level: config.logLevel,
      redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { req: requestSerializer },
      ...(given && typeof given === 'object' ? (given as object) : {}),
    },
  };
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    ...loggerOptions(config, deps),
    // Fastify also accepts a hop count (number); its types omit it.
    trustProxy: config.trustProxy as boolean | string,
    bodyLimit: 1_048_576,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // The router's own refusals (bad percent-encoding, over-long path parameter) would otherwise
    // answer Fastify's body, echoing the path; route them through the one error shape.
    // These answers skip every hook (helmet included), so they carry a minimal set themselves.
    frameworkErrors: (error, request, reply) =>
      toErrorReply(
        error,
        request,
        reply.headers({
          'x-content-type-options': 'nosniff',
          'x-frame-options': 'DENY',
          'referrer-policy': 'no-referrer',
          'cache-control': 'no-store',
          'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        }),
      ),
    ...(config.tls
      ? {
          https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) },
        }
      : {}),
  }).withTypeProvider<ZodTypeProvider>() as unknown as FastifyInstance;

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const database = deps.database ?? createDatabase(config.database);
  app.decorate('config', config);
  app.decorate('dbHandle', database);
  app.decorate('db', database.db);
  app.decorate('now', deps.now ?? (() => new Date()));
  app.decorate('fetchImpl', deps.fetch ?? globalThis.fetch);
  app.addHook('onClose', async () => {
    if (!deps.keepDatabaseOpen) await database.close();
  });
  startHousekeeping(app);

  try {
    await migrateToLatest(database.db, database.dialect);
    if (config.demo.accounts && config.demo.password)
      await seedDemoAccounts(database.db, config.demo.password, app.now());
  } catch (error) {
    if (!deps.keepDatabaseOpen) await database.close().catch(() => {});
    throw error;
  }

  await registerErrorHandling(app);
  await registerSecurityHeaders(app);
  await registerRateLimit(app);
  registerMetrics(app);
  await registerSession(app);
  registerPermissionHook(app, {
    onDenied: async (request, actor, permission) => {
      await recordPermissionDenied(app.db, actor, {
        method: request.method,
        path: request.routeOptions.url ?? request.url,
        permission,
      });
    },
  });
  registerCsrf(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'SCIM Console API',
        version: '0.1.0',
        description: 'Console HTTP API (docs/api.md).',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'scim_console_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  // Routes — one line per module.
  await app.register(opsRoutes);
  await app.register(authRoutes);
  await app.register(oidcRoutes, {
    onSsoLogin: (actor, tokens) => storeLoginTokens(app, actor, tokens),
  });
  await app.register(usersRoutes);
  await app.register(settingsRoutes);
  await app.register(tokenVaultRoutes);
  await app.register(queryOptionsRoutes);
  await app.register(scimQueryRoutes);
  await app.register(relayRoutes);
  await app.register(savedQueriesRoutes);
  await app.register(auditRoutes);
  await app.register(connectionsRoutes);

  if (config.webDist) await registerWebStatic(app, config.webDist);

  await app.ready();
  return app;
}
