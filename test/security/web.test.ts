/**
 * Sessions and web (issue 10 item 4), complementing apps/server/test/auth.test.ts (cookie flags,
 * id rotation at login, CSRF refusal, cross-origin login, throttling, idle/absolute timeouts),
 * apps/server/test/ops.test.ts (CSP and hardening headers), the returnTo cases of oidc.test.ts
 * and token-vault.test.ts, and the guarded client's unit tests. Here: CSRF on EVERY enumerated
 * state-changing route, a planted session cookie, logout, login timing class, headers on error
 * and router-level answers, CORS of the console API, open-redirect variants through the whole
 * OAuth link flow, SSRF end to end through the HTTP API (connection URLs, DNS names resolving
 * to loopback, the test button, discovery, redirects to other hosts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildTestApp,
  login,
  sessionCookieFrom,
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
import { apiRoutes, fillUrl, STATE_CHANGING } from './support.ts';

const PUBLIC_ORIGIN = 'http://127.0.0.1:8080';

describe('sessions and web', () => {
  let sandbox: TestSandbox;
  let app: TestApp;
  let admin: LoggedIn;
  let ids: SandboxConnections;
  let redirector: Server;
  let redirectorUrl: string;

  beforeAll(async () => {
    sandbox = await startTestSandbox({ accessTokenTtl: 300 });
    app = await buildTestApp({
      env: {
        SANDBOX_URL: sandbox.url,
        RATE_LIMIT_MAX: '100000',
        LOGIN_RATE_LIMIT_MAX: '1000',
        HTTP_TIMEOUT_MS: '3000',
      },
    });
    admin = await login(app, 'admin');
    ids = await createSandboxConnections(app, sandbox, admin.user.id);
    // A hostile provider: every answer redirects — to the metadata address or to another origin.
    redirector = createServer((req, res) => {
      const to = req.url?.includes('meta')
        ? 'http://169.254.169.254/latest/meta-data/'
        : `${sandbox.scimUrl.replace('127.0.0.1', 'localhost')}/ServiceProviderConfig`;
      res.writeHead(302, { location: to }).end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
    await new Promise((resolve) => redirector?.close(resolve));
  });

  it('CSRF: every state-changing route refuses a missing, a wrong and another session’s token', async () => {
    const other = await login(app, 'operator');
    const routes = apiRoutes(app).filter(
      (r) => STATE_CHANGING.has(r.method) && r.url !== '/api/auth/login',
    );
    expect(routes.length).toBeGreaterThan(15);
    const problems: string[] = [];
    for (const route of routes) {
      const url = fillUrl(route.url, { id: ids.static, connectionId: ids.relay, queryId: 'q' });
      for (const token of [undefined, 'wrong', other.csrfToken, admin.csrfToken.toUpperCase()]) {
        const res = await app.inject({
          method: route.method as 'POST',
          url,
          headers: {
            cookie: admin.cookie,
            ...(token !== undefined ? { 'x-csrf-token': token } : {}),
          },
          ...(route.method === 'DELETE' ? {} : { payload: {} }),
        });
        if (res.statusCode !== 403 || res.json().error.code !== 'CSRF_INVALID')
          problems.push(
            `${route.method} ${route.url} with ${token === undefined ? 'no token' : token.slice(0, 8)} → ${res.statusCode}`,
          );
      }
    }
    expect(problems).toEqual([]);
    // The admin session survived all of that (CSRF refusals do not end it) and nothing changed.
    expect((await admin.inject({ url: '/api/auth/me' })).statusCode).toBe(200);
    expect((await admin.inject({ url: `/api/connections/${ids.static}` })).statusCode).toBe(200);
    // Login itself: a cross-site POST is refused even with valid credentials.
    for (const headers of [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ]) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers,
        payload: { username: 'viewer', password: 'demo-password-for-tests' },
      });
      expect(res.statusCode, JSON.stringify(headers)).toBe(403);
      expect(sessionCookieFrom(res)).toBeNull();
    }
  });

  it('session fixation: a planted cookie is never adopted; logout really ends the session', async () => {
    const planted = 'scim_console_session=attacker-chosen-value-0123456789abcdef';
    const res = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: planted },
      payload: { username: 'viewer', password: 'demo-password-for-tests' },
    });
    expect(res.statusCode).toBe(200);
    const issued = sessionCookieFrom(res)!;
    expect(issued).not.toBe(planted);
    expect(
      (await app.inject({ url: '/api/auth/me', headers: { cookie: planted } })).statusCode,
    ).toBe(401);
    // A live session present at login is replaced, not kept alive next to the new one.
    const second = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { cookie: issued },
      payload: { username: 'viewer', password: 'demo-password-for-tests' },
    });
    const reissued = sessionCookieFrom(second)!;
    expect(reissued).not.toBe(issued);
    expect(
      (await app.inject({ url: '/api/auth/me', headers: { cookie: issued } })).statusCode,
    ).toBe(401);
    // Logout: 204, the cookie is cleared, the old cookie and its CSRF token are dead.
    const csrf = second.json().csrfToken as string;
    const out = await app.inject({
      method: 'POST',
      url: '/api/auth/logout',
      headers: { cookie: reissued, 'x-csrf-token': csrf },
    });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      /scim_console_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/,
    );
    const after = await app.inject({ url: '/api/auth/me', headers: { cookie: reissued } });
    expect(after.statusCode).toBe(401);
    expect(['UNAUTHENTICATED', 'SESSION_EXPIRED']).toContain(after.json().error.code);
    const write = await app.inject({
      method: 'PUT',
      url: '/api/me/preferences',
      headers: { cookie: reissued, 'x-csrf-token': csrf },
      payload: { theme: 'dark' },
    });
    expect(write.statusCode).toBe(401);
  });

  it('login answers are identical for unknown and real accounts, and cost the same password work', async () => {
    const attempt = async (username: string) => {
      const started = process.hrtime.bigint();
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '10.9.8.7',
        payload: { username, password: 'wrong-password-xyz' },
      });
      return {
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        status: res.statusCode,
        body: res.body,
      };
    };
    const real: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const a = await attempt('auditor');
      const b = await attempt(`nobody-${i}`);
      expect(a.status).toBe(401);
      expect(b.body).toBe(a.body);
      real.push(a.ms);
      unknown.push(b.ms);
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
    // A coarse class, not a benchmark: skipping argon2 for unknown users would be ~50x faster.
    expect(median(unknown)).toBeGreaterThan(median(real) / 4);
  });

  it('security headers on JSON, error, router-level and HTML answers', async () => {
    const answers = {
      json: await admin.inject({ url: '/api/auth/me' }),
      error: await app.inject({ url: '/api/auth/me' }),
      notFound: await app.inject({ url: '/api/nope' }),
      router: await app.inject({
        url: `/api/users/${'x'.repeat(300)}`,
        method: 'PATCH',
        payload: {},
      }),
      html: await app.inject({ url: '/api/docs/static/index.html' }),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect(res.headers['x-content-type-options'], name).toBe('nosniff');
      expect(res.headers['x-frame-options'], name).toBe('DENY');
      expect(String(res.headers['content-security-policy']), name).toMatch(
        /frame-ancestors 'none'/,
      );
      expect(String(res.headers['content-security-policy']), name).not.toMatch(
        /script-src[^;]*'unsafe-(inline|eval)'/,
      );
      expect(res.headers['referrer-policy'], name).toBe('no-referrer');
    }
    expect(String(answers.json.headers['cache-control'])).toMatch(/no-store/);
  });

  it('CORS: the console API grants no other origin, simple or preflighted', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      'http://127.0.0.1:8080.evil.example',
      'http://localhost:8080',
    ]) {
      const simple = await admin.inject({ url: '/api/auth/me', headers: { origin } });
      expect(simple.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(simple.headers['access-control-allow-credentials'], origin).toBeUndefined();
      const preflight = await app.inject({
        method: 'OPTIONS',
        url: '/api/token',
        headers: {
          origin,
          'access-control-request-method': 'PUT',
          'access-control-request-headers': 'x-csrf-token,content-type',
        },
      });
      expect(preflight.headers['access-control-allow-origin'], origin).toBeUndefined();
      expect(preflight.headers['access-control-allow-methods'], origin).toBeUndefined();
    }
  });

  it('open redirects: no returnTo variant leads off the site, through the whole OAuth link flow', async () => {
    const operator = await login(app, 'operator');
    const variants = [
      '//evil.example',
      'https://evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/.//evil.example',
      '/..//evil.example',
      '/a/..//evil.example',
      '/%2e//evil.example',
      '/%2e%2e//evil.example',
      '/%2F%2Fevil.example',
      '%2F%2Fevil.example',
      ' //evil.example',
      '/\t/evil.example',
      'javascript:alert(1)',
      'http:evil.example',
    ];
    for (const returnTo of variants) {
      for (const base of [
        '/api/auth/oidc/start?',
        `/api/token/oauth/start?connectionId=${ids.oauth}&`,
      ]) {
        const session = base.includes('oidc') ? app.inject.bind(app) : operator.inject;
        const start = await session({ url: `${base}returnTo=${encodeURIComponent(returnTo)}` });
        expect([302, 400], `${base} ${returnTo} → ${start.statusCode} ${start.body}`).toContain(
          start.statusCode,
        );
      }
      // Where the link flow accepts it, the final redirect must stay on this origin.
      let location: string;
      try {
        location = await linkOAuth(operator, sandbox, ids.oauth, 'operator', returnTo);
      } catch (error) {
        expect(String(error), returnTo).toMatch(/oauth\/start: 400/);
        continue;
      }
      expect(
        new URL(location, `${PUBLIC_ORIGIN}/api/token/oauth/callback`).origin,
        `${returnTo} → ${location}`,
      ).toBe(PUBLIC_ORIGIN);
    }
  });

  it('SSRF: connection URLs pointing inside are refused unless explicitly allowed; metadata never', async () => {
    const inside = [
      'http://127.0.0.1/scim/v2',
      'http://127.1/scim/v2',
      'http://2130706433/scim/v2',
      'http://0x7f000001/scim/v2',
      'http://0177.0.0.1/scim/v2',
      'http://[::1]/scim/v2',
      'http://[::ffff:127.0.0.1]/scim/v2',
      'http://[::ffff:7f00:1]/scim/v2',
      'https://10.0.0.8/scim/v2',
      'https://172.16.4.2/scim/v2',
      'https://172.31.255.1/scim/v2',
      'https://192.168.1.1/scim/v2',
      'https://[fd00::1]/scim/v2',
      'https://0.0.0.0/scim/v2',
    ];
    const metadata = [
      'http://169.254.169.254/latest',
      'https://169.254.169.254/scim/v2',
      'http://[fd00:ec2::254]/scim/v2',
      'http://[::ffff:169.254.169.254]/scim/v2',
      'http://2852039166/scim/v2',
      'http://metadata.google.internal/computeMetadata/v1',
    ];
    let n = 0;
    const create = (baseUrl: string, allowPrivateNetwork: boolean) =>
      admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: { name: `ssrf ${(n += 1)}`, baseUrl, authKind: 'static', allowPrivateNetwork },
      });
    for (const baseUrl of inside) {
      const res = await create(baseUrl, false);
      expect(res.statusCode, `${baseUrl} → ${res.body}`).toBe(400);
      expect(res.json().error.details?.field).toBe('body.baseUrl');
    }
    for (const baseUrl of metadata) {
      const res = await create(baseUrl, true);
      expect(res.statusCode, `${baseUrl} (allowed private) → ${res.body}`).toBe(400);
    }
    for (const tokenEndpoint of ['http://169.254.169.254/token', 'http://10.0.0.1/token']) {
      const res = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: `ssrf ${(n += 1)}`,
          baseUrl: 'https://scim.example.com/scim/v2',
          authKind: 'oauth2',
          oauth: {
            authorizationEndpoint: 'https://idp.example.com/auth',
            tokenEndpoint,
            clientId: 'x',
            scopes: [],
          },
        },
      });
      expect(res.statusCode, tokenEndpoint).toBe(400);
    }
  });

  it('SSRF: names resolving to loopback and redirects to other hosts are refused by the test button and discovery', async () => {
    const port = new URL(sandbox.url).port;
    await sandbox.clearRequests();
    const cases: { baseUrl: string; allowPrivateNetwork: boolean }[] = [
      { baseUrl: `http://localhost:${port}/scim/v2`, allowPrivateNetwork: false }, // DNS name → 127.0.0.1
      { baseUrl: `http://vm:${port}/scim/v2`, allowPrivateNetwork: false }, // /etc/hosts name → 127.0.0.1
      { baseUrl: `${redirectorUrl}/scim/v2`, allowPrivateNetwork: true }, // 302 to another origin
      { baseUrl: `${redirectorUrl}/meta/scim/v2`, allowPrivateNetwork: true }, // 302 to the metadata address
    ];
    let n = 0;
    let tried = 0;
    for (const { baseUrl, allowPrivateNetwork } of cases) {
      const made = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: `inside ${(n += 1)}`,
          baseUrl,
          authKind: 'static',
          allowPrivateNetwork,
          grants: { roles: ['admin'], userIds: [] },
        },
      });
      if (made.statusCode === 400) continue; // refused up front: fine
      expect(made.statusCode, made.body).toBe(201);
      const id = made.json().id as string;
      tried += 1;
      const tested = await admin.inject({ method: 'POST', url: `/api/connections/${id}/test` });
      expect(tested.statusCode, tested.body).toBeLessThan(500);
      expect(tested.json().ok, `${baseUrl}: ${tested.body}`).toBe(false);
      const options = await admin.inject({ url: `/api/query-options?connectionId=${id}` });
      expect(options.statusCode, options.body).toBe(200);
      expect(options.json().discoveryError, baseUrl).toBeTruthy();
    }
    expect(tried).toBeGreaterThanOrEqual(2); // at least the two redirecting providers got this far
    // The sandbox (reachable only through those names and redirects) never saw a request.
    expect(await sandbox.requests()).toEqual([]);
  });
  it('SSRF: the relay never follows a provider redirect to another host or to the metadata address', async () => {
    const hostile = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/scim/v2/Me'))
        return void res
          .writeHead(200, { 'content-type': 'application/scim+json' })
          .end('{"id":"h1","userName":"hostile"}');
      const to = req.url?.includes('Groups')
        ? 'http://169.254.169.254/latest/meta-data/'
        : `${sandbox.scimUrl.replace('127.0.0.1', 'localhost')}/Users`;
      res.writeHead(307, { location: to }).end();
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}/scim/v2`;
      const made = await admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: 'hostile relay',
          baseUrl: base,
          authKind: 'static',
          executionMode: 'relay',
          allowPrivateNetwork: true,
        },
      });
      expect(made.statusCode, made.body).toBe(201);
      const id = made.json().id as string;
      const linked = await admin.inject({
        method: 'PUT',
        url: '/api/token',
        payload: { connectionId: id, token: 'hostile-provider-token-0123456789' },
      });
      expect(linked.statusCode, linked.body).toBe(200);
      await sandbox.clearRequests();
      for (const path of ['/Users', '/Groups', '/Users/.search']) {
        const res = await admin.inject(
          path.endsWith('.search')
            ? {
                method: 'POST',
                url: `/api/relay/${id}${path}`,
                headers: { 'content-type': 'application/scim+json' },
                payload: '{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]}',
              }
            : { url: `/api/relay/${id}${path}` },
        );
        expect(res.statusCode, `${path}: ${res.statusCode} ${res.body}`).toBe(502);
        expect(res.json().error.code, path).toBe('PROVIDER_ERROR');
        expect(String(res.headers.location ?? ''), path).not.toMatch(/169\.254|localhost/);
        expect(res.body).not.toContain('hostile-provider-token');
      }
      expect(await sandbox.requests()).toEqual([]);
    } finally {
      await new Promise((resolve) => hostile.close(resolve));
    }
  });
});
