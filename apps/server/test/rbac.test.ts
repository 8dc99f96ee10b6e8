import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerPermissionHook } from '../src/modules/rbac/rbac.hook.ts';
import { can, permissionsForRole } from '../src/modules/rbac/policy.ts';
import type { Permission, Role } from '../src/lib/actor.ts';
import { buildTestApp, login, type LoggedIn, type TestApp } from './helpers/test-app.ts';

describe('policy (DESIGN.md §4)', () => {
  const table: Record<Role, string[]> = {
    viewer: ['query:run', 'token:own', 'history:own'],
    operator: ['query:run', 'query:free-filter', 'token:own', 'history:own'],
    auditor: ['token:own', 'history:own', 'audit:read-all'],
    admin: [
      'query:run',
      'query:free-filter',
      'token:own',
      'history:own',
      'audit:read-all',
      'admin:manage',
    ],
  };
  it.each(Object.entries(table))('%s has exactly its permissions', (role, permissions) => {
    expect([...permissionsForRole(role as Role)].sort()).toEqual([...permissions].sort());
    expect(can({ permissions: permissionsForRole(role as Role) }, 'admin:manage')).toBe(
      role === 'admin',
    );
  });
});

describe('route declarations', () => {
  it('refuses to start with a route that declares no permission', async () => {
    const app = Fastify();
    registerPermissionHook(app);
    expect(() => app.get('/api/forgotten', async () => 'oops')).toThrow(
      /GET \/api\/forgotten must declare config.permission/,
    );
    await app.close();
  });

  it('every registered route of the real app declares one, and the platform routes require what docs/api.md says', async () => {
    const app = await buildTestApp();
    try {
      const access = new Map(app.routeAccess.map((r) => [`${r.method} ${r.url}`, r.permission]));
      expect(app.routeAccess.length).toBeGreaterThan(20);
      for (const route of app.routeAccess)
        expect([
          'public',
          'authenticated',
          'query:run',
          'query:free-filter',
          'token:own',
          'history:own',
          'audit:read-all',
          'admin:manage',
        ]).toContain(route.permission);
      expect(
        Object.fromEntries(
          [...access].filter(
            ([k]) =>
              /\/(api\/(auth|me|users|settings)|healthz|readyz|metrics)/.test(k) &&
              !k.startsWith('HEAD'),
          ),
        ),
      ).toEqual({
        'GET /api/auth/providers': 'public',
        'POST /api/auth/login': 'public',
        'POST /api/auth/logout': 'authenticated',
        'GET /api/auth/me': 'authenticated',
        'GET /api/auth/session': 'public',
        'PUT /api/me/preferences': 'authenticated',
        'GET /api/auth/oidc/start': 'public',
        'GET /api/auth/oidc/callback': 'public',
        'GET /api/users': 'admin:manage',
        'POST /api/users': 'admin:manage',
        'PATCH /api/users/:id': 'admin:manage',
        'DELETE /api/users/:id': 'admin:manage',
        'GET /api/settings/branding': 'public',
        'PUT /api/settings/branding': 'admin:manage',
        'GET /healthz': 'public',
        'GET /readyz': 'public',
        'GET /metrics': 'public',
      });
      // Only the documented public surface is public.
      const publicApi = app.routeAccess.filter(
        (r) =>
          r.permission === 'public' &&
          r.url.startsWith('/api/') &&
          !r.url.startsWith('/api/docs') &&
          r.method !== 'HEAD',
      );
      expect(publicApi.map((r) => `${r.method} ${r.url}`).sort()).toEqual(
        [
          'GET /api/auth/oidc/callback',
          'GET /api/auth/oidc/start',
          'GET /api/auth/providers',
          'GET /api/auth/session',
          'GET /api/settings/branding',
          'POST /api/auth/login',
        ]
          .concat(
            publicApi
              .map((r) => `${r.method} ${r.url}`)
              .filter((k) => k.startsWith('GET /api/token/oauth/callback')),
          )
          .sort(),
      );
    } finally {
      await app.close();
    }
  });
});

describe('route × role (platform routes)', () => {
  let app: TestApp;
  const sessions = {} as Record<Role, LoggedIn>;
  beforeAll(async () => {
    app = await buildTestApp();
    for (const role of ['viewer', 'operator', 'auditor', 'admin'] as const)
      sessions[role] = await login(app, role);
  });
  afterAll(async () => {
    await app?.close();
  });

  const adminOnly = [
    { method: 'GET', url: '/api/users' },
    { method: 'POST', url: '/api/users', payload: { username: 'newbie', role: 'viewer' } },
    { method: 'PATCH', url: '/api/users/some-id', payload: { displayName: 'x' } },
    { method: 'DELETE', url: '/api/users/some-id' },
    {
      method: 'PUT',
      url: '/api/settings/branding',
      payload: { name: 'X', primaryColor: '#000000', logoDataUrl: null },
    },
  ] as const;

  it.each(['viewer', 'operator', 'auditor'] as const)(
    '%s gets 403 FORBIDDEN on admin routes, each leaving an audit event',
    async (role) => {
      for (const route of adminOnly) {
        const res = await sessions[role].inject({
          method: route.method,
          url: route.url,
          ...('payload' in route ? { payload: route.payload } : {}),
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(403);
        expect(res.json().error.code).toBe('FORBIDDEN');
      }
      const denied = await app.db
        .selectFrom('audit_events')
        .select(['actor_username'])
        .where('action', '=', 'permission.denied')
        .where('actor_username', '=', role)
        .execute();
      expect(denied).toHaveLength(adminOnly.length);
    },
  );

  it('anonymous callers get 401 on every non-public route', async () => {
    for (const route of [
      ...adminOnly,
      { method: 'GET', url: '/api/auth/me' },
      { method: 'PUT', url: '/api/me/preferences' },
      { method: 'POST', url: '/api/auth/logout' },
    ]) {
      const res = await app.inject({
        method: route.method,
        url: route.url,
        ...('payload' in route ? { payload: route.payload } : {}),
      });
      expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      expect(res.json().error.code).toBe('UNAUTHENTICATED');
    }
  });

  it('public routes answer everyone', async () => {
    for (const url of [
      '/api/auth/providers',
      '/api/auth/session',
      '/api/settings/branding',
      '/healthz',
      '/readyz',
      '/metrics',
      '/api/docs/json',
    ]) {
      expect((await app.inject({ url })).statusCode, url).toBe(200);
    }
  });
});

describe('route × role (the whole API, DESIGN.md §4)', () => {
  let app: TestApp;
  const sessions = {} as Record<Role, LoggedIn>;
  beforeAll(async () => {
    app = await buildTestApp();
    for (const role of ['viewer', 'operator', 'auditor', 'admin'] as const)
      sessions[role] = await login(app, role);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers 403 exactly where the role lacks the route permission, and 401 to anonymous callers', async () => {
    const routes = app.routeAccess.filter(
      (r) =>
        r.permission !== 'public' &&
        r.method !== 'HEAD' &&
        r.method !== 'OPTIONS' &&
        !r.url.startsWith('/api/auth/logout'),
    );
    expect(routes.length).toBeGreaterThan(15);
    const mismatches: string[] = [];
    for (const route of routes) {
      const url = route.url.replace(/:[A-Za-z]+/g, 'no-such-id').replace(/\*$/, 'Users');
      const anonymous = await app.inject({ method: route.method as 'GET', url });
      if (anonymous.statusCode !== 401)
        mismatches.push(`anonymous ${route.method} ${route.url} → ${anonymous.statusCode}`);
      for (const role of ['viewer', 'operator', 'auditor', 'admin'] as const) {
        const res = await sessions[role].inject({
          method: route.method as 'GET',
          url,
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const deniedByPolicy =
          res.statusCode === 403 && /does not allow this/.test(res.json().error?.message ?? '');
        const allowed =
          route.permission === 'authenticated' ||
          permissionsForRole(role).has(route.permission as Permission);
        if (deniedByPolicy === allowed)
          mismatches.push(
            `${role} ${route.method} ${route.url} (${route.permission}) → ${res.statusCode}`,
          );
        if (res.statusCode >= 500)
          mismatches.push(
            `${role} ${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
      }
    }
    expect(mismatches).toEqual([]);
  });
});
