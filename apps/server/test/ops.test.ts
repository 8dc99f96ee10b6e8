import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateCspCache } from '../src/plugins/security-headers.ts';
import { buildTestApp, forEachDatabase, login, type TestApp } from './helpers/test-app.ts';

const PRODUCTION_ENV = {
  SCIM_CONSOLE_PROFILE: 'production',
  PUBLIC_URL: 'https://console.example.com',
  DEMO_ACCOUNTS: 'false',
  DEMO_PASSWORD: '',
};

forEachDatabase((database) => {
  describe('operations endpoints', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await buildTestApp({ database });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('/healthz and /readyz answer while the database is up', async () => {
      expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
      expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', database });
    });

    it('/metrics counts requests by route pattern and status, without ids or query strings', async () => {
      const session = await login(app, 'admin');
      await session.inject({
        url: '/api/users/3f6c1a8e-secret-id?filter=userName%20eq%20%22bjensen%22',
        method: 'DELETE',
      });
      const text = (await app.inject({ url: '/metrics' })).body;
      expect(text).toMatch(
        /scim_console_http_requests_total\{method="POST",route="\/api\/auth\/login",status_code="200"\} \d+/,
      );
      expect(text).toMatch(
        /scim_console_http_requests_total\{method="DELETE",route="\/api\/users\/:id",status_code="404"\} 1/,
      );
      expect(text).toContain('scim_console_http_request_duration_seconds_bucket');
      expect(text).not.toMatch(/3f6c1a8e|bjensen|admin/);
    });
  });
});

describe('security headers', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await buildTestApp({ env: { SCIM_CONNECT_SRC: 'https://idp.example.com' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends a strict CSP listing direct-mode connection origins, and the usual hardening headers', async () => {
    const now = new Date().toISOString();
    const base = {
      auth_kind: 'static',
      vendor: 'generic',
      allow_private_network: 0,
      grant_roles: '[]',
      grant_user_ids: '[]',
      created_at: now,
      updated_at: now,
    } as const;
    await app.db
      .insertInto('connections')
      .values([
        {
          ...base,
          id: 'c1',
          name: 'Direct',
          base_url: 'https://acme.okta.com/api/scim/v2',
          execution_mode: 'direct',
        },
        {
          ...base,
          id: 'c2',
          name: 'Relayed',
          base_url: 'https://relayed.example.net/scim/v2',
          execution_mode: 'relay',
        },
      ])
      .execute();
    invalidateCspCache();
    const res = await app.inject({ url: '/api/auth/providers' });
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toMatch(
      /connect-src 'self' https:\/\/acme\.okta\.com https:\/\/idp\.example\.com;/,
    );
    expect(csp).not.toContain('relayed.example.net'); // relay mode: the browser only calls us
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['strict-transport-security']).toBeUndefined(); // demo over http
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['permissions-policy']).toContain('camera=()');
  });

  it('serves the OpenAPI document and UI under the same CSP', async () => {
    const doc = await app.inject({ url: '/api/docs/json' });
    expect(doc.statusCode).toBe(200);
    expect(Object.keys(doc.json().paths)).toEqual(
      expect.arrayContaining(['/api/auth/login', '/api/users/{id}']),
    );
    const ui = await app.inject({ url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger-ui');
    expect(ui.body).not.toMatch(/<script>(?!\s*<\/script>)/); // no inline script the CSP would block
    expect(String(ui.headers['content-security-policy'])).toContain("script-src 'self'");
  });

  it('answers every error in the one shape, without internals', async () => {
    const notFound = await app.inject({ url: '/api/nothing-here?token=abc' });
    expect(notFound.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route GET /api/nothing-here' },
    });
    const poisonedToNowhere = await app.inject({
      method: 'PATCH',
      url: '/api/connections/Groups/x',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":{"__proto__":""}}',
    });
    expect(poisonedToNowhere.statusCode).toBe(404);
    expect(poisonedToNowhere.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'No route PATCH /api/connections/Groups/x' },
    });
    const badJson = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"username":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { field: 'body' },
    });
    const big = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'x'.repeat(1_100_000), password: 'y' }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('production hardening', () => {
  it('sends HSTS and a Secure cookie in production', async () => {
    const app = await buildTestApp({ env: PRODUCTION_ENV });
    try {
      const res = await app.inject({ url: '/healthz' });
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      // No demo accounts: create one directly to see the cookie.
      expect(await app.db.selectFrom('users').select('id').execute()).toHaveLength(0);
      const { hashPassword } = await import('../src/modules/auth/password.ts');
      const { insertUser } = await import('../src/modules/users/users.repository.ts');
      await insertUser(app.db, {
        username: 'root',
        displayName: 'Root',
        role: 'admin',
        authSource: 'local',
        passwordHash: await hashPassword('root-password-1'),
        now: new Date(),
      });
      const loginRes = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'root', password: 'root-password-1' },
      });
      expect(String(loginRes.headers['set-cookie'])).toMatch(/; Secure/);
    } finally {
      await app.close();
    }
  });
});

describe('rate limits', () => {
  it('limits login attempts per IP per minute (before any password work)', async () => {
    const app = await buildTestApp({ env: { LOGIN_RATE_LIMIT_MAX: '3' } });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 4; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { username: `u${i}`, password: 'x' },
          remoteAddress: '10.1.1.1',
        });
        codes.push(res.statusCode);
        if (res.statusCode === 429) {
          expect(res.json().error.code).toBe('RATE_LIMITED');
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
      expect(codes).toEqual([401, 401, 401, 429]);
      // Probes are never limited.
      for (let i = 0; i < 5; i++)
        expect((await app.inject({ url: '/healthz', remoteAddress: '10.1.1.1' })).statusCode).toBe(
          200,
        );
    } finally {
      await app.close();
    }
  });
});

describe('readiness without a database', () => {
  it('/readyz answers 503 DATABASE_UNAVAILABLE when the database is gone', async () => {
    const app = await buildTestApp();
    await app.dbHandle.close();
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('DATABASE_UNAVAILABLE');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close().catch(() => {});
  });
});

describe('the built web app', () => {
  let app: TestApp;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><title>SCIM Console</title><script type="module" src="/assets/app-1a2b.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'app-1a2b.js'), 'console.log(1)');
    writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    app = await buildTestApp({ env: { WEB_DIST: dist } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('serves index.html for client routes (no-store) and hashed assets as immutable', async () => {
    for (const url of ['/', '/queries', '/audit/events?x=1']) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body).toContain('<title>SCIM Console</title>');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    }
    const asset = await app.inject({ url: '/assets/app-1a2b.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
  });

  it('never answers /api/* with the app shell, and never leaves the directory', async () => {
    const api = await app.inject({ url: '/api/unknown' });
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('NOT_FOUND');
    const escape = await app.inject({ url: '/..%2f..%2fetc%2fpasswd' });
    expect(escape.body).not.toContain('root:');
  });
});

describe('native TLS', () => {
  it('serves HTTPS with TLS_CERT_FILE and TLS_KEY_FILE', async () => {
    const { execFileSync } = await import('node:child_process');
    const https = await import('node:https');
    const dir = mkdtempSync(join(tmpdir(), 'tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    const app = await buildTestApp({
      env: {
        TLS_CERT_FILE: join(dir, 'cert.pem'),
        TLS_KEY_FILE: join(dir, 'key.pem'),
        PUBLIC_URL: 'https://127.0.0.1:8443',
      },
    });
    try {
      await app.listen({ host: '127.0.0.1', port: 0 });
      const port = (app.server.address() as { port: number }).port;
      const body = await new Promise<string>((resolve, reject) => {
        https
          .get({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => {
            let data = '';
            res.on('data', (d) => (data += d));
            res.on('end', () => resolve(data));
          })
          .on('error', reject);
      });
      expect(JSON.parse(body)).toEqual({ status: 'ok' });
    } finally {
      await app.close();
    }
  });
});
