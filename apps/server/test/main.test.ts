/**
 * The real entry point as `npm start` runs it (node --import tsx src/main.ts): start-up
 * messages, clear failures, graceful shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));
// The temp working directory has no node_modules: load tsx by its resolved location.
const TSX = import.meta.resolve('tsx');
const children: ChildProcess[] = [];

function start(env: Record<string, string>) {
  const cwd = mkdtempSync(join(tmpdir(), 'scim-console-main-'));
  const child = spawn(process.execPath, ['--import', TSX, join(SERVER_DIR, 'src/main.ts')], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: cwd,
      LOG_LEVEL: 'warn',
      DEMO_PASSWORD: 'main-test-password',
      SANDBOX_URL: 'http://127.0.0.1:9',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = () => ({ stdout, stderr });
  const waitFor = async (pattern: RegExp, timeoutMs = 20_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (pattern.test(stdout + stderr)) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`did not see ${pattern}: ${stdout}${stderr}`);
  };
  return { child, exited, output, waitFor, cwd };
}

afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.pid) process.kill(child.pid, 'SIGKILL');
});

describe('npm start (src/main.ts)', () => {
  it('starts the demo profile, prints where it is and the demo password, and shuts down on SIGTERM', async () => {
    const server = start({ PORT: '0' });
    await server.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const { stdout } = server.output();
    expect(stdout).toContain(
      'accounts:  admin, operator, auditor, viewer — password: main-test-password',
    );
    expect(stdout).toMatch(/note: .*dev-keys\.json/);
    const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1]);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'operator', password: 'main-test-password' }),
    });
    expect(login.status).toBe(200);
    const connections = await fetch(`http://127.0.0.1:${port}/api/connections`, {
      headers: { cookie: login.headers.getSetCookie()[0]!.split(';')[0]! },
    });
    expect(
      ((await connections.json()) as { connections: { name: string }[] }).connections
        .map((c) => c.name)
        .sort(),
    ).toEqual(
      [
        'Sandbox (OAuth)',
        'Sandbox (SSO login)',
        'Sandbox (personal token)',
        'Sandbox (relay)',
      ].sort(),
    );
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });

  it('names each bad variable and exits 1 without a stack trace', async () => {
    const server = start({ PORT: 'eighty', SCIM_CONSOLE_PROFILE: 'production' });
    expect(await server.exited).toBe(1);
    const { stderr } = server.output();
    expect(stderr).toContain('PORT: must be an integer 0..65535');
    expect(stderr).toContain('ENCRYPTION_KEYS: is required in production');
    expect(stderr).toContain('PUBLIC_URL: is required in production');
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('says so clearly when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const server = start({ PORT: String(port) });
      expect(await server.exited).toBe(1);
      expect(server.output().stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it('says so clearly when the database cannot be reached', async () => {
    const server = start({ PORT: '0', DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none' });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toMatch(
      /cannot use the database \(PostgreSQL 127\.0\.0\.1:9\/none\)/,
    );
    expect(server.output().stderr).not.toMatch(/\n\s+at /);
  });

  it('says so clearly when the SQLite file is not a database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scim-console-broken-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      join(dir, 'broken.db'),
      'this is not a database file, just some text '.repeat(200),
    );
    const server = start({ PORT: '0', SQLITE_PATH: join(dir, 'broken.db') });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr).toMatch(
      /not a usable database|cannot use the database|migration/i,
    );
    expect(server.output().stderr).not.toMatch(/\n\s+at /);
  });
});
