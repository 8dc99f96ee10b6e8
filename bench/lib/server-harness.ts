/**
 * Parent side of the server bench: starts server-process.ts as a child (`node --import tsx`),
 * signs users in over HTTP like the web app does (cookie + CSRF token), and runs autocannon.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { DatabaseConfig } from '../../apps/server/src/config.ts';
import { BENCH_ENV, BENCH_PASSWORD } from './bench-env.ts';

export interface ServerProcess {
  url: string;
  bareUrl: string;
  pid: number;
  rssReset(): void;
  rssRead(): Promise<{ peak: number; current: number }>;
  close(): Promise<void>;
}

export async function startServerProcess(
  database: DatabaseConfig,
  sandboxUrl: string,
  extra: { webDist?: string; port?: number } = {},
): Promise<ServerProcess> {
  const child: ChildProcess = fork(join(import.meta.dirname, 'server-process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, BENCH_SERVER: JSON.stringify({ database, sandboxUrl, ...extra }) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<{ port: number; barePort: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    child.on('message', (m: { type: string; port: number; barePort: number }) => {
      if (m.type === 'ready') resolve(m);
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${ready.port}`,
    bareUrl: `http://127.0.0.1:${ready.barePort}`,
    pid: child.pid!,
    rssReset: () => child.send({ type: 'rss-reset' }),
    rssRead: () =>
      new Promise((resolve) => {
        const on = (m: { type: string; peak: number; current: number }) => {
          if (m.type !== 'rss') return;
          child.off('message', on);
          resolve({ peak: m.peak, current: m.current });
        };
        child.on('message', on);
        child.send({ type: 'rss-read' });
      }),
    close: () =>
      new Promise((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send({ type: 'close' });
      }),
  };
}

export interface Session {
  username: string;
  cookie: string;
  csrfToken: string;
  userId: string;
}

/** POST /api/auth/login as the browser does (same-origin Origin header). */
export async function signIn(baseUrl: string, username: string): Promise<Session> {
  const response = await fetch(`${baseUrl}/api/auth/login`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: BENCH_ENV.PUBLIC_URL!,
      'sec-fetch-site': 'same-origin',
    },
    body: JSON.stringify({ username, password: BENCH_PASSWORD }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in of ${username}: ${response.status} ${await response.text()}`);
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith('scim_console_session='))!
    .split(';')[0]!;
  const body = (await response.json()) as { csrfToken: string; user: { id: string } };
  return { username, cookie, csrfToken: body.csrfToken, userId: body.user.id };
}

/** A JSON call with a session (CSRF header on writes); throws on a non-2xx answer. */
export async function call<T>(
  baseUrl: string,
  session: Session,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      cookie: session.cookie,
      ...(method === 'GET' ? {} : { 'x-csrf-token': session.csrfToken }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export interface CannonResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Status code → count, for the non-2xx explanation. */
  statuses: Record<string, number>;
}

export interface CannonRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
}

/**
 * autocannon against `baseUrl`, each connection bound to one session (round-robin), its cookie
 * and CSRF token on every request; `requests` are cycled in order by each connection.
 */
export async function cannon(
  baseUrl: string,
  requests: CannonRequest[],
  options: { connections: number; seconds: number; sessions?: Session[] },
): Promise<CannonResult> {
  let nextSession = 0;
  const sessions = options.sessions ?? [];
  const result = await autocannon({
    url: baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: requests.map((r) => ({
      method: r.method,
      path: r.path,
      ...(r.body === undefined ? {} : { body: JSON.stringify(r.body) }),
      setupRequest: (req: Record<string, unknown>, context: Record<string, unknown>) => {
        if (sessions.length === 0) return req;
        if (!context.session) context.session = sessions[nextSession++ % sessions.length];
        const s = context.session as Session;
        return {
          ...req,
          headers: {
            cookie: s.cookie,
            ...(r.method === 'GET'
              ? {}
              : { 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }),
          },
        };
      },
    })),
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
    ),
  };
}

/** A free loopback port (for the browser bench, whose PUBLIC_URL must name the port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
