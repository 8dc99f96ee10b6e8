/**
 * The web image's nginx configuration, run for real under Debian's nginx:
 * SPA fallback, caching, security headers, gzip, the /api proxy with
 * X-Forwarded-* headers, and the request body limit.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import {
  request as httpRequest,
  createServer,
  type IncomingHttpHeaders,
  type Server,
} from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type BrowserContext } from 'playwright-core';
import {
  DEMO_PASSWORD,
  startConsoleServer,
  type ConsoleServer,
} from './test-support/console-server.ts';
import {
  envsubst,
  freePort,
  startNginx,
  TEMPLATE_PATH,
  TEMPLATE_VARIABLES,
  type NginxInstance,
} from './test-support/nginx-harness.ts';
import { prepareWebDist, type WebDist } from './test-support/web-dist.ts';

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** node:http rather than fetch: fetch hides Content-Encoding handling and merges nothing we can see. */
function raw(
  origin: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      `${origin}${path}`,
      { method: init.method ?? 'GET', headers: init.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    // nginx may answer 413 and close before the whole body is sent.
    req.on('error', (err: NodeJS.ErrnoException) =>
      err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err),
    );
    // end(body) sends a Content-Length, as browsers do for these requests.
    req.end(init.body);
  });
}

/** The CSP the stand-in server sends, as the real one does on every response (incl. /healthz). */
const SERVER_CSP =
  "default-src 'self'; script-src 'self'; connect-src 'self' https://from-the-database.example; frame-ancestors 'none'";

const healthzCookies: string[] = [];

/** Stand-in for the console server: echoes what nginx forwarded and sends helmet-like headers. */
function startEchoUpstream(): Promise<{ server: Server; address: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.url === '/healthz') {
      healthzCookies.push(req.headers.cookie ?? '');
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-security-policy': SERVER_CSP,
        'cache-control': 'no-store',
      });
      res.end('{"status":"ok"}');
      return;
    }
    let bodyLength = 0;
    req.on('data', (c: Buffer) => (bodyLength += c.length));
    req.on('end', () => {
      const payload = {
        method: req.method,
        url: req.url,
        headers: req.headers,
        bodyLength,
        // enough text to cross gzip_min_length
        padding: 'x'.repeat(req.url?.includes('big') ? 4096 : 0),
      };
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-security-policy': "default-src 'none'",
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': 'max-age=15552000; includeSubDomains',
        'x-powered-by': 'test-upstream',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(payload));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({
        server,
        address: `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
        requests,
      });
    });
  });
}

// The web app is built once for both suites (Vite, a few seconds).
let distDir: string;
let dist: WebDist;
beforeAll(async () => {
  distDir = mkdtempSync(join(tmpdir(), 'scim-console-web-dist-'));
  chmodSync(distDir, 0o755); // nginx workers run as nobody when the suite runs as root
  dist = await prepareWebDist(join(distDir, 'html'));
});
afterAll(() => {
  if (distDir) rmSync(distDir, { recursive: true, force: true });
});

describe('web image nginx (deploy/nginx/default.conf.template under Debian nginx)', () => {
  let dir: string;
  let upstream: { server: Server; address: string; requests: string[] };
  let nginx: NginxInstance;
  const connectSrc = 'https://acme.okta.com https://api.example-scim.test';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scim-console-nginx-'));
    chmodSync(dir, 0o755); // nginx workers run as nobody when the suite runs as root
    upstream = await startEchoUpstream();
    nginx = await startNginx({
      dir: join(dir, 'nginx'),
      webRoot: dist.dir,
      upstream: upstream.address,
      vars: { SCIM_CONNECT_SRC: connectSrc },
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((r) => (upstream ? upstream.server.close(() => r()) : r()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('substitutes only the documented variables and leaves nginx variables alone', () => {
    const template = readFileSync(TEMPLATE_PATH, 'utf8');
    const referenced = new Set([...template.matchAll(/\$\{([A-Z_]+)\}/g)].map((m) => m[1]));
    expect([...referenced].sort()).toEqual([...TEMPLATE_VARIABLES].sort());
    expect(nginx.renderedConf).not.toMatch(/\$\{/);
    expect(nginx.renderedConf).toContain('$proxy_add_x_forwarded_for');
    expect(envsubst('a $host ${LISTEN_PORT} $LISTEN_PORT', { LISTEN_PORT: '1' })).toBe(
      'a $host 1 1',
    );
  });

  it("serves index.html with no-store, the server's current CSP and the security headers", async () => {
    const before = upstream.requests.length;
    const res = await raw(nginx.origin, '/', { headers: { cookie: 'scim_console_session=abc' } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    // The app shell's CSP comes from the server (it knows the direct-mode origins).
    expect(res.headers['content-security-policy']).toBe(SERVER_CSP);
    expect(upstream.requests.slice(before)).toEqual(['GET /healthz']);
    expect(healthzCookies.at(-1)).toBe(''); // the session cookie is not sent along
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['permissions-policy']).toContain('camera=()');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(res.headers.server).toBe('nginx'); // no version
  });

  it('falls back to index.html for client-side routes, including ones with dots', async () => {
    const index = (await raw(nginx.origin, '/')).body.toString();
    for (const path of ['/connections/42', '/audit?actor=alice', '/users/alice@example.com']) {
      const res = await raw(nginx.origin, path);
      expect(res.status, path).toBe(200);
      expect(res.body.toString(), path).toBe(index);
      expect(res.headers['cache-control'], path).toBe('no-store');
      expect(res.headers['content-security-policy'], path).toBe(SERVER_CSP);
    }
  });

  it('caches hashed assets for a year and never answers a missing asset with HTML', async () => {
    const res = await raw(nginx.origin, dist.scriptAsset);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("script-src 'self';");

    const missing = await raw(nginx.origin, '/assets/index-doesnotexist.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBeUndefined();
  });

  it('compresses text assets with gzip when the client accepts it', async () => {
    const plain = await raw(nginx.origin, dist.scriptAsset);
    const res = await raw(nginx.origin, dist.scriptAsset, {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers.vary).toMatch(/Accept-Encoding/i);
    expect(res.body.length).toBeLessThan(plain.body.length);
    expect(gunzipSync(res.body).equals(plain.body)).toBe(true);
  });

  it('refuses writes to the static app', async () => {
    const res = await raw(nginx.origin, '/', { method: 'POST', body: 'x' });
    expect(res.status).toBe(403);
  });

  it('proxies /api to the server with X-Forwarded-* headers', async () => {
    const res = await raw(nginx.origin, '/api/auth/me?x=1', {
      headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
    });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body.toString()) as {
      url: string;
      headers: Record<string, string>;
    };
    expect(seen.url).toBe('/api/auth/me?x=1');
    expect(seen.headers['x-forwarded-for']).toBe('203.0.113.7, 127.0.0.1');
    expect(seen.headers['x-forwarded-proto']).toBe('https');
    expect(seen.headers['x-forwarded-host']).toBe(`127.0.0.1:${nginx.port}`);
    expect(seen.headers.host).toBe(`127.0.0.1:${nginx.port}`);
    expect(seen.headers['x-real-ip']).toBe('127.0.0.1');
    expect(seen.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);

    // Without an ingress in front, nginx's own scheme is forwarded.
    const direct = JSON.parse((await raw(nginx.origin, '/api/echo')).body.toString()) as {
      headers: Record<string, string>;
    };
    expect(direct.headers['x-forwarded-proto']).toBe('http');
    expect(direct.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it("keeps the server's CSP on API responses and sends each generic header once", async () => {
    const res = await raw(nginx.origin, '/api/echo');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('compresses proxied JSON', async () => {
    const res = await raw(nginx.origin, '/api/big', { headers: { 'accept-encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(res.body).toString()).url).toBe('/api/big');
  });

  it('accepts bodies up to 1 MiB and answers larger ones with 413 in the API error shape', async () => {
    const ok = await raw(nginx.origin, '/api/scim-query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(512 * 1024, 0x20),
    });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body.toString()).bodyLength).toBe(512 * 1024);

    const tooLarge = await raw(nginx.origin, '/api/scim-query', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['content-type']).toBe('application/json');
    expect(JSON.parse(tooLarge.body.toString())).toEqual({
      error: { code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1 MiB') },
    });
  });

  it('logged no warning or error while serving all of the above', () => {
    const lines = nginx
      .errorLog()
      .split('\n')
      .filter((l) => /\[(warn|error|crit|alert|emerg)\]/.test(l));
    // The 413 and 403 tests are the expected complaints.
    const expected = ['client intended to send too large', 'access forbidden by rule'];
    expect(lines.filter((l) => !expected.some((e) => l.includes(e)))).toEqual([]);
  });

  it('keeps serving the app with the static CSP and answers the API with 503 while the server is unreachable', async () => {
    const deadPort = await freePort();
    const other = await startNginx({
      dir: join(dir, 'nginx-dead-upstream'),
      webRoot: dist.dir,
      upstream: `127.0.0.1:${deadPort}`,
      vars: { HSTS_VALUE: '', SCIM_CONNECT_SRC: connectSrc },
    });
    try {
      const res = await raw(other.origin, '/api/auth/me');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('application/json');
      expect(JSON.parse(res.body.toString()).error.code).toBe('SERVICE_UNAVAILABLE');
      for (const path of ['/', '/connections/7']) {
        const index = await raw(other.origin, path);
        expect(index.status, path).toBe(200);
        expect(index.headers['content-type'], path).toMatch(/^text\/html/);
        expect(index.headers['cache-control'], path).toBe('no-store');
        const csp = index.headers['content-security-policy'] as string;
        expect(csp).toContain("script-src 'self';");
        expect(csp).toContain(`connect-src 'self' ${connectSrc};`);
        expect(csp).toContain("frame-ancestors 'none'");
        expect(csp).toContain("object-src 'none'");
        expect(index.headers['x-frame-options']).toBe('DENY');
        // HSTS_VALUE="" sends no header at all.
        expect(index.headers['strict-transport-security']).toBeUndefined();
      }
    } finally {
      await other.stop();
    }
  });
});

describe('web image nginx in front of the real SCIM Console server', () => {
  let dir: string;
  let server: ConsoleServer;
  let nginx: NginxInstance;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'scim-console-nginx-real-'));
    chmodSync(dir, 0o755);
    const port = await freePort();
    // One proxy hop (nginx) in front: the server trusts exactly that hop.
    server = await startConsoleServer({
      publicUrl: `http://127.0.0.1:${port}`,
      env: { TRUST_PROXY: '1' },
    });
    nginx = await startNginx({
      dir: join(dir, 'nginx'),
      webRoot: dist.dir,
      upstream: server.address,
      port,
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const login = (username: string, password: string, headers: Record<string, string> = {}) =>
    raw(nginx.origin, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: nginx.origin, ...headers },
      body: JSON.stringify({ username, password }),
    });

  it('answers the console API through nginx in its own error shape and headers', async () => {
    const res = await raw(nginx.origin, '/api/auth/me');
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body.toString()).error.code).toBe('UNAUTHENTICATED');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'self'/);
    expect(res.headers['x-frame-options']).toBe('DENY');
  });

  it('signs in through nginx: the session cookie passes and works on the next request', async () => {
    const res = await login('admin', DEMO_PASSWORD);
    expect(res.status).toBe(200);
    const setCookie = ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith('scim_console_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const me = await raw(nginx.origin, '/api/auth/me', {
      headers: { cookie: setCookie!.split(';')[0]! },
    });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body.toString()).user.username).toBe('admin');
    // The server's caching decision passes through untouched (nginx adds none under /api).
    expect(me.headers['cache-control']).toBe('no-store');
  });

  it("refuses a login posted from another origin (the server's Origin check sees the public origin)", async () => {
    const res = await login('admin', DEMO_PASSWORD, { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body.toString()).error.code).toBe('CSRF_INVALID');
  });

  it('does not let a client spoof its address with X-Forwarded-For (login throttle still applies)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await login('operator', 'wrong-password', {
        'x-forwarded-for': `198.51.100.${i + 1}`,
      });
      statuses.push(res.status);
    }
    // Every attempt counted against the real client address, whatever the header claimed.
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it("gives the app shell the server's own CSP", async () => {
    const direct = await fetch(`${server.origin}/healthz`);
    const index = await raw(nginx.origin, '/audit');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toBe(
      direct.headers.get('content-security-policy'),
    );
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('serves the OpenAPI document gzip-compressed and stops oversized bodies before the server', async () => {
    const doc = await raw(nginx.origin, '/api/docs/json', {
      headers: { 'accept-encoding': 'gzip' },
    });
    expect(doc.status).toBe(200);
    expect(doc.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(doc.body).toString()).openapi).toMatch(/^3\./);

    const tooLarge = await raw(nginx.origin, '/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: nginx.origin },
      body: Buffer.alloc(2 * 1024 * 1024, 0x20),
    });
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.body.toString()).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('carries a browser journey: sign in, navigate, deep-link reload, with no CSP violation', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'scim-console-chromium-'));
    let context: BrowserContext | undefined;
    try {
      context = await chromium.launchPersistentContext(profile, {
        executablePath: '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
        ],
      });
      const page = context.pages()[0] ?? (await context.newPage());
      const violations: string[] = [];
      const pageErrors: string[] = [];
      page.on('console', (msg) => {
        if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
      });
      page.on('pageerror', (err) => pageErrors.push(err.message));

      await page.goto(`${nginx.origin}/`);
      await page.getByLabel('Username').fill('admin');
      await page.getByLabel('Password').fill(DEMO_PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Audit' }).waitFor();
      await nav.getByRole('link', { name: 'Audit' }).click();
      await page.waitForURL(`${nginx.origin}/audit`);
      // A full reload of a client-side route: nginx's fallback + the session cookie.
      await page.reload();
      await nav.getByRole('link', { name: 'Audit' }).waitFor();
      expect(new URL(page.url()).pathname).toBe('/audit');
      expect(violations).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});

describe('template variable check (05-check-template-variables.sh, run by the image entrypoint)', () => {
  const script = TEMPLATE_PATH.replace('default.conf.template', '05-check-template-variables.sh');
  const good = {
    LISTEN_PORT: '8080',
    SERVER_UPSTREAM: 'scim-console-server:8080',
    SCIM_CONNECT_SRC: '',
    HSTS_VALUE: 'max-age=31536000',
  };
  const check = (env: Record<string, string>) =>
    spawnSync('sh', [script], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      encoding: 'utf8',
    });

  it('accepts the image defaults and real origin lists', () => {
    expect(check(good).status).toBe(0);
    const withOrigins = check({
      ...good,
      SCIM_CONNECT_SRC: 'https://acme.okta.com https://*.example-scim.test http://127.0.0.1:8090',
      HSTS_VALUE: 'max-age=63072000; includeSubDomains; preload',
    });
    expect(withOrigins.stderr).toBe('');
    expect(withOrigins.status).toBe(0);
    expect(check({ ...good, HSTS_VALUE: '' }).status).toBe(0);
  });

  it('refuses values that would break or inject into the nginx configuration, naming each', () => {
    const res = check({
      LISTEN_PORT: '8080; include /etc/passwd',
      SERVER_UPSTREAM: 'evil:80; server other',
      SCIM_CONNECT_SRC: 'https://acme.okta.com, https://x.test/path',
      HSTS_VALUE: 'max-age=1"; add_header X y',
    });
    expect(res.status).toBe(1);
    for (const name of [
      'LISTEN_PORT',
      'SERVER_UPSTREAM',
      '"https://acme.okta.com,"',
      '"https://x.test/path"',
      'HSTS_VALUE',
    ]) {
      expect(res.stderr).toContain(name);
    }
    expect(res.stderr).toContain('refusing to start nginx');
    // A second line smuggled into a variable is refused too.
    expect(check({ ...good, SERVER_UPSTREAM: 'a:1\nserver b:2' }).status).toBe(1);
    expect(check({ ...good, SCIM_CONNECT_SRC: 'https://a.test\nhttps://b.test' }).status).toBe(1);
  });
});
