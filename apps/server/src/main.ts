/**
 * `npm start`: load the configuration, build the app (migrations run), listen, print where it
 * is, and close cleanly on SIGINT/SIGTERM (server first, then the database). Start-up
 * failures print one clear message and exit non-zero, never a stack trace.
 */
import { buildApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { MigrationError } from './db/migrate.ts';
import { seedDemoConnections } from './modules/connections/connections.seed.ts';
import { isDatabaseUnavailable } from './plugins/errors.ts';
import type { FastifyInstance } from 'fastify';

function fail(message: string): never {
  process.stderr.write(`\nscim-console: ${message}\n\n`);
  process.exit(1);
}

function describeDatabase(config: Config): string {
  if (config.database.kind === 'sqlite') return `SQLite ${config.database.path}`;
  const u = new URL(config.database.url);
  return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  let app: FastifyInstance;
  try {
    app = await buildApp(config);
  } catch (error) {
    if (error instanceof MigrationError)
      fail(`${error.message}\nThe database was left as it was before that migration.`);
    if (
      isDatabaseUnavailable(error) ||
      (error as { code?: string }).code === '3D000' ||
      (error as { code?: string }).code === '28P01'
    ) {
      fail(`cannot use the database (${describeDatabase(config)}): ${(error as Error).message}`);
    }
    if (
      (error as { code?: string }).code === 'SQLITE_NOTADB' ||
      (error as { code?: string }).code === 'SQLITE_CORRUPT'
    ) {
      fail(
        `the SQLite file is not a usable database (${describeDatabase(config)}): ${(error as Error).message}`,
      );
    }
    throw error;
  }

  // Demo profile: the sandbox as connections (idempotent; follows SANDBOX_URL changes).
  // Done here, at start-up, rather than in buildApp so API tests start from an empty list.
  let seeded = 0;
  if (config.profile === 'demo' && config.sandbox) {
    try {
      const report = await seedDemoConnections(app.db, config);
      seeded = report.created.length;
    } catch (error) {
      app.log.warn({ err: error }, 'could not seed the demo sandbox connections');
    }
  }

  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await app.close().catch(() => {});
    const code = (error as { code?: string }).code;
    if (code === 'EADDRINUSE')
      fail(
        `port ${config.port} on ${config.host} is already in use. Stop the other process or set PORT.`,
      );
    if (code === 'EACCES')
      fail(
        `no permission to listen on ${config.host}:${config.port}. Use a port above 1024 or set PORT.`,
      );
    if (code === 'EADDRNOTAVAIL') fail(`HOST ${config.host} is not an address of this machine.`);
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const lines = [
    '',
    `SCIM Console server (${config.profile}) listening on ${config.tls ? 'https' : 'http'}://${config.host}:${port}`,
    `  open:      ${config.publicUrl}`,
    `  API docs:  ${config.publicUrl}/api/docs`,
    `  database:  ${describeDatabase(config)}`,
  ];
  if (config.demo.accounts) {
    lines.push(
      `  accounts:  admin, operator, auditor, viewer — password: ${config.demo.password}${config.demo.passwordGenerated ? ' (generated; set DEMO_PASSWORD to choose)' : ''}`,
    );
  }
  if (config.oidc) lines.push(`  SSO:       ${config.oidc.label} (${config.oidc.issuer})`);
  if (config.sandbox)
    lines.push(
      `  sandbox:   ${config.sandbox.url}/scim/v2${seeded ? ` (${seeded} demo connections created)` : ''}`,
    );
  for (const warning of config.warnings) lines.push(`  note:      ${warning}`);
  process.stdout.write(lines.join('\n') + '\n\n');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) {
      process.stderr.write('scim-console: forced exit\n');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      process.stderr.write('scim-console: shutdown took longer than 10 s; exiting\n');
      process.exit(1);
    }, 10_000);
    timer.unref();
    // close(): stops accepting, waits for in-flight requests, then onClose hooks close the database.
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`scim-console: error during shutdown: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  fail(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
});
