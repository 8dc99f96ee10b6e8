/**
 * The deployment's central claim, run for real: two server processes (the real
 * `src/main.ts`, as the image starts it) on one PostgreSQL database, behind the
 * web image's nginx template with both replicas in its upstream, the sandbox as
 * SCIM and OAuth provider.
 *
 * - replicas start together (migrations and demo seeding race, as in a rollout);
 * - one session works on both replicas;
 * - an OAuth token linked through one replica is refreshed once, not twice, when
 *   concurrent refreshes land on both (single-flight across processes);
 * - one replica is killed (SIGKILL) in the middle of a stream of audited
 *   requests: every request that got a success response has its audit event,
 *   and the hash chain verifies afterwards.
 *
 * Needs PostgreSQL: DATABASE_URL (CI sets it) names a database on a server
 * where the role may create databases; the test works in a fresh database it
 * drops afterwards.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scriptedSignIn, startSandbox, type Sandbox } from '@scim-console/sandbox';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, TEST_KEYS } from './test-support/console-server.ts';
import {
  freePort,
  startNginx,
  stopProcess,
  type NginxInstance,
} from './test-support/nginx-harness.ts';

const SERVER_DIR = fileURLToPath(new URL('../apps/server', import.meta.url));
const BASE_DATABASE_URL = process.env.DATABASE_URL;

interface Replica {
  name: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  /** Requests this replica logged, as "METHOD /path" (query string dropped). */
  served: () => string[];
}

function spawnReplica(name: string, port: number, env: Record<string, string>): Replica {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    // A clean environment, as in a container: only what the server is given.
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: tmpdir(),
      NODE_ENV: 'production',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  return {
    name,
    port,
    child,
    output: () => output,
    served: () =>
      output
        .split('\n')
        .filter((l) => l.includes('"incoming request"'))
        .map((l) => {
          try {
            const req = (JSON.parse(l) as { req: { method: string; url: string } }).req;
            return `${req.method} ${req.url.split('?')[0]}`;
          } catch {
            return '';
          }
        }),
  };
}

async function waitReady(replica: Replica): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (replica.child.exitCode !== null)
      throw new Error(`${replica.name} exited (${replica.child.exitCode}):\n${replica.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${replica.port}/readyz`);
      if (res.ok) return;
    } catch {
      // still starting
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${replica.name} not ready after 90 s:\n${replica.output()}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies of many endpoints, each asserted field by field below
type Body = any;

/** A browser-like client of the public origin: session cookie, CSRF header, Origin. */
class Client {
  cookie = '';
  csrf = '';
  constructor(readonly origin: string) {}

  async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Body; headers: Headers }> {
    const headers: Record<string, string> = { origin: this.origin, accept: 'application/json' };
    if (this.cookie) headers.cookie = this.cookie;
    if (!['GET', 'HEAD'].includes(method) && this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.origin}${path}`, {
      method,
      headers,
      redirect: 'manual',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let json: Body = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json, headers: res.headers };
  }

  async login(username: string, password: string): Promise<void> {
    const res = await fetch(`${this.origin}/api/auth/login`, {
      method: 'POST',
      headers: { origin: this.origin, 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('scim_console_session='));
    this.cookie = cookie!.split(';')[0]!;
    this.csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }
}

describe.skipIf(!BASE_DATABASE_URL)('two server replicas on one PostgreSQL behind nginx', () => {
  const databaseName = `scim_console_replicas_${randomBytes(5).toString('hex')}`;
  let databaseUrl: string;
  let dir: string;
  let sandbox: Sandbox;
  let tokenCalls = 0;
  let replicas: Replica[] = [];
  let nginx: NginxInstance;
  let admin: Client;
  let oauthConnectionId: string;

  async function adminQuery(sql: string): Promise<void> {
    const client = new pg.Client({ connectionString: BASE_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await adminQuery(`create database ${databaseName}`);
    const url = new URL(BASE_DATABASE_URL!);
    url.pathname = `/${databaseName}`;
    databaseUrl = url.toString();

    dir = mkdtempSync(join(tmpdir(), 'scim-console-replicas-'));
    chmodSync(dir, 0o755);
    // Only the API matters here; the app shell is covered by nginx.test.ts.
    const webRoot = join(dir, 'html');
    mkdirSync(webRoot);
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><title>SCIM Console</title>\n');
    const nginxPort = await freePort();
    const publicUrl = `http://127.0.0.1:${nginxPort}`;

    sandbox = await startSandbox({
      port: 0,
      users: 40,
      accessTokenTtl: 2,
      password: 'sandbox-replica-password',
      consoleClient: {
        redirectUris: [
          `${publicUrl}/api/token/oauth/callback`,
          `${publicUrl}/api/auth/oidc/callback`,
        ],
      },
      logger: (line) => {
        if (/ POST \/oidc\/token /.test(line)) tokenCalls += 1;
      },
    });

    const env: Record<string, string> = {
      SCIM_CONSOLE_PROFILE: 'demo',
      DEMO_PASSWORD,
      DATABASE_URL: databaseUrl,
      ...(TEST_KEYS as Record<string, string>),
      PUBLIC_URL: publicUrl,
      TRUST_PROXY: '1',
      HOST: '127.0.0.1',
      SANDBOX_URL: sandbox.url,
      SANDBOX_CLIENT_ID: sandbox.consoleClient.clientId,
      SANDBOX_CLIENT_SECRET: sandbox.consoleClient.clientSecret,
      LOG_LEVEL: 'info',
    };
    // Started together, as a Deployment's pods are: migrations and seeding race.
    const ports = [await freePort(), await freePort()];
    replicas = [
      spawnReplica('replica-a', ports[0]!, env),
      spawnReplica('replica-b', ports[1]!, env),
    ];
    await Promise.all(replicas.map(waitReady));

    nginx = await startNginx({
      dir: join(dir, 'nginx'),
      webRoot,
      upstream: replicas.map((r) => `127.0.0.1:${r.port}`),
      port: nginxPort,
    });
    admin = new Client(nginx.origin);
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(replicas.map((r) => stopProcess(r.child, 'SIGTERM')));
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await adminQuery(`drop database if exists ${databaseName} with (force)`).catch(() => {});
  });

  it('serves one session from both replicas', async () => {
    await admin.login('admin', DEMO_PASSWORD);
    const before = replicas.map((r) => r.served().filter((s) => s === 'GET /api/auth/me').length);
    for (let i = 0; i < 10; i++) {
      const me = await admin.request('GET', '/api/auth/me');
      expect(me.status).toBe(200);
      expect(me.json.user.username).toBe('admin');
    }
    const after = replicas.map((r) => r.served().filter((s) => s === 'GET /api/auth/me').length);
    // Round-robin: each replica answered some of them with the same session.
    expect(after[0]! - before[0]!).toBeGreaterThan(0);
    expect(after[1]! - before[1]!).toBeGreaterThan(0);
  });

  it('links an OAuth token across replicas and refreshes it once for concurrent callers on both', async () => {
    const connections = await admin.request('GET', '/api/connections');
    expect(connections.status).toBe(200);
    const oauth = (
      connections.json.connections as Array<{
        id: string;
        name: string;
        authKind: string;
        executionMode: string;
      }>
    ).find((c) => c.authKind === 'oauth2' && c.executionMode === 'direct');
    expect(oauth, 'the demo profile seeds a direct OAuth connection to the sandbox').toBeDefined();
    oauthConnectionId = oauth!.id;

    // Authorization code + PKCE: start, sign in at the sandbox, callback — state kept in the database.
    const start = await admin.request(
      'GET',
      `/api/token/oauth/start?connectionId=${oauthConnectionId}&returnTo=/tokens`,
    );
    expect(start.status).toBe(302);
    const callback = await scriptedSignIn(start.headers.get('location')!, {
      username: 'admin',
      password: sandbox.password,
    });
    const done = await admin.request('GET', `${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toBe(`/tokens?tokenLinked=${oauthConnectionId}`);

    await new Promise((r) => setTimeout(r, 2200)); // the 2 s access token has expired
    const before = tokenCalls;
    const servedBefore = replicas.map(
      (r) => r.served().filter((s) => s === 'POST /api/token/refresh').length,
    );
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        admin.request('POST', '/api/token/refresh', { connectionId: oauthConnectionId }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.json.accessToken)).size).toBe(1);
    expect(tokenCalls - before).toBe(1);
    const servedAfter = replicas.map(
      (r) => r.served().filter((s) => s === 'POST /api/token/refresh').length,
    );
    expect(servedAfter[0]! - servedBefore[0]!).toBeGreaterThan(0);
    expect(servedAfter[1]! - servedBefore[1]!).toBeGreaterThan(0);
  });

  it('loses no audit event for a request that got a response when a replica is killed mid-run', async () => {
    const total = 60;
    const concurrency = 4;
    const killAt = 20;
    const results: Array<{ generate: number; queryId: string | null; outcome: number | null }> = [];
    let started = 0;
    let killed = false;
    const victim = replicas[1]!;

    const worker = async () => {
      while (started < total) {
        const n = started++;
        if (n === killAt && !killed) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
        const generated = await admin.request('POST', '/api/scim-query', {
          connectionId: oauthConnectionId,
          resourceType: 'User',
          filter: `userName sw "user${n}"`,
        });
        const entry = {
          generate: generated.status,
          queryId: generated.status === 200 ? (generated.json.queryId as string) : null,
          outcome: null as number | null,
        };
        if (entry.queryId) {
          const outcome = await admin.request('POST', `/api/logs/${entry.queryId}/outcome`, {
            status: 200,
            resultCount: 1,
            durationMs: 12,
          });
          entry.outcome = outcome.status;
        }
        results.push(entry);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await new Promise<void>((r) =>
      victim.child.exitCode !== null || victim.child.signalCode
        ? r()
        : victim.child.once('exit', () => r()),
    );

    // Only requests in flight at the moment of the kill may fail, and only with the proxy's 503.
    const failed = results.filter(
      (r) => r.generate !== 200 || (r.outcome !== null && r.outcome !== 204),
    );
    expect(failed.length).toBeLessThanOrEqual(concurrency);
    for (const f of failed) expect([200, 204, 503]).toContain(f.outcome ?? f.generate);
    expect(results.filter((r) => r.generate === 200).length).toBeGreaterThanOrEqual(
      total - concurrency,
    );
    // The killed replica had served part of the stream before it died.
    expect(victim.served().filter((s) => s === 'POST /api/scim-query').length).toBeGreaterThan(0);

    // The survivor still knows the session.
    expect((await admin.request('GET', '/api/auth/me')).status).toBe(200);

    // Every success has its audit event.
    const events: Array<{ seq: number; action: string; queryId: string | null }> = [];
    let cursor: string | null = null;
    do {
      const page = await admin.request(
        'GET',
        `/api/logs?scope=all&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      events.push(...(page.json.events as typeof events));
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    const generatedIds = new Set(
      events.filter((e) => e.action === 'query.generated').map((e) => e.queryId),
    );
    const outcomeIds = new Set(
      events.filter((e) => e.action === 'query.outcome').map((e) => e.queryId),
    );
    for (const r of results) {
      if (r.generate === 200)
        expect(generatedIds.has(r.queryId), `query.generated for ${r.queryId}`).toBe(true);
      if (r.outcome === 204)
        expect(outcomeIds.has(r.queryId), `query.outcome for ${r.queryId}`).toBe(true);
    }
    // One chain: no duplicate sequence numbers, and it verifies end to end.
    const seqs = events.map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    const verify = await admin.request('GET', '/api/logs/verify');
    expect(verify.status).toBe(200);
    expect(verify.json).toMatchObject({ ok: true });
    expect(verify.json.checked).toBeGreaterThanOrEqual(events.length);
  });
});
