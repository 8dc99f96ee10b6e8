/**
 * Authorization matrix (issue 10 item 2), complementing apps/server/test/rbac.test.ts
 * ("route × role (the whole API)", commit 8fbcd32), which proves 403-exactly-where-DESIGN-§4-says
 * with placeholder ids. Here: the same enumeration with REAL ids of the caller's own resources
 * (so an allowed cell really succeeds) and a count of `permission.denied` events per denied
 * cell; then every owner-scoped resource of user A tried by user B (IDOR) and per-connection
 * grants (a connection granted to one user only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Permission, Role } from '../../apps/server/src/lib/actor.ts';
import { permissionsForRole } from '../../apps/server/src/modules/rbac/policy.ts';
import {
  buildTestApp,
  forEachDatabase,
  login,
  type LoggedIn,
  type TestApp,
} from '../../apps/server/test/helpers/test-app.ts';
import {
  createSandboxConnections,
  startTestSandbox,
  type SandboxConnections,
  type TestSandbox,
} from '../../apps/server/src/modules/token-vault/sandbox.test-support.ts';
import { apiRoutes, errorShapeProblem, fillUrl, ROLES } from './support.ts';

async function deniedCount(app: TestApp, username: string): Promise<number> {
  const rows = await app.db
    .selectFrom('audit_events')
    .select(['seq'])
    .where('action', '=', 'permission.denied')
    .where('actor_username', '=', username)
    .execute();
  return rows.length;
}

forEachDatabase((database) => {
  describe('authorization matrix with real resources', () => {
    let sandbox: TestSandbox;
    let app: TestApp;
    let ids: SandboxConnections;
    const sessions = {} as Record<Role, LoggedIn>;
    let alice: LoggedIn; // operator, owns the resources
    let bob: LoggedIn; // operator, tries them
    let restricted: string; // a connection granted to alice only
    let aliceQueryId: string;
    let aliceSavedId: string;
    const PASSWORD = 'correct horse battery staple 42';

    beforeAll(async () => {
      sandbox = await startTestSandbox({ accessTokenTtl: 300 });
      app = await buildTestApp({ database, env: { RATE_LIMIT_MAX: '100000' } });
      for (const role of ROLES) sessions[role] = await login(app, role);
      ids = await createSandboxConnections(app, sandbox, sessions.admin.user.id);
      for (const name of ['alice', 'bob']) {
        const created = await sessions.admin.inject({
          method: 'POST',
          url: '/api/users',
          payload: { username: name, role: 'operator', password: PASSWORD },
        });
        expect(created.statusCode, created.body).toBe(201);
      }
      alice = await login(app, 'alice', PASSWORD);
      bob = await login(app, 'bob', PASSWORD);
      const made = await sessions.admin.inject({
        method: 'POST',
        url: '/api/connections',
        payload: {
          name: 'Alice only',
          baseUrl: sandbox.scimUrl,
          authKind: 'static',
          allowPrivateNetwork: true,
          grants: { roles: [], userIds: [alice.user.id] },
        },
      });
      expect(made.statusCode, made.body).toBe(201);
      restricted = made.json().id;
      // alice's own resources: a token on the static and restricted connections, a query, a saved query.
      for (const connectionId of [ids.static, restricted]) {
        const linked = await alice.inject({
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId, token: sandbox.staticTokens.operator },
        });
        expect(linked.statusCode, linked.body).toBe(200);
      }
      const generated = await alice.inject({
        method: 'POST',
        url: '/api/scim-query',
        payload: { connectionId: ids.static, resourceType: 'User', filter: 'active eq true' },
      });
      expect(generated.statusCode, generated.body).toBe(200);
      aliceQueryId = generated.json().queryId;
      const saved = await alice.inject({
        method: 'POST',
        url: '/api/saved-queries',
        payload: {
          name: 'mine',
          input: { connectionId: ids.static, resourceType: 'User', filter: 'active eq true' },
        },
      });
      expect(saved.statusCode, saved.body).toBe(201);
      aliceSavedId = saved.json().id;
    });
    afterAll(async () => {
      await app?.close();
      await sandbox?.close();
    });

    it('every route × role: allowed cells pass the permission check, each denied cell leaves exactly one permission.denied event', async () => {
      const routes = apiRoutes(app).filter(
        (r) => r.permission !== 'public' && r.url !== '/api/auth/logout',
      );
      const problems: string[] = [];
      // A connection of its own: the admin's DELETE /api/connections/:id cell really deletes it.
      const victim = (
        await sessions.admin.inject({
          method: 'POST',
          url: '/api/connections',
          payload: {
            name: 'Matrix victim',
            baseUrl: sandbox.scimUrl,
            authKind: 'static',
            allowPrivateNetwork: true,
            grants: { roles: [...ROLES], userIds: [] },
          },
        })
      ).json().id as string;
      for (const role of ROLES) {
        for (const route of routes) {
          const url = fillUrl(route.url, {
            id: victim,
            connectionId: ids.relay,
            queryId: 'no-such-query',
          });
          const withQuery =
            /token|query-options/.test(url) && route.method !== 'PUT' && route.method !== 'POST'
              ? `${url}?connectionId=${ids.static}`
              : url;
          const before = await deniedCount(app, role);
          const res = await sessions[role].inject({
            method: route.method as 'GET',
            url: withQuery,
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
          const after = await deniedCount(app, role);
          const allowed =
            route.permission === 'authenticated' ||
            permissionsForRole(role).has(route.permission as Permission);
          const denied = res.statusCode === 403 && res.json().error.code === 'FORBIDDEN';
          const shape = errorShapeProblem(res);
          if (shape) problems.push(`${role} ${route.method} ${route.url}: ${shape}`);
          if (allowed && denied)
            problems.push(`${role} ${route.method} ${route.url} allowed by §4 but 403`);
          if (!allowed && !denied)
            problems.push(
              `${role} ${route.method} ${route.url} not allowed by §4 but ${res.statusCode}`,
            );
          if (!allowed && after - before !== 1)
            problems.push(
              `${role} ${route.method} ${route.url}: ${after - before} permission.denied events`,
            );
          if (allowed && !denied && after !== before)
            problems.push(
              `${role} ${route.method} ${route.url}: audited a denial on an allowed call`,
            );
        }
      }
      expect(problems).toEqual([]);
    });

    it('a viewer sending a free filter, and a non-auditor asking for everyone, are denied and audited', async () => {
      const before = await deniedCount(app, 'viewer');
      const free = await sessions.viewer.inject({
        method: 'POST',
        url: '/api/scim-query',
        payload: { connectionId: ids.static, resourceType: 'User', filter: 'active eq true' },
      });
      expect(free.statusCode).toBe(403);
      const preset = await sessions.viewer.inject({
        method: 'POST',
        url: '/api/scim-query',
        payload: {
          connectionId: ids.static,
          resourceType: 'User',
          preset: { id: 'all-users', params: {} },
        },
      });
      expect(preset.statusCode, preset.body).toBe(200);
      for (const url of [
        '/api/logs?scope=all',
        `/api/logs?userId=${alice.user.id}`,
        `/api/logs/export?format=ndjson&scope=all`,
      ]) {
        const res = await bob.inject({ url });
        expect(res.statusCode, url).toBe(403);
      }
      expect(await deniedCount(app, 'viewer')).toBe(before + 1);
      expect(await deniedCount(app, 'bob')).toBeGreaterThanOrEqual(3);
    });

    it("IDOR: bob reaches none of alice's token, status, query outcome, saved queries or audit events", async () => {
      // Token and status are per caller: bob sees his own (missing), never alice's.
      const token = await bob.inject({ url: `/api/token?connectionId=${ids.static}` });
      expect(token.statusCode).toBe(404);
      expect(token.json().error.code).toBe('TOKEN_MISSING');
      expect(token.body).not.toContain(sandbox.staticTokens.operator);
      const status = (
        await bob.inject({ url: `/api/token/status?connectionId=${ids.static}` })
      ).json();
      expect(status).toMatchObject({ state: 'missing', fingerprint: null });
      const aliceStatus = (
        await alice.inject({ url: `/api/token/status?connectionId=${ids.static}` })
      ).json();
      expect(aliceStatus.fingerprint).toMatch(/^fp_/);
      // Refresh / unlink act on bob's own (missing) credential, never alice's.
      expect(
        (
          await bob.inject({
            method: 'POST',
            url: '/api/token/refresh',
            payload: { connectionId: ids.static },
          })
        ).statusCode,
      ).toBeGreaterThanOrEqual(400);
      expect(
        (await bob.inject({ method: 'DELETE', url: `/api/token?connectionId=${ids.static}` }))
          .statusCode,
      ).toBeLessThan(500);
      expect(
        (await alice.inject({ url: `/api/token?connectionId=${ids.static}` })).json().accessToken,
      ).toBe(sandbox.staticTokens.operator);
      // Outcome of alice's query: 404 for bob, and still reportable by alice afterwards.
      const outcome = await bob.inject({
        method: 'POST',
        url: `/api/logs/${aliceQueryId}/outcome`,
        payload: { status: 200, resultCount: 1, durationMs: 5 },
      });
      expect(outcome.statusCode).toBe(404);
      expect(
        (
          await alice.inject({
            method: 'POST',
            url: `/api/logs/${aliceQueryId}/outcome`,
            payload: { status: 200, resultCount: 1, durationMs: 5 },
          })
        ).statusCode,
      ).toBe(204);
      // Saved queries: not listed for bob, not deletable by bob.
      expect((await bob.inject({ url: '/api/saved-queries' })).json().queries).toEqual([]);
      expect(
        (await bob.inject({ method: 'DELETE', url: `/api/saved-queries/${aliceSavedId}` }))
          .statusCode,
      ).toBe(404);
      expect(
        (await alice.inject({ url: '/api/saved-queries' }))
          .json()
          .queries.map((q: { id: string }) => q.id),
      ).toContain(aliceSavedId);
      // Audit: bob's own view and export hold none of alice's events.
      const own = (await bob.inject({ url: '/api/logs?scope=own&limit=500' })).json().events as {
        actor: { username: string } | null;
      }[];
      expect(own.every((e) => e.actor?.username === 'bob')).toBe(true);
      const exported = (await bob.inject({ url: '/api/logs/export?format=ndjson' })).body;
      expect(exported).not.toContain('"alice"');
      expect(exported).not.toContain(aliceQueryId);
    });

    it('connection grants: a connection granted to alice only does not exist for bob, anywhere', async () => {
      expect(
        (await bob.inject({ url: '/api/connections' }))
          .json()
          .connections.map((c: { id: string }) => c.id),
      ).not.toContain(restricted);
      const attempts = [
        { method: 'GET', url: `/api/connections/${restricted}` },
        { method: 'GET', url: `/api/query-options?connectionId=${restricted}` },
        {
          method: 'POST',
          url: '/api/scim-query',
          payload: { connectionId: restricted, resourceType: 'User', filter: 'active eq true' },
        },
        {
          method: 'PUT',
          url: '/api/token',
          payload: { connectionId: restricted, token: sandbox.staticTokens.viewer },
        },
        { method: 'GET', url: `/api/token?connectionId=${restricted}` },
        { method: 'GET', url: `/api/token/status?connectionId=${restricted}` },
        {
          method: 'GET',
          url: `/api/token/oauth/start?connectionId=${restricted}&returnTo=/tokens`,
        },
        { method: 'GET', url: `/api/relay/${restricted}/Users` },
      ] as const;
      for (const attempt of attempts) {
        const res = await bob.inject({
          method: attempt.method,
          url: attempt.url,
          ...('payload' in attempt ? { payload: attempt.payload } : {}),
        });
        expect(
          [403, 404],
          `${attempt.method} ${attempt.url} → ${res.statusCode} ${res.body}`,
        ).toContain(res.statusCode);
        expect(res.body).not.toContain('Alice only');
      }
      // The same calls work for alice (the grant is real).
      expect((await alice.inject({ url: `/api/connections/${restricted}` })).statusCode).toBe(200);
      expect(
        (await alice.inject({ url: `/api/token?connectionId=${restricted}` })).statusCode,
      ).toBe(200);
      // Each refusal of an existing, ungranted connection is audited as permission.denied.
      const events = await app.db
        .selectFrom('audit_events')
        .select(['connection_id'])
        .where('action', '=', 'permission.denied')
        .where('actor_username', '=', 'bob')
        .where('connection_id', '=', restricted)
        .execute();
      expect(events.length).toBeGreaterThanOrEqual(attempts.length - 1);
    });
  });
});
