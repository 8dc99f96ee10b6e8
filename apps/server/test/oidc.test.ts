import { startSandbox, type Sandbox } from '@scim-console/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleFromClaims } from '../src/modules/auth/oidc.service.ts';
import { seedDemoConnections } from '../src/modules/connections/connections.seed.ts';
import { signInAtIdp } from './helpers/idp-browser.ts';
import { buildTestApp, sessionCookieFrom, type TestApp } from './helpers/test-app.ts';

const PUBLIC_URL = 'http://127.0.0.1:8080';
const CALLBACK = `${PUBLIC_URL}/api/auth/oidc/callback`;

describe('role mapping', () => {
  const settings = {
    roleClaim: 'groups',
    roleMap: new Map([
      ['ops', 'operator' as const],
      ['admins', 'admin' as const],
    ]),
    defaultRole: 'viewer' as const,
  };
  it('takes the highest mapped role, else the default, else refuses when there is none', () => {
    expect(roleFromClaims(settings, { groups: ['ops', 'admins', 'other'] })).toBe('admin');
    expect(roleFromClaims(settings, { groups: 'ops' })).toBe('operator');
    expect(roleFromClaims(settings, { groups: ['unknown'] })).toBe('viewer');
    expect(roleFromClaims({ ...settings, defaultRole: null }, { groups: [] })).toBeNull();
    expect(
      roleFromClaims({ ...settings, roleClaim: 'realm.roles' }, { realm: { roles: ['admins'] } }),
    ).toBe('admin');
  });
});

describe('OIDC single sign-on against the sandbox', () => {
  let sandbox: Sandbox;
  let app: TestApp;

  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0, users: 20, password: 'sandbox-sso-password', env: {} });
    app = await buildTestApp({ env: { SANDBOX_URL: sandbox.url, PUBLIC_URL } });
  });
  afterAll(async () => {
    await app?.close();
    await sandbox?.close();
  });

  async function signIn(username: string, returnTo = '/queries') {
    const start = await app.inject({
      method: 'GET',
      url: `/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`,
    });
    expect(start.statusCode).toBe(302);
    const binding = String(start.headers['set-cookie']).split(';')[0]!;
    expect(binding).toMatch(/^scim_console_oidc=/);
    const location = new URL(String(start.headers.location));
    expect(location.origin + location.pathname).toBe(`${sandbox.issuer}/auth`);
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('nonce')).toBeTruthy();
    const callback = await signInAtIdp(
      location.href,
      { username, password: sandbox.password },
      CALLBACK,
    );
    return { callbackPath: callback.slice(PUBLIC_URL.length), binding };
  }

  it('signs each sandbox account in with the role its groups map to, creating the user just in time', async () => {
    for (const username of ['admin', 'operator', 'auditor', 'viewer']) {
      const { callbackPath, binding } = await signIn(username);
      const done = await app.inject({
        method: 'GET',
        url: callbackPath,
        headers: { cookie: binding },
      });
      expect(done.statusCode).toBe(302);
      expect(done.headers.location).toBe('/queries');
      const cookie = sessionCookieFrom(done);
      expect(cookie).toBeTruthy();
      const me = await app.inject({ url: '/api/auth/me', headers: { cookie: cookie! } });
      expect(me.statusCode).toBe(200);
      const user = me.json().user;
      expect(user).toMatchObject({ role: username, authSource: 'oidc' });
      // The local demo account of the same name is not taken over.
      expect(user.username).not.toBe(username);
      expect(user.username.startsWith(username)).toBe(true);
    }
    const sso = await app.db
      .selectFrom('users')
      .select(['username', 'role', 'oidc_subject'])
      .where('auth_source', '=', 'oidc')
      .execute();
    expect(sso).toHaveLength(4);
    // Signing in again finds the same user (issuer + subject), no duplicate.
    const again = await signIn('viewer');
    expect(
      (await app.inject({ url: again.callbackPath, headers: { cookie: again.binding } }))
        .statusCode,
    ).toBe(302);
    expect(
      await app.db.selectFrom('users').select('id').where('auth_source', '=', 'oidc').execute(),
    ).toHaveLength(4);
  });

  it("hands the sign-in's token set to the vault for the SSO-login connection", async () => {
    await seedDemoConnections(app.db, app.config);
    const login = await app.db
      .selectFrom('connections')
      .select('id')
      .where('auth_kind', '=', 'login')
      .executeTakeFirstOrThrow();
    const { callbackPath, binding } = await signIn('operator');
    const done = await app.inject({ url: callbackPath, headers: { cookie: binding } });
    const cookie = sessionCookieFrom(done)!;
    const status = await app.inject({
      url: `/api/token/status?connectionId=${login.id}`,
      headers: { cookie },
    });
    expect(status.statusCode).toBe(200);
    expect(status.json()).toMatchObject({ connectionId: login.id, kind: 'login', state: 'valid' });
    expect(status.json().fingerprint).toBeTruthy();
    const token = await app.inject({
      url: `/api/token?connectionId=${login.id}`,
      headers: { cookie },
    });
    expect(token.statusCode).toBe(200);
    // The access token is the sandbox's JWT for the SCIM audience, usable against the SCIM API.
    const scim = await fetch(`${sandbox.scimUrl}/Users?count=1`, {
      headers: { authorization: `Bearer ${token.json().accessToken}` },
    });
    expect(scim.status).toBe(200);
  });

  it('refuses a callback replayed without the browser binding, or used twice', async () => {
    const { callbackPath, binding } = await signIn('operator');
    const foreign = await app.inject({ url: callbackPath });
    expect(foreign.statusCode).toBe(302);
    expect(foreign.headers.location).toBe('/login?error=UNAUTHENTICATED');
    expect(sessionCookieFrom(foreign)).toBeNull();
    // The state was consumed by that attempt: even the right browser cannot use it now.
    const late = await app.inject({ url: callbackPath, headers: { cookie: binding } });
    expect(late.headers.location).toBe('/login?error=UNAUTHENTICATED');
    const logs = await app.db
      .selectFrom('audit_events')
      .select(['action'])
      .where('action', '=', 'auth.login_failed')
      .execute();
    expect(logs.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a returnTo that leaves the site', async () => {
    for (const returnTo of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      const res = await app.inject({
        url: `/api/auth/oidc/start?returnTo=${encodeURIComponent(returnTo)}`,
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { field: 'querystring.returnTo' },
      });
    }
  });

  it('reports the provider as enabled', async () => {
    const res = await app.inject({ url: '/api/auth/providers' });
    expect(res.json()).toEqual({ local: true, oidc: { enabled: true, label: 'Sandbox SSO' } });
  });

  it('refuses users whose groups map to no role when OIDC_DEFAULT_ROLE=none', async () => {
    const strict = await buildTestApp({
      env: {
        SANDBOX_URL: sandbox.url,
        PUBLIC_URL,
        OIDC_ROLE_MAP: 'SCIM Console Admins=admin',
        OIDC_DEFAULT_ROLE: 'none',
      },
    });
    try {
      const attempt = async (username: string) => {
        const start = await strict.inject({ url: '/api/auth/oidc/start' });
        const binding = String(start.headers['set-cookie']).split(';')[0]!;
        const callback = await signInAtIdp(
          String(start.headers.location),
          { username, password: sandbox.password },
          CALLBACK,
        );
        return strict.inject({
          url: callback.slice(PUBLIC_URL.length),
          headers: { cookie: binding },
        });
      };
      const viewer = await attempt('viewer');
      expect(viewer.headers.location).toBe('/login?error=FORBIDDEN');
      expect(sessionCookieFrom(viewer)).toBeNull();
      const admin = await attempt('admin');
      expect(admin.headers.location).toBe('/');
      const me = await strict.inject({
        url: '/api/auth/me',
        headers: { cookie: sessionCookieFrom(admin)! },
      });
      expect(me.json().user.role).toBe('admin');
      const failed = await strict.db
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.login_failed')
        .execute();
      expect(JSON.stringify(failed)).toContain('no-role');
    } finally {
      await strict.close();
    }
  });
});
