/**
 * A fresh SCIM Console stack for one spec file: the sandbox (SCIM API + OAuth/OIDC server)
 * in this process, and the real server (`apps/server/src/main.ts`, demo profile, a throw-away
 * SQLite file, serving the built web app) as a child process on a free loopback port.
 * Everything stops in `close()`, and the child is killed by its own pid only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSandbox, type Sandbox } from '../../apps/sandbox/src/index.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const PASSWORD = 'e2e-demo-password';

export interface StackOptions {
  /** Sandbox users (small: seeding is per spec). */
  users?: number;
  /** Sandbox access-token lifetime in seconds. */
  accessTokenTtl?: number;
  /** Extra server environment. */
  env?: Record<string, string>;
}

export interface Stack {
  /** The console's origin (server + built web app), e.g. http://127.0.0.1:41234 */
  origin: string;
  sandbox: Sandbox;
  /** Every SCIM call the sandbox has served since `since` (ms). */
  requests(since?: number): Promise<SandboxRequest[]>;
  /** POST /_sandbox/faults */
  fault(body: Record<string, unknown>): Promise<void>;
  clearFaults(): Promise<void>;
  /** POST /_sandbox/revoke {username} */
  revoke(username: string): Promise<void>;
  /** Server output so far (stdout + stderr), for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export interface SandboxRequest {
  at: string;
  subject: string | null;
  username: string | null;
  tokenKind: 'jwt' | 'static' | 'none';
  method: string;
  path: string;
  query: string;
  status: number;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === 'object' && address ? done(address.port) : fail(new Error('no port')),
      );
    });
  });
}

async function waitReady(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the server exited (${child.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${origin}/readyz`);
      // The demo connections are seeded after buildApp and before listen, so ready = seeded.
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the server did not become ready within 30 s:\n${output()}`);
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'scim-console-e2e-'));
  const sandbox = await startSandbox({
    port: 0,
    users: options.users ?? 300,
    password: PASSWORD,
    accessTokenTtl: options.accessTokenTtl,
    corsOrigins: [origin],
    consoleClient: {
      clientSecret: 'e2e-client-secret',
      redirectUris: [`${origin}/api/token/oauth/callback`, `${origin}/api/auth/oidc/callback`],
    },
    env: {},
  });
  let out = '';
  const child = spawn(
    process.execPath,
    [
      '--import',
      pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href,
      join(ROOT, 'apps/server/src/main.ts'),
    ],
    {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SCIM_CONSOLE_PROFILE: 'demo',
        HOST: '127.0.0.1',
        PORT: String(port),
        PUBLIC_URL: origin,
        SQLITE_PATH: join(dir, 'scim-console.db'),
        ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
        ENCRYPTION_ACTIVE_KEY: 'k1',
        TOKEN_FINGERPRINT_KEY: Buffer.alloc(32, 9).toString('base64'),
        DEMO_PASSWORD: PASSWORD,
        WEB_DIST: join(ROOT, 'apps/web/dist'),
        SANDBOX_URL: sandbox.url,
        SANDBOX_CLIENT_SECRET: 'e2e-client-secret',
        LOG_LEVEL: 'warn',
        // Journeys sign in many times from one address.
        RATE_LIMIT_MAX: '100000',
        LOGIN_RATE_LIMIT_MAX: '1000',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out;
  const stopChild = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        done();
      });
      child.kill('SIGTERM');
    });
  try {
    await waitReady(origin, child, output);
  } catch (error) {
    await stopChild();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const knob = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${sandbox.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    if (!res.ok)
      throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status} ${await res.text()}`);
    return res;
  };

  return {
    origin,
    sandbox,
    async requests(since) {
      const res = await knob(`/_sandbox/requests${since ? `?since=${since}` : ''}`);
      return (await res.json()) as SandboxRequest[];
    },
    async fault(body) {
      await knob('/_sandbox/faults', { method: 'POST', body: JSON.stringify(body) });
    },
    async clearFaults() {
      await knob('/_sandbox/faults', { method: 'DELETE' });
    },
    async revoke(username) {
      await knob('/_sandbox/revoke', { method: 'POST', body: JSON.stringify({ username }) });
    },
    output,
    async close() {
      await stopChild();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
