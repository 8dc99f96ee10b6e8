/**
 * Faults and load (issue 10 item 5).
 * - The provider failing (sandbox `/_sandbox/faults`: 429, 500, 503, slow, malformed, revoked)
 *   during discovery, static-token verification and re-verification; a hostile token endpoint
 *   (500, 429, malformed, slow) during OAuth refresh: a clear answer within the timeout.
 * - The database briefly unavailable: SQLite write-locked by another connection
 *   (`BEGIN EXCLUSIVE`), PostgreSQL with its backends terminated and connections refused → 503
 *   `DATABASE_UNAVAILABLE`, then recovery without a restart.
 * - The real server process (`apps/server/src/main.ts`) on SQLite killed with SIGKILL under
 *   concurrent scim-query load and restarted on the same file: every 2xx has its audit event,
 *   the chain verifies. (deploy/multi-replica.test.ts does the same for PostgreSQL behind nginx.)
 * - 100 users querying at once through the relay with their own static tokens: every answer
 *   is the caller's own SCIM identity, and every success has its audit event.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../apps/server/src/app.ts';
import { createDatabase } from '../../apps/server/src/db/database.ts';
import {
  buildTestApp,
  login,
  testConfig,
  type LoggedIn,
  type TestApp,
} from '../../apps/server/test/helpers/test-app.ts';
import {
  createSandboxConnections,
  linkOAuth,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../../apps/server/src/modules/token-vault/sandbox.test-support.ts';
import { errorShapeProblem, injectWithin } from './support.ts';
import type { LightMyRequestResponse } from 'fastify';

/** A provider failure may surface as 502 PROVIDER_* (or 429); anything else must be a clean 4xx. */
function providerAnswerProblem(res: LightMyRequestResponse): string | null {
  if (res.statusCode === 502) {
    const code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code;
    return code === 'PROVIDER_ERROR' || code === 'PROVIDER_UNREACHABLE'
      ? null
      : `502 with ${res.body}`;
  }
  return errorShapeProblem(res);
}

const SERVER_DIR = fileURLToPath(new URL('../../apps/server', import.meta.url));

async function fault(sandbox: TestSandbox, body: Record<string, unknown>): Promise<void> {
  await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  const res = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fault ${JSON.stringify(body)}: ${res.status}`);
}

const FAULTS = [
  { kind: '429', retryAfter: 1, count: 5 },
  { kind: '500', count: 5 },
  { kind: '503', count: 5 },
  { kind: 'malformed', count: 5 },
  { kind: 'delay', delayMs: 4_000, count: 5 },
] as const;

describe('the provider failing', () => {
  let sandbox: TestSandbox;
  let app: TestApp;
  let admin: LoggedIn;
  let operator: LoggedIn;
  let ids: SandboxConnections;
  let idp: Server;
  let idpUrl: string;
  let idpMode = 'ok';

  beforeAll(async () => {
    sandbox = await startTestSandbox({ accessTokenTtl: 300 });
    app = await buildTestApp({ env: { HTTP_TIMEOUT_MS: '1500', RATE_LIMIT_MAX: '100000' } });
    admin = await login(app, 'admin');
    operator = await login(app, 'operator');
    ids = await createSandboxConnections(app, sandbox, admin.user.id);
    // A hostile token endpoint for the refresh cases.
    idp = createServer((req, res) => {
      req.resume();
      if (idpMode === 'slow') return void setTimeout(() => res.writeHead(200).end('{}'), 4_000);
      if (idpMode === '429')
        return void res
          .writeHead(429, { 'retry-after': '3', 'content-type': 'application/json' })
          .end('{"error":"slow_down"}');
      if (idpMode === 'malformed')
        return void res
          .writeHead(200, { 'content-type': 'application/json' })
          .end('{"access_token": "abc", "tok');
      if (idpMode === 'html')
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
    });
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await new Promise((resolve) => idp?.close(resolve));
  });

  it('discovery: defaults with a discovery error, or a clear 502 — never a hang or a 500', async () => {
    let n = 0;
    for (const f of FAULTS) {
      const made = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: `discovery ${(n += 1)}`,
          baseUrl: sandbox.scimUrl,
          authKind: 'static',
          allowPrivateNetwork: true,
          grants: { roles: ['operator'], userIds: [] },
        },
      });
      await fault(sandbox, f);
      const res = await injectWithin(
        operator.inject,
        { url: `/api/query-options?connectionId=${made.json().id}` },
        10_000,
      );
      expect(providerAnswerProblem(res), f.kind).toBeNull();
      if (res.statusCode === 200) {
        expect(res.json().source, f.kind).toBe('defaults');
        expect(res.json().discoveryError, f.kind).toBeTruthy();
      } else {
        expect(res.statusCode, `${f.kind}: ${res.body}`).toBe(502);
        expect(['PROVIDER_ERROR', 'PROVIDER_UNREACHABLE']).toContain(res.json().error.code);
      }
    }
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  });

  it('static token verification and re-verification: a clear code, and a refused token is not stored', async () => {
    const viewer = await login(app, 'viewer');
    for (const f of [...FAULTS, { kind: 'revoked', count: 5 }]) {
      await fault(sandbox, f);
      const res = await injectWithin(
        viewer.inject,
        {
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: ids.static, token: sandbox.staticTokens.viewer },
        },
        15_000,
      );
      expect(providerAnswerProblem(res), f.kind).toBeNull();
      if (res.statusCode === 200) {
        // A 200 with a truncated body still means the provider accepted the token.
        expect(f.kind).toBe('malformed');
        expect(res.json().state).toBe('valid');
        await viewer.inject({ method: 'DELETE', url: `/api/token?connectionId=${ids.static}` });
        continue;
      }
      expect(['PROVIDER_ERROR', 'PROVIDER_UNREACHABLE', 'RATE_LIMITED', 'TOKEN_INVALID']).toContain(
        res.json().error.code,
      );
      expect(res.body).not.toContain(sandbox.staticTokens.viewer);
      const status = (
        await viewer.inject({ url: `/api/token/status?connectionId=${ids.static}` })
      ).json();
      expect(status.state, f.kind).toBe('missing');
    }
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
    expect(
      (
        await viewer.inject({
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: ids.static, token: sandbox.staticTokens.viewer },
        })
      ).statusCode,
    ).toBe(200);
    for (const f of FAULTS) {
      await fault(sandbox, f);
      const res = await injectWithin(
        viewer.inject,
        { method: 'POST', url: '/api/token/refresh', payload: { connectionId: ids.static } },
        15_000,
      );
      expect(providerAnswerProblem(res), f.kind).toBeNull();
      if (res.statusCode !== 200)
        expect(['PROVIDER_ERROR', 'PROVIDER_UNREACHABLE', 'RATE_LIMITED']).toContain(
          res.json().error.code,
        );
      // A provider outage is not a verdict on the token: it stays linked.
      const status = (
        await viewer.inject({ url: `/api/token/status?connectionId=${ids.static}` })
      ).json();
      expect(status.state, `${f.kind}: ${JSON.stringify(status)}`).not.toBe('missing');
    }
    await fetch(`${sandbox.url}/_sandbox/faults`, { method: 'DELETE' });
  });

  it('OAuth refresh against a failing token endpoint: 502/429 with a code, and the link survives', async () => {
    await linkOAuth(operator, sandbox, ids.oauth, 'operator');
    const current = await admin.inject({ url: `/api/connections/${ids.oauth}` });
    const oauth = current.json().oauth;
    const patched = await admin.inject({
      method: 'PATCH',
      url: `/api/connections/${ids.oauth}`,
      payload: {
        oauth: {
          authorizationEndpoint: `${sandbox.issuer}/auth`,
          tokenEndpoint: `${idpUrl}/token`,
          clientId: oauth.clientId,
          scopes: oauth.scopes,
        },
      },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    for (const mode of ['500', '429', 'malformed', 'html', 'slow']) {
      idpMode = mode;
      const token = (
        await operator.inject({ url: `/api/token/status?connectionId=${ids.oauth}` })
      ).json();
      const res = await injectWithin(
        operator.inject,
        {
          method: 'POST',
          url: '/api/token/refresh',
          payload: { connectionId: ids.oauth, rejectedFingerprint: token.fingerprint },
        },
        15_000,
      );
      expect(providerAnswerProblem(res), mode).toBeNull();
      expect(res.statusCode, `${mode}: ${res.body}`).not.toBe(200);
      expect(
        ['PROVIDER_ERROR', 'PROVIDER_UNREACHABLE', 'RATE_LIMITED'],
        `${mode}: ${res.body}`,
      ).toContain(res.json().error.code);
      const after = (
        await operator.inject({ url: `/api/token/status?connectionId=${ids.oauth}` })
      ).json();
      expect(after.state, mode).not.toBe('missing');
    }
  });
});

describe('the database briefly unavailable', () => {
  it('SQLite write-locked by another connection: 503 DATABASE_UNAVAILABLE, then recovery without restart', async () => {
    const app = await buildTestApp();
    try {
      const viewer = await login(app, 'viewer');
      const other = new Database(app.testDatabase.location);
      other.exec('BEGIN EXCLUSIVE');
      try {
        const res = await injectWithin(
          viewer.inject,
          { method: 'PUT', url: '/api/me/preferences', payload: { theme: 'dark' } },
          20_000,
        );
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json().error.code).toBe('DATABASE_UNAVAILABLE');
        expect(res.body).not.toMatch(/SQLITE|at \//);
      } finally {
        other.exec('COMMIT');
        other.close();
      }
      expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
      const res = await viewer.inject({
        method: 'PUT',
        url: '/api/me/preferences',
        payload: { theme: 'dark' },
      });
      expect(res.statusCode, res.body).toBe(200);
    } finally {
      await app.close();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'PostgreSQL backends terminated and connections refused: 503, readyz 503, then recovery',
    async () => {
      const base = new URL(process.env.DATABASE_URL!);
      const name = `scim_sec_${randomBytes(5).toString('hex')}`;
      const adminUrl = new URL(base);
      adminUrl.pathname = '/postgres';
      const dbUrl = new URL(base);
      dbUrl.pathname = `/${name}`;
      const root = new pg.Client({ connectionString: adminUrl.toString() });
      await root.connect();
      await root.query(`create database ${name}`);
      const database = { kind: 'postgres' as const, url: dbUrl.toString() };
      const app = await buildApp(testConfig({}, database), {
        logger: false,
        database: createDatabase(database),
      });
      try {
        const viewer = await login(app, 'viewer');
        await root.query(`alter database ${name} with allow_connections false`);
        await root.query(
          `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1`,
          [name],
        );
        const res = await injectWithin(viewer.inject, { url: '/api/auth/me' }, 20_000);
        expect(res.statusCode, res.body).toBe(503);
        expect(res.json().error.code).toBe('DATABASE_UNAVAILABLE');
        const ready = await injectWithin(app.inject.bind(app), { url: '/readyz' }, 20_000);
        expect(ready.statusCode).toBe(503);
        await root.query(`alter database ${name} with allow_connections true`);
        let recovered = 0;
        for (let i = 0; i < 20 && recovered !== 200; i += 1) {
          recovered = (await app.inject({ url: '/readyz' })).statusCode;
          if (recovered !== 200) await new Promise((r) => setTimeout(r, 250));
        }
        expect(recovered).toBe(200);
        expect((await viewer.inject({ url: '/api/auth/me' })).statusCode).toBe(200);
      } finally {
        await app.close();
        await root.query(`drop database if exists ${name} with (force)`);
        await root.end();
      }
    },
  );
});

interface Child {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startServer(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('error', () => {});
  child.stderr!.on('error', () => {});
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 60_000);
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${output}`));
    });
  });
  return { child, url, output: () => output };
}

async function signIn(
  url: string,
  username: string,
  password: string,
): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${res.status} ${await res.text()}`);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('scim_console_session='))!
    .split(';')[0]!;
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

describe('SIGKILL under concurrent load (SQLite, the real server process)', () => {
  let sandbox: TestSandbox;
  let dir: string;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    sandbox = await startTestSandbox({ accessTokenTtl: 300 });
    dir = mkdtempSync(join(tmpdir(), 'scim-sec-kill-'));
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every 2xx has its audit event after restart, and the chain verifies', async () => {
    const password = 'kill-test-password';
    const env = {
      SCIM_CONSOLE_PROFILE: 'demo',
      DEMO_PASSWORD: password,
      HOST: '127.0.0.1',
      PORT: '0',
      SQLITE_PATH: join(dir, 'console.db'),
      ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 5).toString('base64')}`,
      ENCRYPTION_ACTIVE_KEY: 'k1',
      TOKEN_FINGERPRINT_KEY: Buffer.alloc(32, 6).toString('base64'),
      SANDBOX_URL: sandbox.url,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_MAX: '1000000',
    };
    const first = await startServer(env);
    children.push(first.child);
    const session = await signIn(first.url, 'operator', password);
    const connections = (await (
      await fetch(`${first.url}/api/connections`, { headers: { cookie: session.cookie } })
    ).json()) as { connections: { id: string; executionMode: string }[] };
    const connectionId = connections.connections[0]!.id;
    const ok: string[] = [];
    let stop = false;
    const worker = async () => {
      while (!stop) {
        try {
          const res = await fetch(`${first.url}/api/scim-query`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              cookie: session.cookie,
              'x-csrf-token': session.csrf,
            },
            body: JSON.stringify({
              connectionId,
              resourceType: 'User',
              filter: `userName sw "u${ok.length}"`,
            }),
          });
          if (res.status === 200) ok.push(((await res.json()) as { queryId: string }).queryId);
          else await res.text();
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    const started = Date.now();
    while (ok.length < 40 && Date.now() - started < 30_000)
      await new Promise((r) => setTimeout(r, 50));
    first.child.kill('SIGKILL');
    await Promise.all(workers);
    stop = true;
    expect(ok.length).toBeGreaterThanOrEqual(40);

    const second = await startServer(env);
    children.push(second.child);
    try {
      const auditor = await signIn(second.url, 'auditor', password);
      const seen = new Set<string>();
      let cursor: string | null = null;
      do {
        const page = (await (
          await fetch(
            `${second.url}/api/logs?scope=all&action=query.generated&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
            { headers: { cookie: auditor.cookie } },
          )
        ).json()) as { events: { queryId: string | null }[]; nextCursor: string | null };
        for (const e of page.events) if (e.queryId) seen.add(e.queryId);
        cursor = page.nextCursor;
      } while (cursor);
      const lost = ok.filter((id) => !seen.has(id));
      expect(
        lost,
        `${lost.length} of ${ok.length} acknowledged queries have no audit event`,
      ).toEqual([]);
      const verify = (await (
        await fetch(`${second.url}/api/logs/verify`, { headers: { cookie: auditor.cookie } })
      ).json()) as { ok: boolean };
      expect(verify).toMatchObject({ ok: true });
    } finally {
      second.child.kill('SIGTERM');
    }
  }, 120_000);
});

describe('100 users querying at once', () => {
  let sandbox: TestSandbox;
  let app: TestApp;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ accessTokenTtl: 300 });
    app = await buildTestApp({ env: { RATE_LIMIT_MAX: '1000000', LOGIN_RATE_LIMIT_MAX: '10000' } });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  it('each gets their own identity through the relay, and every success is audited', async () => {
    const admin = await login(app, 'admin');
    const made = await admin.inject({
      method: 'POST',
      url: '/api/connections',
      payload: {
        name: 'Relay static',
        baseUrl: sandbox.scimUrl,
        authKind: 'static',
        executionMode: 'relay',
        allowPrivateNetwork: true,
        grants: { roles: ['operator'], userIds: [] },
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    const connectionId = made.json().id as string;
    // The sandbox has personal tokens for its four sign-in accounts: user i gets account i % 4.
    const accounts = ['admin', 'operator', 'auditor', 'viewer'] as const;
    const password = 'hundred-users-password';
    const users: { session: LoggedIn; account: string }[] = [];
    const N = 100;
    for (let start = 0; start < N; start += 10) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(10, N - start) }, async (_, k) => {
          const i = start + k;
          const username = `load-${i}`;
          const created = await admin.inject({
            method: 'POST',
            url: '/api/users',
            payload: { username, role: 'operator', password },
          });
          if (created.statusCode !== 201) throw new Error(created.body);
          const session = await login(app, username, password);
          const account = accounts[i % 4]!;
          const linked = await session.inject({
            method: 'PUT',
            url: '/api/token',
            payload: { connectionId, token: sandbox.staticTokens[account] },
          });
          if (linked.statusCode !== 200) throw new Error(linked.body);
          return { session, account };
        }),
      );
      users.push(...batch);
    }
    await sandbox.clearRequests();
    const results = await Promise.all(
      users.map(async ({ session, account }) => {
        const generated = await session.inject({
          method: 'POST',
          url: '/api/scim-query',
          payload: { connectionId, resourceType: 'User', filter: 'active eq true', count: 1 },
        });
        const me = await session.inject({ url: `/api/relay/${connectionId}/Me` });
        return { account, generated, me, username: session.user.username };
      }),
    );
    const wrong = results.filter(
      (r) => r.me.statusCode !== 200 || !String(r.me.json().userName).startsWith(`${r.account}@`),
    );
    expect(wrong.map((r) => `${r.username}: ${r.me.statusCode} ${r.me.body.slice(0, 80)}`)).toEqual(
      [],
    );
    expect(results.every((r) => r.generated.statusCode === 200)).toBe(true);
    // The provider saw exactly 25 /Me calls per account, each with that account's own token.
    const log = (await sandbox.requests()).filter((r) => r.path.endsWith('/Me'));
    const byAccount = new Map<string, number>();
    for (const r of log)
      byAccount.set(String(r.username), (byAccount.get(String(r.username)) ?? 0) + 1);
    expect(log).toHaveLength(N);
    expect([...byAccount.values()]).toEqual([25, 25, 25, 25]);
    // No lost events: one query.generated and one relay.request per user.
    for (const action of ['query.generated', 'relay.request'] as const) {
      const rows = await app.db
        .selectFrom('audit_events')
        .select(['actor_username'])
        .where('action', '=', action)
        .where('actor_username', 'like', 'load-%')
        .execute();
      expect(new Set(rows.map((r) => r.actor_username)).size, action).toBe(N);
      expect(rows.length, action).toBe(N);
    }
    const auditor = await login(app, 'auditor');
    expect((await auditor.inject({ url: '/api/logs/verify' })).json()).toMatchObject({ ok: true });
  }, 180_000);
});
