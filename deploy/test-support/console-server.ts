/**
 * The real SCIM Console server (apps/server buildApp) listening on an ephemeral
 * 127.0.0.1 port, on a throw-away SQLite file, with the demo accounts — the
 * upstream the web tier's nginx proxies to in deploy tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../apps/server/src/app.ts';
import { loadConfig, type Env } from '../../apps/server/src/config.ts';

export const DEMO_PASSWORD = 'deploy-test-password';

/** Fixed keys for tests only. */
export const TEST_KEYS: Env = Object.freeze({
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
  ENCRYPTION_ACTIVE_KEY: 'k1',
  TOKEN_FINGERPRINT_KEY: Buffer.alloc(32, 9).toString('base64'),
});

export interface ConsoleServer {
  app: FastifyInstance;
  /** host:port for nginx's upstream. */
  address: string;
  origin: string;
  close(): Promise<void>;
}

export async function startConsoleServer(options: {
  publicUrl: string;
  env?: Env;
}): Promise<ConsoleServer> {
  const dir = mkdtempSync(join(tmpdir(), 'scim-console-deploy-server-'));
  const config = loadConfig(
    {
      SCIM_CONSOLE_PROFILE: 'demo',
      DEMO_PASSWORD,
      LOG_LEVEL: 'silent',
      PUBLIC_URL: options.publicUrl,
      SQLITE_PATH: join(dir, 'scim-console.db'),
      ...TEST_KEYS,
      ...options.env,
    },
    { cwd: dir },
  );
  const app = await buildApp(config, { logger: false });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    address: `127.0.0.1:${port}`,
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
