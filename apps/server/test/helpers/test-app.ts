/**
 * Test harness: the real app (buildApp) on a throw-away database.
 * - SQLite: a file in a fresh temp directory, removed on close.
 * - PostgreSQL (DATABASE_URL): a fresh schema in that database, dropped on close.
 * `forEachDatabase` runs a describe block on SQLite always and on PostgreSQL when DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import { describe } from 'vitest';
import { buildApp, type AppDeps } from '../../src/app.ts';
import { loadConfig, type Config, type Env } from '../../src/config.ts';
import { createDatabase, type DatabaseHandle } from '../../src/db/database.ts';

export type DatabaseKind = 'sqlite' | 'postgres';

export const TEST_PASSWORD = 'demo-password-for-tests';

/** Fixed test keys (never used outside tests). */
export const TEST_ENV: Env = Object.freeze({
  SCIM_CONSOLE_PROFILE: 'demo',
  DEMO_PASSWORD: TEST_PASSWORD,
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  ENCRYPTION_ACTIVE_KEY: 'k1',
  TOKEN_FINGERPRINT_KEY: Buffer.alloc(32, 2).toString('base64'),
  LOG_LEVEL: 'silent',
  PUBLIC_URL: 'http://127.0.0.1:8080',
});

export interface TestAppOptions {
  database?: DatabaseKind;
  /** Extra environment (merged over TEST_ENV) before loadConfig. */
  env?: Env;
  /** Final tweak of the loaded config (e.g. shorter session timeouts). */
  config?: (config: Config) => Config;
  deps?: Omit<AppDeps, 'database'>;
}

export interface TestApp extends FastifyInstance {
  /** Where the test database lives (sqlite file path or postgres schema). */
  testDatabase: { kind: DatabaseKind; location: string };
}

/** A database handle whose close() also removes the temp file or drops the schema. */
export async function createTestDatabase(
  kind: DatabaseKind,
): Promise<{ handle: DatabaseHandle; database: Config['database']; location: string }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'scim-console-test-'));
    const path = join(dir, 'test.db');
    const inner = createDatabase({ kind: 'sqlite', path });
    return {
      database: { kind: 'sqlite', path },
      location: path,
      handle: {
        ...inner,
        close: async () => {
          await inner.close();
          rmSync(dir, { recursive: true, force: true });
        },
      },
    };
  }
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: PostgreSQL tests cannot run');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create schema ${schema}`);
  } finally {
    await admin.end();
  }
  const database = { kind: 'postgres' as const, url, schema };
  const inner = createDatabase(database);
  return {
    database,
    location: schema,
    handle: {
      ...inner,
      close: async () => {
        await inner.close();
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          await c.query(`drop schema if exists ${schema} cascade`);
        } finally {
          await c.end();
        }
      },
    },
  };
}

export function testConfig(
  options: Pick<TestAppOptions, 'env' | 'config'> = {},
  database?: Config['database'],
): Config {
  let config = loadConfig({ ...TEST_ENV, SQLITE_PATH: ':memory:', ...options.env });
  if (database) config = { ...config, database };
  if (options.config) config = options.config(config);
  return config;
}

export async function buildTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const kind = options.database ?? 'sqlite';
  const { handle, database, location } = await createTestDatabase(kind);
  const config = testConfig(options, database);
  try {
    const app = (await buildApp(config, {
      logger: false,
      ...options.deps,
      database: handle,
    })) as TestApp;
    app.testDatabase = { kind, location };
    return app;
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

/** Runs `fn` inside describe('sqlite') always and describe('postgres') when DATABASE_URL is set. */
export function forEachDatabase(fn: (database: DatabaseKind) => void): void {
  describe('sqlite', () => fn('sqlite'));
  if (process.env.DATABASE_URL) describe('postgres', () => fn('postgres'));
  else describe.skip('postgres (DATABASE_URL not set)', () => fn('postgres'));
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
  user: { id: string; username: string; role: string; permissions: string[] };
  /** app.inject with the session cookie (and the CSRF header on state-changing methods). */
  inject(options: InjectOptions): Promise<LightMyRequestResponse>;
}

/** The `name=value` of a Set-Cookie header for the session cookie, or null. */
export function sessionCookieFrom(response: LightMyRequestResponse): string | null {
  const header = response.headers['set-cookie'];
  const list = Array.isArray(header) ? header : header ? [header] : [];
  const cookie = list.find((c) => c.startsWith('scim_console_session='));
  return cookie ? cookie.split(';')[0]! : null;
}

export async function login(
  app: FastifyInstance,
  username: string,
  password = TEST_PASSWORD,
): Promise<LoggedIn> {
  const response = await app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
  });
  if (response.statusCode !== 200)
    throw new Error(`login(${username}) failed: ${response.statusCode} ${response.body}`);
  const cookie = sessionCookieFrom(response);
  if (!cookie) throw new Error('login did not set the session cookie');
  const body = response.json() as { user: LoggedIn['user']; csrfToken: string };
  return {
    cookie,
    csrfToken: body.csrfToken,
    user: body.user,
    inject: (options) => {
      const method = (options.method ?? 'GET').toUpperCase();
      const headers: Record<string, string> = {
        cookie,
        ...(options.headers as Record<string, string> | undefined),
      };
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && !('x-csrf-token' in headers))
        headers['x-csrf-token'] = body.csrfToken;
      return app.inject({ ...options, headers });
    },
  };
}

/** A controllable clock for buildTestApp({ deps: { now: clock.now } }). */
export function createClock(start = Date.now()): { now: () => Date; advance(ms: number): void } {
  let current = start;
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
  };
}
